"""``zsneq compare`` on outcomes without a noise sd: counts (Poisson, negative binomial) and binomial with
trials, end to end through the workflow; the number of trials is an extra column, neither response nor
predictor; sigma and the prior predictive's Gaussian-only statistics are said not to apply."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from glmm import glmm_files
from test_compare import SAMPLER, compare, verdict_rows

pytestmark = pytest.mark.e2e  # runs the workflow on a study


# counts and binomial outcomes (log and logit links, no sigma); LIKELIHOODS: each family's response and
# observed variable
LIKELIHOODS = {  # family: (response, its observed variable)
    "poisson": ("lapses", 'pm.Poisson("lapses", mu=pm.math.exp(eta), observed=df["lapses"].to_numpy())'),
    "negative binomial": ("lapses", 'pm.NegativeBinomial("lapses", mu=pm.math.exp(eta), alpha=pm.Gamma("alpha", '
                                    'mu=5.0, sigma=3.0), observed=df["lapses"].to_numpy())'),
    "binomial": ("passed", 'pm.Binomial("passed", n=df["trials"].to_numpy(), logit_p=eta, '
                           'observed=df["passed"].to_numpy())'),
}


def family_files(directory: Path, family: str, *forms: str) -> list[str]:
    """``<family>_loop.py``, ... (as ``forms`` asks) in ``directory`` (``glmm.glmm_files``)."""
    return glmm_files(directory, family.replace(" ", "_"), f"{family.capitalize()} GLMM", LIKELIHOODS[family][1],
                      *forms)


@pytest.fixture(scope="module")
def counts_dir(tmp_path_factory) -> Path:
    """20 subjects x 10 rows on ``days`` and ``dose``: ``counts.csv`` holds an overdispersed count ``lapses``
    (log link), ``trials.csv`` a binomial ``passed`` of ``trials`` (logit link), the number of trials being
    neither the response nor a predictor."""
    rng = np.random.default_rng(5)
    g = np.repeat(np.arange(20), 10)
    x = rng.normal(size=(200, 2))
    slopes = np.array([0.6, -0.4]) + rng.normal(size=(20, 2)) * [0.3, 0.2]
    eta = (slopes[g] * x).sum(axis=1)
    mu, trials = np.exp(eta), rng.integers(5, 15, size=200)
    own = pd.DataFrame({"subject": np.array([f"S{k:02d}" for k in range(20)])[g], "days": x[:, 0], "dose": x[:, 1]})
    directory = tmp_path_factory.mktemp("counts")
    own.assign(lapses=rng.negative_binomial(5, 5 / (5 + mu))).to_csv(directory / "counts.csv", index=False)
    own.assign(passed=rng.binomial(trials, 1 / (1 + np.exp(-eta))), trials=trials).to_csv(
        directory / "trials.csv", index=False)
    return directory


def test_a_poisson_glmm_written_two_equivalent_ways_and_one_wrong_way(counts_dir):
    """A Poisson log-link GLMM: the matrix form is not a different model, the one that zero-sums over
    predictors is; sigma does not apply to a count outcome, and the lines, the report and the prior
    predictive say so instead of showing a Gaussian quantity."""
    out = counts_dir / "poisson"
    files = family_files(counts_dir, "poisson", "loop", "matrix", "wrong")
    proc = compare(counts_dir, *files, "--data", "counts.csv", "--group", "subject", "--y", "lapses",
                   "--predictors", "days", "dose", "--out", str(out), *SAMPLER)
    print(proc.stdout)
    rows = verdict_rows(proc.stdout)
    assert {r["outcome"] for r in rows.values()} == {"poisson"}
    assert rows["poisson_loop"]["model_verdict"] == "reference"
    assert rows["poisson_matrix"]["model_verdict"] in ("same model", "no difference found", "not shown"), proc.stdout
    assert rows["poisson_matrix"]["posterior_verdict"] != "disagrees", proc.stdout
    assert rows["poisson_wrong"]["model_verdict"] == "different model", proc.stdout
    lines = {v: next(line for line in proc.stdout.splitlines() if line.startswith(f"{v}: ")) for v in rows}
    assert re.search(r"sums? to zero (over |along `)predictor", lines["poisson_wrong"]), lines["poisson_wrong"]
    for line in lines.values():
        assert "sigma: does not apply to a poisson outcome" in line, line
    summary = pd.read_parquet(out / "results/summary/summary.parquet")
    assert set(summary["parameter"]) == {"beta[days]", "beta[dose]", "tau[days]", "tau[dose]"}
    responses = pd.read_parquet(out / "results/summary/group_slopes.parquet").query("quantity == 'expected_response'")
    assert len(responses) == 3 * 20 and (responses["mean"] > 0).all()  # a count's expected value
    assert set(pd.read_parquet(out / "results/summary/loo.parquet")["variant"]) == set(rows)
    pp = json.loads((out / "results/prior_predictive/counts/poisson_matrix.json").read_text())
    assert pp["outcome"] == {"variant": "poisson", "reference": "poisson"} and pp["not_applicable"]
    assert not any("noise" in s["statistic"] for s in pp["statistics"])
    html = (out / "results/report/index.html").read_text()
    assert "sigma: does not apply to a poisson outcome" in html


@pytest.mark.parametrize("family", ["negative binomial", "binomial"])
def test_a_count_or_binomial_glmm_written_two_ways_runs_end_to_end(counts_dir, family):
    """A negative binomial GLMM, and a binomial one whose number of trials is handed to the models as an
    extra column (neither response nor predictor): each pair runs through the workflow, the matrix form
    is not a different model and sigma is said not to apply."""
    response = LIKELIHOODS[family][0]
    out = counts_dir / family.replace(" ", "_")
    data = ["--data", "counts.csv", "--predictors", "days", "dose"] if family != "binomial" else [
        "--data", "trials.csv", "--extra", "trials"]  # predictors: every column but subject, passed, trials
    proc = compare(counts_dir, *family_files(counts_dir, family, "loop", "matrix"), *data, "--group", "subject",
                   "--y", response, "--out", str(out), *SAMPLER)
    print(proc.stdout)
    rows = verdict_rows(proc.stdout)
    stem = family.replace(" ", "_")
    assert {r["outcome"] for r in rows.values()} == {family}
    assert rows[f"{stem}_matrix"]["model_verdict"] in ("same model", "no difference found", "not shown"), proc.stdout
    assert rows[f"{stem}_matrix"]["posterior_verdict"] != "disagrees", proc.stdout
    assert proc.stdout.count(f"sigma: does not apply to a {family} outcome") == 2, proc.stdout
    summary = pd.read_parquet(out / "results/summary/summary.parquet")
    assert set(summary["parameter"]) == {"beta[days]", "beta[dose]", "tau[days]", "tau[dose]"}
    dataset = pd.read_parquet(next((out / "results/data").glob("*/rep0.parquet")))
    assert dataset.attrs.get("extra", []) == (["trials"] if family == "binomial" else [])
