"""A tiny simulation-based calibration run of the whole workflow: batched fits, scores, figures, report.

Twenty prior-drawn replicates, fitted in one batch job per variant by ``vectorized_fixed`` and by a
deliberately miscalibrated variant (``tests/wrong_tau_prior.py``, copied into the workflow copy's
variants), which must fail on tau. Datasets and draws are seeded, so the outcome is deterministic.
"""

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import copy_workflow, run_snakemake

from zsneq.models.fit_file import fit_attrs, read_fit

pytestmark = pytest.mark.e2e  # runs the workflow on a study

WRONG = "wrong_tau_prior"
REPS = 20
CONFIG = {
    "scenarios": {"sbc": {"truth": "prior", "groups": 5, "rows_per_group": 10, "predictors": 1, "seed": 3,
                          "replicates": REPS, "batch_size": REPS}},
    "variants": ["vectorized_fixed", WRONG],
    # These tests are about calibration against the truth, which does not depend on the reference. With the
    # miscalibrated variant as the reference the prior-predictive power job has no known alternatives to
    # estimate and says so in a second, instead of about ten.
    "reference_variant": WRONG,
    "sampler": {"chains": 2, "tune": 100, "draws": 100, "seed": 1},
    "calibration": {"rank_draws": 50},
}


@pytest.fixture(scope="module")
def sbc_study(tmp_path_factory) -> Path:
    workdir = copy_workflow(tmp_path_factory.mktemp("sbc"))
    shutil.copy(Path(__file__).with_name(f"{WRONG}.py"), workdir / "src/zsneq/models/variants" / f"{WRONG}.py")
    config = workdir / "sbc.yaml"
    config.write_text(yaml.safe_dump(CONFIG))
    run_snakemake(workdir, config=config)
    run_snakemake(workdir, "--report", "report.zip", config=config)
    return workdir


def test_sbc_passes_the_intended_model_and_fails_the_wrong_prior_on_tau(sbc_study):
    variants = pd.read_parquet(sbc_study / "results/calibration/sbc_variants.parquet").set_index("variant")
    assert (variants["n"] == REPS).all()
    assert bool(variants.loc["vectorized_fixed", "passes"])
    assert not bool(variants.loc[WRONG, "passes"])
    sbc = pd.read_parquet(sbc_study / "results/calibration/sbc.parquet").set_index(["variant", "parameter"])
    assert not bool(sbc.loc[(WRONG, "tau[x1]"), "passes"])
    assert sbc.loc[(WRONG, "tau[x1]"), "mean_pit"] < 0.3  # truths rank low: tau is overestimated


def test_each_batch_compiles_once_and_swaps_the_rest(sbc_study):
    batching = pd.read_parquet(sbc_study / "results/calibration/batching.parquet")
    assert batching["compiles"].tolist() == [1, 1] and batching["fits"].tolist() == [REPS, REPS]
    reused = [fit_attrs(read_fit(sbc_study / f"results/fits/sbc/vectorized_fixed/rep{r}.nc"))["compile_reused"]
              for r in range(REPS)]
    assert reused == [0] + [1] * (REPS - 1)


def test_report_shows_sbc_verdicts_and_figures(sbc_study):
    html = (sbc_study / "results/report/index.html").read_text()
    assert 'id="sbc-sbc"' in html and "FAILS" in html and "passes" in html
    for name in ("coverage", "sbc_ranks", "sbc_ecdf"):
        assert (sbc_study / "results/figures/sbc" / f"{name}.svg").stat().st_size > 5_000
        assert f'id="figure-{name}-sbc"' in html
    assert html.count("<svg") >= 5  # forest, performance, coverage, ranks, ECDF
    assert (sbc_study / "report.zip").stat().st_size > 10_000
