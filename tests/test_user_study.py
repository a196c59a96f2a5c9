"""A study of the user's own plain-PyMC files, run under ``--directory`` outside the repository.

``tests/data/user_models/`` holds models written as users write them (a loop over predictors as the
reference; a transposed ZeroSumNormal, centered slopes and explicitly demeaned offsets, which are the
same model; one spread shared by all predictors and the thread's wrong zero-sum axis, which are not).
None imports this project, and their parameters share few names with the reference (``beta1`` against
``beta``; ``offsets`` against ``raw``). The verdicts must tell the two kinds apart.
"""

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import ROOT, run_snakemake

pytestmark = pytest.mark.e2e  # runs the workflow on a study

MODELS = Path(__file__).parent / "data" / "user_models"
SAME = ["transposed", "centered", "demeaned"]
DIFFERENT = ["shared_spread", "wrong_axis"]
STUDY = {
    "scenarios": {"s": {"groups": 30, "rows_per_group": 20, "beta": [1.0, 1.2, 0.8], "tau": [0.5, 2.0, 1.0],
                        "sigma": 1.0, "seed": 3, "replicates": 1}},
    "variants": [{"name": name, "file": f"models/{name}.py"} for name in ["loop_reference", *SAME, *DIFFERENT]],
    "reference_variant": "loop_reference",
    "sampler": {"chains": 2, "tune": 300, "draws": 300, "seed": 1},
}


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory) -> pd.DataFrame:
    study = tmp_path_factory.mktemp("user-study")
    shutil.copytree(MODELS, study / "models")
    config = study / "config.yaml"
    config.write_text(yaml.safe_dump(STUDY))
    run_snakemake(ROOT, "--directory", str(study), config=config)
    assert (study / "results/report/index.html").is_file()
    assert not (ROOT / "results" / "fits" / "s").exists()  # nothing written into the repository
    return pd.read_parquet(study / "results/summary/variant_verdicts.parquet").set_index("variant")


@pytest.mark.parametrize("name", SAME)
def test_the_same_model_written_differently_is_never_said_to_differ(verdicts, name):
    row = verdicts.loc[name]
    assert row["posterior_verdict"] != "disagrees", row["statement"]
    assert row["model_verdict"] in ("same model", "no difference found", "not shown"), row["statement"]
    assert row["prior_predictive"] == "no_difference", row["statement"]
    assert row["response_verdict"] in ("agrees", "inconclusive"), row["statement"]


@pytest.mark.parametrize("name", DIFFERENT)
def test_a_different_model_is_flagged(verdicts, name):
    row = verdicts.loc[name]
    assert row["model_verdict"] == "different model", row["statement"]
    assert row["statement"].startswith(f"{name}: different model ("), row["statement"]
    assert row["prior_predictive"] == "differs", row["statement"]


def test_the_wrong_axis_is_named_from_the_graph(verdicts):
    statement = verdicts.loc["wrong_axis", "statement"]
    assert "offsets sums to zero over predictor" in statement, statement
    # short chains of hierarchical models may mix poorly (then: unreliable, with what the comparison reads)
    verdict = verdicts.loc["wrong_axis", "posterior_verdict"]
    assert verdict == "disagrees" or (verdict == "unreliable" and "it would read: posteriors disagree" in statement), (
        statement)
    assert verdicts.loc["wrong_axis", "model_verdict"] == "different model", statement
    assert verdicts.loc["wrong_axis", "response_verdict"] == "disagrees", statement
