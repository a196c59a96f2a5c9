"""Resume after a kill, bitwise determinism, and minimal re-runs after edits.

Which jobs an edit re-runs is read from Snakemake's own dry run (``snakemake -n``) on a copy of
the finished tiny study.
"""

import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import (
    ROOT,
    SMALL_CONFIG,
    TEST_CONFIG,
    copy_workflow,
    logged_jobs,
    module_snakemake,
    result_files,
    run_snakemake,
    write_session_config,
)

from zsneq.core.figures import FIGURES
from zsneq.models.fit_file import read_fit
from zsneq.models.variants import parse_variant

pytestmark = pytest.mark.e2e  # runs the workflow on a study

SCRIPTS = ROOT / "workflow" / "scripts"
AGGREGATES = {"summarize", "verdicts", "calibrate", "report", "all"} | {f"plot_{f.name}" for f in FIGURES}


def planned_jobs(workdir: Path, config: Path = TEST_CONFIG) -> list[tuple[str, str]]:
    """(rule, first output) of every job a dry run says would run."""
    return list(logged_jobs(run_snakemake(workdir, "-n", config=config).stdout).values())


def study_copy(tiny_study: Path, dest: Path) -> Path:
    """A copy of the finished tiny study (results, logs, Snakemake's metadata), modification times kept."""
    shutil.copytree(tiny_study, dest, symlinks=True)
    return dest


def _append(path: Path, text: str) -> None:
    time.sleep(0.01)  # a strictly newer modification time than the outputs'
    with path.open("a") as fh:
        fh.write(text)


def test_finished_study_has_nothing_to_do(tiny_study, tmp_path):
    assert planned_jobs(study_copy(tiny_study, tmp_path / "s")) == []


def test_editing_the_report_template_reruns_only_the_report(tiny_study, tmp_path):
    work = study_copy(tiny_study, tmp_path / "s")
    _append(work / "src/zsneq/presentation/templates/index.html.j2", "\n{# an edit #}\n")
    assert sorted(rule for rule, _ in planned_jobs(work)) == ["all", "report"]


def test_editing_one_variant_reruns_only_its_fits_and_what_depends_on_them(tiny_study, tmp_path):
    work = study_copy(tiny_study, tmp_path / "s")
    _append(work / "src/zsneq/models/variants/vectorized_fixed.py", "\n# an edit\n")
    jobs = planned_jobs(work)
    per_variant = {(rule, out) for rule, out in jobs if rule not in AGGREGATES}
    config = yaml.safe_load(TEST_CONFIG.read_text())
    own = [v for v in config["variants"] if parse_variant(v).module == "vectorized_fixed"]  # e.g. with axis values
    assert len(own) >= 2
    assert {out for rule, out in per_variant if rule == "fit"} == {
        f"results/fits/{s}/{v}/rep{r}.nc" for v in own for s, r in (("tiny", 0), ("tiny", 1), ("twopred", 0))}
    # the prior predictive's power is estimated against alternatives built from vectorized_fixed, and every
    # prior-predictive result states it: those re-run too, nothing else of other variants
    power = {"prior_predictive_power", "prior_predictive"}
    assert all(Path(out).parts[3].removesuffix(".json").removesuffix(".posterior") in own
               for rule, out in per_variant if rule not in power), per_variant
    assert {rule for rule, out in per_variant if rule == "prior_predictive_power"}, per_variant
    assert "simulate" not in {rule for rule, _ in jobs}


def test_changing_one_scenario_reruns_only_that_scenario(tiny_study, tmp_path):
    work = study_copy(tiny_study, tmp_path / "s")
    config = yaml.safe_load(TEST_CONFIG.read_text())
    config["scenarios"]["twopred"]["sigma"] = 0.6
    edited = work / "edited.yaml"
    edited.write_text(yaml.safe_dump(config))
    jobs = planned_jobs(work, config=edited)
    per_scenario = [(rule, out) for rule, out in jobs if rule not in AGGREGATES]
    assert ("simulate", "results/data/twopred/rep0.parquet") in per_scenario
    assert {out for rule, out in per_scenario if rule == "fit"} == {
        f"results/fits/twopred/{v}/rep0.nc" for v in config["variants"]}
    assert all("/twopred/" in out or out.endswith("/twopred.json") for _, out in per_scenario), per_scenario


def test_changing_sampler_settings_reruns_every_fit_but_no_simulation(tiny_study, tmp_path):
    work = study_copy(tiny_study, tmp_path / "s")
    config = yaml.safe_load(TEST_CONFIG.read_text())
    config["sampler"]["draws"] += 20
    edited = work / "edited.yaml"
    edited.write_text(yaml.safe_dump(config))
    jobs = planned_jobs(work, config=edited)
    n_fits = sum(sc["replicates"] for sc in config["scenarios"].values()) * len(config["variants"])
    assert sum(rule == "fit" for rule, _ in jobs) == n_fits
    assert "simulate" not in {rule for rule, _ in jobs}


# --- resume after SIGKILL, and bitwise determinism across runs -----------------------------------

def test_the_benchmark_is_planned_only_when_its_tables_exist(tmp_path):
    """results/benchmark/ is written by hand (scripts/benchmarks/likelihoods.py); the workflow plots and reports it if present."""
    work = copy_workflow(tmp_path)
    assert "plot_benchmark" not in {rule for rule, _ in planned_jobs(work)}
    (work / "results/benchmark").mkdir(parents=True)
    (work / "results/benchmark/fits.csv").write_text("variant\n")
    assert ("plot_benchmark", "results/figures/benchmark.svg") in planned_jobs(work)


def _n_datasets(config: Path) -> int:
    return sum(sc["replicates"] for sc in yaml.safe_load(config.read_text())["scenarios"].values())


def _n_fits(config: Path) -> int:
    return _n_datasets(config) * len(yaml.safe_load(config.read_text())["variants"])


def test_resume_runs_only_unfinished_jobs(small_module_study):
    """The small study, killed once a fit had finished, unlocked and run again (conftest's
    ``small_module_study``): nothing finished is redone, and then nothing is left to do."""
    workdir, finished, log = small_module_study.project, small_module_study.finished, small_module_study.log
    assert any(p.startswith("results/fits/") for p in finished)
    assert sum(p.startswith("results/fits/") for p in finished) < _n_fits(SMALL_CONFIG)  # killed during fitting
    after = result_files(workdir)
    assert {p: after[p] for p in finished} == finished  # nothing finished was redone
    rerun = {out for _, out in logged_jobs(log).values()}
    assert any(p.startswith("results/fits/") for p in rerun)
    assert not rerun & set(finished)
    assert "Nothing to be done" in module_snakemake(workdir, "-n").stdout


def test_two_runs_give_bitwise_identical_data_and_draws(small_module_study, tiny_study):
    """The killed-and-resumed run against the clean one (the tiny study, another process and another
    config holding the same scenario and variants): the same datasets and posterior draws."""
    workdir = small_module_study.project
    data = sorted(p.relative_to(workdir) for p in (workdir / "results/data").rglob("*.parquet"))
    fits = sorted(p.relative_to(workdir) for p in (workdir / "results/fits").rglob("*.nc"))
    assert len(data) == 2 * _n_datasets(SMALL_CONFIG) and len(fits) == _n_fits(SMALL_CONFIG)  # data + truth
    for rel in data:
        pd.testing.assert_frame_equal(pd.read_parquet(workdir / rel), pd.read_parquet(tiny_study / rel),
                                      check_exact=True)
    for rel in fits:
        a, b = read_fit(workdir / rel), read_fit(tiny_study / rel)
        for group in ("posterior", "sample_stats"):
            for name, var in a[group].data_vars.items():
                if var.dtype.kind in "fiub":  # numbers; wall-clock stats, if any, are not draws
                    assert np.array_equal(var.values, b[group][name].values, equal_nan=var.dtype.kind == "f"), (rel, group, name)  # NaN: no divergence


def test_draws_do_not_depend_on_what_a_previous_job_left_in_the_compile_cache(tmp_path, tiny_study):
    """The same fit twice in fresh processes, from the compile cache the study's jobs left (the
    session's): identical draws, and the draws of the study's own job."""
    data = tiny_study / "results/data/tiny/rep0.parquet"
    config = write_session_config(tmp_path / "config.yaml")  # not the default .cache/compile under the cwd
    for k in (1, 2):
        subprocess.run([sys.executable, str(SCRIPTS / "fit.py"), "--config", str(config), "--variant",
                        "vectorized_fixed", "--data", str(data), "--out", str(tmp_path / f"{k}.nc")],
                       check=True, capture_output=True, timeout=900, cwd=tmp_path)
    a, b = read_fit(tmp_path / "1.nc"), read_fit(tmp_path / "2.nc")
    assert np.array_equal(a["posterior"]["beta"].values, b["posterior"]["beta"].values)
    reference = read_fit(tiny_study / "results/fits/tiny/vectorized_fixed/rep0.nc")
    assert np.array_equal(a["posterior"]["beta"].values, reference["posterior"]["beta"].values)
