"""The whole workflow runs on the tiny test config in a temporary copy and produces every output."""

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import ROOT, copy_workflow, run_snakemake

pytestmark = pytest.mark.e2e  # runs the workflow on a study

TEST_CONFIG = ROOT / ".test" / "config" / "config.yaml"


@pytest.fixture(scope="module")
def run_dir(tiny_study) -> Path:
    return tiny_study


def expected_outputs(config: dict) -> list[str]:
    out = ["results/summary/summary.parquet", "results/summary/verdicts.parquet",
           "results/summary/variant_verdicts.parquet", "results/report/index.html"]
    out += [f"results/calibration/{name}.parquet"
            for name in ("replicates", "coverage", "sbc", "sbc_variants", "batching")]
    for s, sc in config["scenarios"].items():
        out += [f"results/figures/{s}/forest.svg", f"results/figures/{s}/performance.svg"]  # figures.FIGURES
        if sc["replicates"] >= 2:  # coverage of a single dataset is not shown
            out.append(f"results/figures/{s}/coverage.svg")
        out += [f"results/checks/{s}/{v}.json" for v in config["variants"]]
        out += [f"results/checks/{s}/{v}.posterior.json" for v in config["variants"] if v != config["reference_variant"]]
        out += [f"results/figures/{s}/{v}/rep0_{k}.png" for v in config["variants"] for k in ("rank", "trace", "energy")]
        for r in range(sc["replicates"]):
            out += [f"results/data/{s}/rep{r}.parquet", f"results/data/{s}/rep{r}.truth.parquet"]
            out += [f"results/fits/{s}/{v}/rep{r}.nc" for v in config["variants"]]
    return out


def test_verdicts_name_the_bug_on_every_scenario(run_dir):
    verdicts = pd.read_parquet(run_dir / "results/summary/variant_verdicts.parquet")
    posted = verdicts[verdicts["variant"] == "vectorized_as_posted"]
    assert len(posted) == 3
    assert posted["statement"].str.contains("sum to zero along `predictor`, not `group`").all()
    assert (posted["structure_ok"] == False).all()  # noqa: E712
    assert (posted["model_verdict"] == "different model").all()
    assert posted["statement"].str.contains(": different model (its group offsets sum to zero along `predictor`",
                                            regex=False).all()
    fixed = verdicts[verdicts["variant"] == "vectorized_fixed"]
    assert fixed["structure_ok"].all()
    exact = verdicts[verdicts["variant"].isin(["vectorized_fixed", "vectorized_fixed+marginal"])]
    assert (exact["model_verdict"] == "same model").all()
    assert (exact["logp"] == "equivalent").all() and (exact["logp_posterior"] == "equivalent").all()
    assert (verdicts.loc[verdicts["variant"] == "nonvectorized", "model_verdict"] == "reference").all()


def test_every_output_exists(run_dir):
    config = yaml.safe_load(TEST_CONFIG.read_text())
    missing = [p for p in expected_outputs(config) if not (run_dir / p).is_file()]
    assert not missing
    assert all((run_dir / "logs" / d).is_dir() for d in ("simulate", "fit", "summarize", "report"))


def test_summary_is_tidy_and_complete(run_dir):
    config = yaml.safe_load(TEST_CONFIG.read_text())
    summary = pd.read_parquet(run_dir / "results/summary/summary.parquet")
    for col in ["scenario", "rep", "variant", "parameter", "mean", "sd", "hdi_3%", "hdi_97%",
                "ess_bulk", "ess_tail", "r_hat", "truth", "sampling_seconds"]:
        assert col in summary.columns
    expected_rows = sum(
        sc["replicates"] * len(config["variants"]) * (2 * len(sc["beta"]) + 1)
        for sc in config["scenarios"].values()
    )
    assert len(summary) == expected_rows
    assert not summary.duplicated(["scenario", "rep", "variant", "parameter"]).any()
    assert summary["truth"].notna().all()
    twopred = summary[summary["scenario"] == "twopred"]
    assert set(twopred["parameter"]) == {"beta[x1]", "beta[x2]", "tau[x1]", "tau[x2]", "sigma"}


def test_report_shows_every_variant_table(run_dir):
    html = (run_dir / "results/report/index.html").read_text()
    config = yaml.safe_load(TEST_CONFIG.read_text())
    for scenario in config["scenarios"]:
        assert f'id="scenario-{scenario}"' in html
    for variant in config["variants"]:
        assert html.count(f"<h4><code>{variant}</code></h4>") == 3  # tiny rep0, rep1, twopred rep0
    assert "<svg" in html and "No fit" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # nothing fetched from a network


def test_nothing_left_to_do_and_snakemake_report_builds(run_dir):
    dry = run_snakemake(run_dir, "-n")
    assert "Nothing to be done" in dry.stdout + dry.stderr
    run_snakemake(run_dir, "--report", "report.zip")
    assert (run_dir / "report.zip").stat().st_size > 10_000


def test_coverage_scores_every_fit_against_both_truths_of_beta(run_dir):
    config = yaml.safe_load(TEST_CONFIG.read_text())
    coverage = pd.read_parquet(run_dir / "results/calibration/coverage.parquet")
    levels = 3  # the default 50/80/94%
    for s, sc in config["scenarios"].items():
        sub = coverage[coverage["scenario"] == s]
        P = len(sc["beta"])
        assert len(sub) == len(config["variants"]) * (2 * P + P + 1) * levels
        assert (sub["n"] == sc["replicates"]).all()
        beta = sub[sub["parameter"].str.startswith("beta")]
        assert beta.groupby("truth_kind").size().to_dict() == {"population": len(beta) // 2, "target": len(beta) // 2}
    assert pd.read_parquet(run_dir / "results/calibration/sbc.parquet").empty  # no scenario draws from the prior
    html = (run_dir / "results/report/index.html").read_text()
    assert 'id="calibration"' in html and "Coverage table" in html
    calibration = html[html.index('id="calibration"'):]
    for s, sc in config["scenarios"].items():  # only scenarios with replicates to score are shown
        shown = f"<h3><code>{s}</code> · {sc['replicates']} replicate(s)</h3>" in calibration
        assert shown == (sc["replicates"] >= 2), s


def test_plans_the_study_in_a_working_directory_outside_the_repository(tmp_path):
    """``snakemake --directory elsewhere``: results go there, code inputs still point into the repository."""
    repo, elsewhere = tmp_path / "repo", tmp_path / "elsewhere"
    repo.mkdir()
    elsewhere.mkdir()
    copy_workflow(repo)
    proc = run_snakemake(repo, "-n", "--directory", str(elsewhere))
    jobs = re.findall(r"^(?:local)?rule (\w+):", proc.stdout, flags=re.MULTILINE)
    assert {"simulate", "check_variant", "fit", "report"} <= set(jobs), proc.stdout[-2000:]
