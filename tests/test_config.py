"""The shipped configs validate; bad configs are rejected with a message naming the key."""

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from snakemake.exceptions import WorkflowError

from zsneq.variants import VARIANTS
from zsneq.workflow import SCHEMA, ConfigError, load_config

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "config" / "config.yaml"


@pytest.mark.parametrize("path", [DEFAULT, ROOT / ".test" / "config" / "config.yaml",
                                  ROOT / "config" / "calibration.yaml"])
def test_shipped_configs_validate(path):
    config = load_config(path)
    assert config["reference_variant"] in config["variants"]


def test_default_config_is_the_thread_study():
    config = load_config(DEFAULT)
    assert config["scenarios"]["seed"] == {
        "groups": 1000, "rows_per_group": 200, "beta": [1.0, 1.2, 0.8], "tau": [10.0, 12.0, 8.0],
        "sigma": 100.0, "seed": 42, "replicates": 1, "batch_size": 1, "truth": "fixed",  # defaults filled in
    }
    assert config["variants"][:3] == ["nonvectorized", "vectorized_as_posted", "vectorized_fixed"]
    assert config["sampler"] == {"chains": 4, "tune": 1000, "draws": 1000, "seed": 1}


def test_unknown_variant_lists_the_known_ones(tmp_path):
    config = yaml.safe_load(DEFAULT.read_text())
    config["variants"] = ["nonvectorized", "bogus_variant"]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(config))
    with pytest.raises(ConfigError, match="bogus_variant.*known variants: " + ", ".join(VARIANTS)):
        load_config(path)


def test_config_readme_documents_every_schema_key():
    readme = (ROOT / "config" / "README.md").read_text()
    schema = yaml.safe_load(SCHEMA.read_text())["properties"]
    keys = [*schema, *schema["scenarios"]["additionalProperties"]["properties"], *schema["sampler"]["properties"],
            *schema["calibration"]["properties"]]
    missing = [k for k in keys if f"`{k}`" not in readme]
    assert not missing


BAD = [
    ("groups", lambda c: c["scenarios"]["seed"].update(groups=1)),
    ("rows_per_group", lambda c: c["scenarios"]["seed"].update(rows_per_group=0)),
    ("sigma", lambda c: c["scenarios"]["seed"].update(sigma=-1.0)),
    ("tau", lambda c: c["scenarios"]["seed"].update(tau=[10.0, 0.0, 8.0])),
    ("replicates", lambda c: c["scenarios"]["seed"].update(replicates=0)),
    ("banana", lambda c: c["scenarios"]["seed"].update(banana=1)),
    ("chains", lambda c: c["sampler"].update(chains=0)),
    ("extra_top", lambda c: c.update(extra_top=1)),
]


@pytest.mark.parametrize(("key", "mutate"), BAD, ids=[b[0] for b in BAD])
def test_schema_rejects_bad_config(key, mutate, tmp_path):
    config = copy.deepcopy(yaml.safe_load(DEFAULT.read_text()))
    mutate(config)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(config))
    with pytest.raises(WorkflowError, match=key):
        load_config(path)


def test_beta_tau_length_mismatch_is_named(tmp_path):
    config = yaml.safe_load(DEFAULT.read_text())
    config["scenarios"]["seed"]["tau"] = [10.0, 12.0]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(config))
    with pytest.raises(ConfigError, match="scenarios.seed: beta has 3 entries but tau has 2"):
        load_config(path)


def test_snakemake_refuses_bad_config_before_running(tmp_path):
    config = yaml.safe_load(DEFAULT.read_text())
    config["scenarios"]["seed"]["groups"] = 1
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(config))
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--configfile", str(path),
         "--replace-workflow-config"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode != 0
    assert "groups" in proc.stderr + proc.stdout
    assert "minimum" in proc.stderr + proc.stdout


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda c: c["scenarios"]["seed"].update(truth="prior", predictors=2),
     "scenarios.seed: beta, tau, sigma must not be given with truth: prior"),
    (lambda c: c["scenarios"]["seed"].update(predictors=2), "scenarios.seed.predictors: only for truth: prior"),
    (lambda c: c.update(calibration={"rank_draws": 5000}), "calibration.rank_draws: 5000 is more than the 4000"),
], ids=["prior_with_beta", "predictors_with_fixed", "rank_draws"])
def test_calibration_settings_are_checked(tmp_path, mutate, message):
    config = yaml.safe_load(DEFAULT.read_text())
    mutate(config)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(config))
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_prior_scenario_needs_predictors(tmp_path):
    config = yaml.safe_load(DEFAULT.read_text())
    config["scenarios"]["seed"] = {"truth": "prior", "groups": 5, "rows_per_group": 3, "seed": 1}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(config))
    with pytest.raises(WorkflowError, match="predictors"):
        load_config(path)
