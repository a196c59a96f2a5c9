"""Resume after a kill, bitwise determinism, and minimal re-runs after edits.

Which jobs an edit re-runs is read from Snakemake's own dry run (``snakemake -n``) on a copy of
the finished tiny study.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, SMALL_CONFIG, TEST_CONFIG, copy_workflow, run_snakemake

from zsneq.core.figures import FIGURES
from zsneq.models.fit_file import read_fit
from zsneq.models.variants import parse_variant

pytestmark = pytest.mark.e2e  # runs the workflow on a study

SCRIPTS = ROOT / "workflow" / "scripts"
AGGREGATES = {"summarize", "verdicts", "calibrate", "report", "all"} | {f"plot_{f.name}" for f in FIGURES}


def logged_jobs(text: str) -> dict[str, tuple[str, str]]:
    """Jobs a Snakemake log (or dry run) lists: jobid -> (rule, first output)."""
    jobs = {}
    for block in re.split(r"\n(?=(?:local)?rule \w+:\n)", text):
        head = re.match(r"(?:local)?rule (\w+):\n", block.lstrip("\n"))
        jobid = re.search(r"^\s+jobid: (\d+)$", block, re.M)
        if head and jobid:
            output = re.search(r"^\s+output: (\S+?),?(?:\s|$)", block, re.M)
            jobs[jobid.group(1)] = (head.group(1), output.group(1) if output else "")
    return jobs


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


def _outputs(workdir: Path) -> dict[str, int]:
    """Finished outputs under results/ (hidden temporaries excluded) -> modification time (ns)."""
    return {str(p.relative_to(workdir)): p.stat().st_mtime_ns
            for p in (workdir / "results").rglob("*") if p.is_file() and not p.name.startswith(".")}


def _n_datasets(config: Path) -> int:
    return sum(sc["replicates"] for sc in yaml.safe_load(config.read_text())["scenarios"].values())


def _n_fits(config: Path) -> int:
    return _n_datasets(config) * len(yaml.safe_load(config.read_text())["variants"])


FINISHED = re.compile(r"Finished jobid: (\d+) \(Rule: (\w+)\)")


@pytest.fixture(scope="module")
def resumed_study(tmp_path_factory):
    """The small study (a subset of the tiny one) killed (SIGKILL, whole process group) once a fit has
    finished, then run again."""
    workdir = copy_workflow(tmp_path_factory.mktemp("resume"))
    cmd = [sys.executable, "-m", "snakemake", "--cores", "2", "--configfile", str(SMALL_CONFIG),
           "--replace-workflow-config"]
    first_log = workdir / "first.log"
    with open(first_log, "w") as log:
        proc = subprocess.Popen(cmd, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 1200
        while not any(rule == "fit" for _, rule in FINISHED.findall(first_log.read_text())):
            assert proc.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "no fit finished in time"
            time.sleep(0.1)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    text = first_log.read_text()
    jobs = logged_jobs(text)
    finished = {jobs[jobid][1] for jobid, rule in FINISHED.findall(text) if rule != "all"}
    mtimes = _outputs(workdir)
    # The killed run could not release its lock; README: `snakemake --unlock`, then the same command.
    # (a dry run does not take the lock, so look for the lock files the killed run left behind)
    assert any((workdir / ".snakemake" / "locks").glob("*.lock")), "the killed run left no lock"
    run_snakemake(workdir, "--unlock", config=SMALL_CONFIG)
    second = run_snakemake(workdir, config=SMALL_CONFIG)
    return workdir, {p: mtimes[p] for p in finished}, second.stdout + second.stderr


def test_resume_runs_only_unfinished_jobs(resumed_study):
    workdir, finished, log = resumed_study
    assert any(p.startswith("results/fits/") for p in finished)
    assert sum(p.startswith("results/fits/") for p in finished) < _n_fits(SMALL_CONFIG)  # killed during fitting
    after = _outputs(workdir)
    assert {p: after[p] for p in finished} == finished  # nothing finished was redone
    rerun = {out for _, out in logged_jobs(log).values()}
    assert any(p.startswith("results/fits/") for p in rerun)
    assert not rerun & set(finished)
    assert "Nothing to be done" in run_snakemake(workdir, "-n", config=SMALL_CONFIG).stdout


def test_two_runs_give_bitwise_identical_data_and_draws(resumed_study, tiny_study):
    """The killed-and-resumed run against the clean one (the tiny study, another process and another
    config holding the same scenario and variants): the same datasets and posterior draws."""
    workdir, _, _ = resumed_study
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
    """The same fit twice in fresh processes sharing one compile directory: identical draws."""
    data = tiny_study / "results/data/tiny/rep0.parquet"
    env = {**os.environ, "PYTENSOR_FLAGS": f"base_compiledir={tmp_path / 'cache'}"}
    for k in (1, 2):
        subprocess.run([sys.executable, str(SCRIPTS / "fit.py"), "--config", str(TEST_CONFIG), "--variant",
                        "vectorized_fixed", "--data", str(data), "--out", str(tmp_path / f"{k}.nc")],
                       check=True, env=env, capture_output=True, timeout=900)
    a, b = read_fit(tmp_path / "1.nc"), read_fit(tmp_path / "2.nc")
    assert np.array_equal(a["posterior"]["beta"].values, b["posterior"]["beta"].values)
    reference = read_fit(tiny_study / "results/fits/tiny/vectorized_fixed/rep0.nc")
    assert np.array_equal(a["posterior"]["beta"].values, reference["posterior"]["beta"].values)
