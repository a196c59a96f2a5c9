"""The shipped configs validate; bad configs are rejected with a message naming the key."""

import copy
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from snakemake.exceptions import WorkflowError

from zsneq.core.config import SCHEMA, ConfigError
from zsneq.models.variants import VARIANTS, parse_variant
from zsneq.workflow import load_config

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "config" / "config.yaml"


def _default_with(mutate, tmp_path) -> Path:
    """The default config changed by ``mutate(config)``, written to a file in ``tmp_path``."""
    config = copy.deepcopy(yaml.safe_load(DEFAULT.read_text()))
    mutate(config)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(config))
    return path



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
    # the thread's three models (the reference row-wise, the others with an exact fast likelihood)
    assert [parse_variant(v).module for v in config["variants"][:3]] == [
        "nonvectorized", "vectorized_as_posted", "vectorized_fixed"]
    assert config["variants"][0] == config["reference_variant"] == "nonvectorized"
    assert config["sampler"] == {"chains": 4, "tune": 1000, "draws": 4000, "seed": 1,
                                 "compile_cache": ".cache/compile", "group_draws": "float32"}  # defaults filled in


def test_unknown_variant_lists_the_known_ones(tmp_path):
    path = _default_with(lambda c: c.update(variants=["nonvectorized", "bogus_variant"]), tmp_path)
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
    ("mem_mb", lambda c: c["resources"]["fit"].update(mem_mb=0)),
    ("runtme", lambda c: c["resources"]["default"].update(runtme=5)),
]


@pytest.mark.parametrize(("key", "mutate"), BAD, ids=[b[0] for b in BAD])
def test_schema_rejects_bad_config(key, mutate, tmp_path):
    path = _default_with(mutate, tmp_path)
    with pytest.raises(WorkflowError, match=key):
        load_config(path)


def test_beta_tau_length_mismatch_is_named(tmp_path):
    path = _default_with(lambda c: c["scenarios"]["seed"].update(tau=[10.0, 12.0]), tmp_path)
    with pytest.raises(ConfigError, match="scenarios.seed: beta has 3 entries but tau has 2"):
        load_config(path)


def test_snakemake_refuses_bad_config_before_running(tmp_path):
    path = _default_with(lambda c: c["scenarios"]["seed"].update(groups=1), tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--configfile", str(path),
         "--replace-workflow-config"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode != 0
    assert "groups" in proc.stderr + proc.stdout
    assert "minimum" in proc.stderr + proc.stdout


def _dry_run(config: dict, tmp_path, *args: str) -> subprocess.CompletedProcess:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--cores", "2", "--configfile", str(path), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )


def test_a_config_file_replaces_the_default_study(tmp_path):
    """Without --replace-workflow-config too, which cluster jobs never get: the default study's
    scenario must not creep into a job's inputs."""
    proc = _dry_run(yaml.safe_load((ROOT / ".test" / "config" / "config.yaml").read_text()), tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "results/data/tiny/rep0.parquet" in proc.stdout
    assert "/seed/" not in proc.stdout


def test_an_overlay_without_scenarios_changes_one_setting_of_the_default_study(tmp_path):
    """A file with only ``sampler: {draws: 500}``: the default study, its other sampler settings kept."""
    from zsneq.core.config import default_overlay

    (tmp_path / "overlay.yaml").write_text("sampler: {draws: 500}\n")
    config = default_overlay(yaml.safe_load((tmp_path / "overlay.yaml").read_text()), DEFAULT)
    default = yaml.safe_load(DEFAULT.read_text())
    assert config["sampler"] == {**default["sampler"], "draws": 500}
    assert config["scenarios"] == default["scenarios"] and config["variants"] == default["variants"]
    proc = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--cores", "2", "--configfile",
                           str(tmp_path / "overlay.yaml")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "results/fits/seed/nonvectorized/rep0.nc" in proc.stdout


def test_overlay_lists_replace_and_mappings_merge():
    from zsneq.core.config import merged

    base = {"variants": ["a", "b"], "sampler": {"chains": 4, "draws": 1000}, "x": 1}
    assert merged(base, {"variants": ["c"], "sampler": {"draws": 5}}) == {
        "variants": ["c"], "sampler": {"chains": 4, "draws": 5}, "x": 1}


def test_typed_command_line_values_pass_the_schema(tmp_path):
    """``--config 'sampler={chains: 2}'`` arrives as strings; it is read as YAML, so chains is the integer 2."""
    from zsneq.core.config import typed

    assert typed({"sampler": {"chains": "2", "seed": "1"}, "name": "seed", "flag": "true"}) == {
        "sampler": {"chains": 2, "seed": 1}, "name": "seed", "flag": True}
    proc = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--cores", "2", "--config",
                           "sampler={chains: 2}"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "config error" not in proc.stderr


def test_resources_for_an_unknown_rule_are_refused(tmp_path):
    config = yaml.safe_load(DEFAULT.read_text())
    config["resources"]["fti"] = {"mem_mb": 100}
    proc = _dry_run(config, tmp_path)
    assert proc.returncode != 0
    assert "config error: resources: unknown rule(s) fti; rules: " in proc.stderr


def test_slurm_profile_gives_each_rule_its_configured_resources(tmp_path):
    """A dry run through profiles/slurm: the profile parses, and a fit asks for one CPU per chain
    and its own memory and time, other rules for the defaults."""
    config = yaml.safe_load((ROOT / ".test" / "config" / "config.yaml").read_text())
    config["sampler"]["chains"] = 3
    config["resources"] = {"default": {"mem_mb": 700, "runtime": 7}, "fit": {"mem_mb": 1300}}
    proc = _dry_run(config, tmp_path, "--workflow-profile", "profiles/slurm", "--cores", "8")
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout + proc.stderr
    assert "Using workflow specific profile profiles/slurm" in out
    fits = re.findall(r"rule fit:\n(?:\s+\w+: .*\n)*?\s+resources: (.*)", out)
    simulations = re.findall(r"rule simulate:\n(?:\s+\w+: .*\n)*?\s+resources: (.*)", out)
    assert fits and simulations
    for line in fits:
        assert {"cpus_per_task=3", "mem_mb=1300", "runtime=7"} <= set(line.split(", ")), line
    for line in simulations:
        assert {"mem_mb=700", "runtime=7", "slots=1"} <= set(line.split(", ")), line


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda c: c["scenarios"]["seed"].update(truth="prior", predictors=2),
     "scenarios.seed: beta, tau, sigma must not be given with truth: prior"),
    (lambda c: c["scenarios"]["seed"].update(predictors=2), "scenarios.seed.predictors: only for truth: prior"),
    (lambda c: c.update(calibration={"rank_draws": 40000}), "calibration.rank_draws: 40000 is more than the 16000"),
], ids=["prior_with_beta", "predictors_with_fixed", "rank_draws"])
def test_calibration_settings_are_checked(tmp_path, mutate, message):
    path = _default_with(mutate, tmp_path)
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_prior_scenario_needs_predictors(tmp_path):
    prior = {"truth": "prior", "groups": 5, "rows_per_group": 3, "seed": 1}
    path = _default_with(lambda c: c["scenarios"].update(seed=prior), tmp_path)
    with pytest.raises(WorkflowError, match="predictors"):
        load_config(path)


def _listed_variants(text: str, pattern: str) -> set[str]:
    import re

    return set(re.findall(pattern, text, flags=re.M))


def test_docs_and_config_readme_agree_with_the_code_on_variants_and_axes():
    """The variant list and the axis values are written in config/README.md and docs/methods.md: both must
    name exactly the built-in variants and the axis values the code knows, and the modules said to take
    more than the defaults are exactly those that declare more."""
    import re

    from zsneq.models.variants import AXES, DEFAULTS, VARIANTS, supported_axes

    config_readme = (ROOT / "config" / "README.md").read_text()
    methods = (ROOT / "docs" / "methods.md").read_text()
    assert _listed_variants(config_readme, r"^- `(\w+)` — ") == set(VARIANTS)
    assert _listed_variants(methods, r"^\| `(\w+)` \| ") == set(VARIANTS)
    for axis, values in AXES.items():
        for text in (config_readme, methods):
            row = re.search(rf"^\| {axis} \| (.*?) \|", text, flags=re.M)
            assert row and re.findall(r"`(\w+)`", row.group(1))[:len(values)] == list(values), (axis, row)
    richer = {v for v in VARIANTS if any(supported_axes(v)[a] != (DEFAULTS[a],) for a in AXES)}
    paragraph = config_readme[config_readme.index("A module supports only the defaults"):]
    paragraph = paragraph[:paragraph.index("\n\n")]
    assert set(re.findall(r"`(\w+)`", paragraph)) & set(VARIANTS) == richer
