"""Bad input gives one clear message; bad files name themselves; failures leave nothing partial and are listed."""

import copy
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml
from conftest import ROOT, TEST_CONFIG

from zsneq.analysis.summarize import fit_record, fit_table, summarize_fit
from zsneq.core.dataset import DataError, read_dataset, read_truth
from zsneq.core.io import atomic_path
from zsneq.models.fit_file import error_line, failed_fit, fit_status, read_fit, write_fit
from zsneq.models.variants import VARIANTS
from zsneq.presentation.report import render, variant_table
from zsneq.simulation.generator import simulate

SCRIPTS = ROOT / "workflow" / "scripts"
TEMPLATE = ROOT / "src" / "zsneq" / "presentation" / "templates" / "index.html.j2"
# Lines Snakemake prints for every run, bad config or not.
INFO_LINES = ("Using workflow specific profile", "Config file config/config.yaml is replaced")


# --- 1. config validation: one line naming the key and the rule, no traceback -------------------

def _set(path, value):
    def mutate(c):
        *parents, last = path.split(".")
        node = c
        for p in parents:
            node = node[p]
        node[last] = value
    return mutate


def _drop(path):
    def mutate(c):
        *parents, last = path.split(".")
        node = c
        for p in parents:
            node = node[p]
        del node[last]
    return mutate


def _rename_scenario(c):
    c["scenarios"]["my scenario"] = c["scenarios"].pop("twopred")


BAD_CONFIGS = {  # id: (mutation, expected error line after "config error: ")
    "groups<2": (_set("scenarios.tiny.groups", 1), "scenarios.tiny.groups: 1 is less than the minimum of 2"),
    "rows<1": (_set("scenarios.tiny.rows_per_group", 0),
               "scenarios.tiny.rows_per_group: 0 is less than the minimum of 1"),
    "groups-type": (_set("scenarios.tiny.groups", "many"), "scenarios.tiny.groups: 'many' is not of type 'integer'"),
    "tau<=0": (_set("scenarios.tiny.tau", [1.0, 0.0, 0.8]),
               "scenarios.tiny.tau.1: 0.0 is less than or equal to the minimum of 0"),
    "sigma<=0": (_set("scenarios.twopred.sigma", -1.0),
                 "scenarios.twopred.sigma: -1.0 is less than or equal to the minimum of 0"),
    "sigma-nan": (_set("scenarios.twopred.sigma", float("nan")), "scenarios.twopred.sigma: nan is not finite"),
    "beta-inf": (_set("scenarios.tiny.beta", [1.0, float("inf"), 0.8]),
                 "scenarios.tiny.beta: [1.0, inf, 0.8] is not finite"),
    "beta-empty": (_set("scenarios.tiny.beta", []), "scenarios.tiny.beta: [] should be non-empty"),
    "seed<0": (_set("scenarios.tiny.seed", -1), "scenarios.tiny.seed: -1 is less than the minimum of 0"),
    "replicates<1": (_set("scenarios.tiny.replicates", 0),
                     "scenarios.tiny.replicates: 0 is less than the minimum of 1"),
    "sigma-missing": (_drop("scenarios.tiny.sigma"), "scenarios.tiny: 'sigma' is a required property"),
    "beta-tau-length": (_set("scenarios.tiny.tau", [1.0, 1.5]),
                        "scenarios.tiny: beta has 3 entries but tau has 2; they must have one entry per predictor"),
    "unknown-scenario-key": (_set("scenarios.tiny.banana", 1),
                             "scenarios.tiny: Additional properties are not allowed ('banana' was unexpected)"),
    "unknown-top-key": (_set("sampler_settings", {}),
                        "config: Additional properties are not allowed ('sampler_settings' was unexpected)"),
    "sampler-typo": (_set("sampler.draw", 10), "sampler: Additional properties are not allowed ('draw' was unexpected)"),
    "chains<1": (_set("sampler.chains", 0), "sampler.chains: 0 is less than the minimum of 1"),
    "tune<0": (_set("sampler.tune", -5), "sampler.tune: -5 is less than the minimum of 0"),
    "scenario-name": (_rename_scenario, "scenarios: 'my scenario' does not match '^[A-Za-z0-9][A-Za-z0-9_-]*$'"),
    "no-scenarios": (_set("scenarios", {}), "scenarios: {} should be non-empty"),
    "no-variants": (_set("variants", []), "variants: [] should be non-empty"),
    "unknown-variant": (_set("variants", ["nonvectorized", "bogus"]),
                        f"variants: unknown variant(s) ['bogus']; known variants: {', '.join(VARIANTS)}"),
    "reference-not-listed": (_set("reference_variant", "vectorized_dims"),
                             "reference_variant: 'vectorized_dims' is not among variants "
                             "['nonvectorized', 'vectorized_as_posted', 'vectorized_fixed', 'vectorized_fixed+marginal']"),
    "unknown-axis-value": (_set("variants", ["nonvectorized", "vectorized_fixed+fast"]),
                           "variants: variant 'vectorized_fixed+fast': unknown axis value 'fast' (known values: "
                           "likelihood: rowwise, sufficient, marginal; parametrization: noncentered, centered)"),
    "unsupported-axis-value": (_set("variants", ["nonvectorized", "vectorized_as_posted+marginal"]),
                               "variants: variant 'vectorized_as_posted+marginal': module vectorized_as_posted does "
                               "not support likelihood 'marginal' (it supports: rowwise, sufficient)"),
    "same-model-twice": (_set("variants", ["nonvectorized", "vectorized_fixed", "vectorized_fixed+rowwise"]),
                         "variants: 'vectorized_fixed' and 'vectorized_fixed+rowwise' name the same model; list it once"),
}


# `snakemake -n` exactly as from a shell, but forked from one process that has imported Snakemake
# once (the import is most of a dry-run's time): each child runs the command-line entry point.
FORKED_CLI = r"""
import os, sys, traceback
import snakemake.cli

for out, *argv in (line.split("\t") for line in sys.stdin.read().splitlines()):
    pid = os.fork()
    if pid == 0:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        code = 0
        try:
            snakemake.cli.main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if isinstance(exc.code, str):
                print(exc.code, file=sys.stderr)
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    with open(out + ".rc", "w") as fh:
        fh.write(str(os.waitstatus_to_exitcode(status)))
"""
DRY_RUN = ["-n", "--cores", "1", "--replace-workflow-config", "--configfile"]
REAL_SUBPROCESS = ["groups<2", "unknown-variant"]  # also run as separate processes: the harness changes nothing


@pytest.fixture(scope="module")
def bad_config_runs(tmp_path_factory):
    """`snakemake -n` on every bad config: id -> (exit code, output lines other than the usual info lines)."""
    base = yaml.safe_load(TEST_CONFIG.read_text())
    tmp = tmp_path_factory.mktemp("badconfig")
    jobs = []
    for case, (mutate, _) in BAD_CONFIGS.items():
        config = copy.deepcopy(base)
        mutate(config)
        path = tmp / f"{len(jobs)}.yaml"
        path.write_text(yaml.safe_dump(config))
        jobs.append((case, path))
    lines = "\n".join("\t".join([str(path.with_suffix(".out")), *DRY_RUN, str(path)]) for _, path in jobs)
    subprocess.run([sys.executable, "-c", FORKED_CLI], input=lines, cwd=ROOT, text=True, check=True, timeout=600)

    def relevant(text):
        return [ln for ln in text.splitlines() if ln.strip() and not ln.startswith(INFO_LINES)]

    runs = {case: (int(path.with_suffix(".out.rc").read_text()), relevant(path.with_suffix(".out").read_text()))
            for case, path in jobs}
    for case, path in jobs:
        if case in REAL_SUBPROCESS:
            proc = subprocess.run([sys.executable, "-m", "snakemake", *DRY_RUN, str(path)], cwd=ROOT,
                                  capture_output=True, text=True, timeout=300)
            runs[f"{case} (own process)"] = (proc.returncode, relevant(proc.stdout + proc.stderr))
    return runs


@pytest.mark.parametrize("case", [*BAD_CONFIGS, *[f"{c} (own process)" for c in REAL_SUBPROCESS]])
def test_bad_config_gives_one_line_naming_key_and_rule(case, bad_config_runs):
    returncode, lines = bad_config_runs[case]
    assert returncode != 0
    assert lines == [f"config error: {BAD_CONFIGS[case.removesuffix(' (own process)')][1]}"]


# --- 2. bad data files: DataError naming the file and the problem --------------------------------

def _frame():
    frame, truth = simulate(4, 5, [1.0, -1.0], [0.5, 0.7], 1.0, np.random.default_rng(3))
    return frame, truth


def _write(frame, path):
    frame.to_parquet(path, index=False)
    return path


def _truncate(path, keep=0.5):
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def _dataset_nan(tmp):
    f = _frame()[0]
    f.loc[3, "y"] = np.nan
    return _write(f, tmp / "d.parquet")


def _dataset_inf(tmp):
    f = _frame()[0]
    f.loc[1, "x2"] = np.inf
    return _write(f, tmp / "d.parquet")


BAD_DATASETS = {  # id: (make file, expected message after "<path>: ")
    "missing": (lambda tmp: tmp / "d.parquet", "dataset file does not exist"),
    "directory": (lambda tmp: (tmp / "d.parquet").mkdir() or tmp / "d.parquet", "dataset file does not exist"),
    "not-parquet": (lambda tmp: (tmp / "d.parquet").write_text("group,y,x1\n0,1,2\n") and tmp / "d.parquet",
                    "cannot read dataset Parquet file"),
    "truncated": (lambda tmp: _truncate(_write(_frame()[0], tmp / "d.parquet")), "cannot read dataset Parquet file"),
    "empty-file": (lambda tmp: (tmp / "d.parquet").write_bytes(b"") or tmp / "d.parquet",
                   "cannot read dataset Parquet file"),
    "nan-y": (_dataset_nan, "non-finite values (NaN or inf) in column(s) ['y']"),
    "inf-x2": (_dataset_inf, "non-finite values (NaN or inf) in column(s) ['x2']"),
    "no-y": (lambda tmp: _write(_frame()[0].drop(columns="y"), tmp / "d.parquet"),
             "expected columns 'group', 'y' and x1..xP, found ['group', 'x1', 'x2']"),
    "no-predictors": (lambda tmp: _write(_frame()[0][["group", "y"]], tmp / "d.parquet"),
                      "expected columns 'group', 'y' and x1..xP, found ['group', 'y']"),
    "renamed-columns": (lambda tmp: _write(_frame()[0].rename(columns={"group": "g"}), tmp / "d.parquet"),
                        "expected columns 'group', 'y' and x1..xP"),
    "no-rows": (lambda tmp: _write(_frame()[0].iloc[:0], tmp / "d.parquet"), "the dataset has no rows"),
    "text-y": (lambda tmp: _write(_frame()[0].assign(y="a"), tmp / "d.parquet"),
               "columns 'y' and x1, x2 must be numeric"),
    "missing-group": (lambda tmp: _write(_frame()[0].assign(group=[None] + [1] * 19), tmp / "d.parquet"),
                      "missing values in column 'group'"),
}


@pytest.mark.parametrize("case", list(BAD_DATASETS))
def test_bad_dataset_names_file_and_problem(case, tmp_path):
    make, message = BAD_DATASETS[case]
    path = make(tmp_path)
    with pytest.raises(DataError) as err:
        read_dataset(path)
    assert str(err.value).startswith(f"{path}: {message}")


def _truth_without_sigma(tmp):
    t = _frame()[1].to_frame()
    return _write(t[t["parameter"] != "sigma"], tmp / "t.parquet")


BAD_TRUTHS = {
    "missing": (lambda tmp: tmp / "t.parquet", "truth file does not exist"),
    "truncated": (lambda tmp: _truncate(_write(_frame()[1].to_frame(), tmp / "t.parquet")),
                  "cannot read truth Parquet file"),
    "no-value-column": (lambda tmp: _write(_frame()[1].to_frame().drop(columns="value"), tmp / "t.parquet"),
                        "truth table lacks column(s) ['value']"),
    "no-sigma-row": (_truth_without_sigma, "malformed truth table (KeyError: 'sigma')"),
    "nan-value": (lambda tmp: _write(_frame()[1].to_frame().assign(value=np.nan), tmp / "t.parquet"),
                  "truth table is empty or has non-finite values"),
    "a-dataset-instead": (lambda tmp: _write(_frame()[0], tmp / "t.parquet"), "truth table lacks column(s)"),
}


@pytest.mark.parametrize("case", list(BAD_TRUTHS))
def test_bad_truth_names_file_and_problem(case, tmp_path):
    make, message = BAD_TRUTHS[case]
    path = make(tmp_path)
    with pytest.raises(DataError) as err:
        read_truth(path)
    assert str(err.value).startswith(f"{path}: {message}")


def test_good_truth_reads_back(tmp_path):
    truth = _frame()[1]
    back = read_truth(_write(truth.to_frame(), tmp_path / "t.parquet"))
    assert back.top_level() == truth.top_level()


def synthetic_fit(*, divergent=(), stuck_chain=False, variant="vectorized_fixed", scenario="s", rep=0) -> xr.DataTree:
    """A fit-shaped tree (2 chains x 200 draws); ``stuck_chain`` shifts chain 1 so r_hat is large."""
    rng = np.random.default_rng(0)
    predictors = ["x1", "x2"]
    beta = rng.normal(size=(2, 200, 2))
    if stuck_chain:
        beta[1] += 5.0
    diverging = np.zeros((2, 200), dtype=bool)
    diverging.flat[list(divergent)] = True
    tree = xr.DataTree.from_dict({
        "posterior": xr.Dataset({
            "beta": (("chain", "draw", "predictor"), beta),
            "tau": (("chain", "draw", "predictor"), np.exp(rng.normal(size=(2, 200, 2)))),
            "sigma": (("chain", "draw"), np.exp(rng.normal(size=(2, 200)))),
        }, coords={"chain": [0, 1], "draw": np.arange(200), "predictor": predictors}),
        "sample_stats": xr.Dataset({"diverging": (("chain", "draw"), diverging)},
                                   coords={"chain": [0, 1], "draw": np.arange(200)}),
    })
    tree.attrs = {"status": "ok", "variant": variant, "predictors": json.dumps(predictors), "scenario": scenario,
                  "rep": rep, "compile_seconds": 1.0, "sampling_seconds": 2.0, "dataset": "d.parquet"}
    return tree


@pytest.fixture
def fit_file(tmp_path) -> Path:
    path = tmp_path / "rep0.nc"
    write_fit(synthetic_fit(), path)
    return path


def test_read_fit_round_trip(fit_file):
    tree = read_fit(fit_file)
    assert fit_status(tree) == "ok" and set(tree.children) == {"posterior", "sample_stats"}


def _strip_attr(path, attr):
    tree = read_fit(path)
    del tree.attrs[attr]
    tree.to_netcdf(path, engine="h5netcdf")
    return path


def _drop_group(path, group):
    tree = read_fit(path)
    tree = xr.DataTree.from_dict({"posterior": tree["posterior"].to_dataset()}, name=None)
    tree.attrs = {"status": "ok", "variant": "vectorized_fixed"}
    tree.to_netcdf(path, engine="h5netcdf")
    return path


BAD_FITS = {
    "missing": (lambda p: p.with_name("nothere.nc"), "fit file does not exist"),
    "truncated": (lambda p: _truncate(p), "cannot read NetCDF fit"),
    "truncated-header": (lambda p: _truncate(p, keep=0.01), "cannot read NetCDF fit"),
    "not-netcdf": (lambda p: p.write_text("hello") and p, "cannot read NetCDF fit"),
    "no-variant": (lambda p: _strip_attr(p, "variant"), "not a fit file (no variant attribute)"),
    "no-sample-stats": (lambda p: _drop_group(p, "sample_stats"), "fit file lacks group(s) ['sample_stats']"),
}


@pytest.mark.parametrize("case", list(BAD_FITS))
def test_bad_fit_file_names_file_and_problem(case, fit_file):
    make, message = BAD_FITS[case]
    path = make(fit_file)
    with pytest.raises(DataError) as err:
        read_fit(path)
    assert str(err.value).startswith(f"{path}: {message}")


# --- atomic writes: a failure inside leaves nothing behind ---------------------------------------

def test_atomic_path_leaves_nothing_on_failure(tmp_path):
    out = tmp_path / "sub" / "out.parquet"
    with pytest.raises(RuntimeError, match="boom"):
        with atomic_path(out) as tmp:
            tmp.write_bytes(b"partial")
            raise RuntimeError("boom")
    assert list(out.parent.iterdir()) == []


def test_atomic_path_keeps_previous_output_on_failure_and_removes_stale_temporaries(tmp_path):
    out = tmp_path / "out.txt"
    out.write_text("old")
    stale = tmp_path / ".out.txt.abc123.tmp"  # what a SIGKILLed writer leaves
    stale.write_text("partial")
    other = tmp_path / ".other.txt.abc123.tmp"  # another output's temporary: not ours to remove
    other.write_text("x")
    with pytest.raises(KeyError):
        with atomic_path(out) as tmp:
            tmp.write_text("new, partial")
            raise KeyError("x")
    assert out.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.txt.abc123.tmp", "out.txt"]
    with atomic_path(out) as tmp:
        tmp.write_text("new")
    assert out.read_text() == "new"


def _script(name, *args, cwd):
    return subprocess.run([sys.executable, str(SCRIPTS / name), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def test_scripts_outside_snakemake_fail_clearly_and_leave_nothing(tmp_path, fit_file):
    """The command-line entry points: a bad input file is named in the error, and no output is left."""
    out_dir = tmp_path / "out"
    bad_fit = _truncate(fit_file)
    proc = _script("summarize.py", "--out", out_dir / "summary.parquet", "--fits-out", out_dir / "fits.parquet",
                   "--fits", bad_fit, "--truths", tmp_path / "rep0.truth.parquet", cwd=tmp_path)
    assert proc.returncode != 0
    assert f"DataError: {bad_fit}: cannot read NetCDF fit" in proc.stderr
    assert not out_dir.exists() or list(out_dir.iterdir()) == []

    bad_data = _dataset_nan(tmp_path)
    proc = _script("fit.py", "--config", TEST_CONFIG, "--variant", "nonvectorized", "--data", bad_data,
                   "--out", out_dir / "fit.nc", cwd=tmp_path)
    assert proc.returncode != 0
    assert f"DataError: {bad_data}: non-finite values (NaN or inf) in column(s) ['y']" in proc.stderr
    assert not out_dir.exists() or list(out_dir.iterdir()) == []


# --- 3. sampler trouble is recorded and shown; failed fits are recorded and listed ---------------

def test_diagnostics_of_a_failed_fit_say_so(tmp_path):
    """A failed fit gets figures naming the failure instead of stopping the study."""
    from zsneq.presentation.diagnostics import KINDS, save_diagnostics

    tree = failed_fit("vectorized_fixed", RuntimeError("All initialization points failed"), {"rep": 0})
    paths = {kind: tmp_path / f"rep0_{kind}.png" for kind in KINDS}
    save_diagnostics(tree, paths, title="vectorized_fixed")
    assert all(p.stat().st_size > 1000 for p in paths.values())


def test_failed_fit_round_trip(tmp_path):
    try:
        raise RuntimeError("All initialization points failed\n\nCaused by:\n  Logp\n\nStack backtrace:\n 0: <x>")
    except RuntimeError as exc:
        tree = failed_fit("vectorized_fixed", exc, {"scenario": "s", "rep": 1, "dataset": "d.parquet"})
    path = tmp_path / "rep1.nc"
    write_fit(tree, path)
    back = read_fit(path)
    assert fit_status(back) == "failed" and not back.children
    assert back.attrs["error"] == "RuntimeError: All initialization points failed Caused by: Logp"
    record = fit_record(back, str(path))
    assert record["status"] == "failed" and record["variant"] == "vectorized_fixed" and record["rep"] == 1
    assert error_line(ValueError()) == "ValueError"


def test_sampler_trouble_is_recorded_not_hidden(tiny_truth):
    """Divergences and a large r_hat reach the summary, the fit table and the report unchanged."""
    truth = tiny_truth.__class__(beta=tiny_truth.beta[:2], tau=tiny_truth.tau[:2], sigma=tiny_truth.sigma,
                                 beta_g=tiny_truth.beta_g[:, :2], predictors=["x1", "x2"])
    trouble = synthetic_fit(divergent=[3, 250, 399], stuck_chain=True)
    rows = summarize_fit(trouble, truth)
    assert (rows["divergences"] == 3).all()
    beta = rows.set_index("parameter").loc[["beta[x1]", "beta[x2]"]]
    assert (beta["r_hat"] > 1.5).all() and (beta["ess_bulk"] < 50).all()
    fits = fit_table([fit_record(trouble, "a.nc")])
    assert fits["divergences"].tolist() == [3]
    config = {"scenarios": {"s": {"groups": 20, "rows_per_group": 10, "beta": [1, 1], "tau": [1, 1], "sigma": 1,
                                  "seed": 1, "replicates": 1}},
              "variants": ["vectorized_fixed"], "reference_variant": "vectorized_fixed", "sampler": {}}
    html = render(rows, TEMPLATE, config, fits=fits)
    assert "3 divergences" in html
    assert html.count('class="bad"') == (rows["r_hat"] > 1.01).sum() >= 2  # every high r_hat cell is flagged


def test_report_names_failed_fits_with_their_error(tiny_truth):
    truth = tiny_truth.__class__(beta=tiny_truth.beta[:2], tau=tiny_truth.tau[:2], sigma=tiny_truth.sigma,
                                 beta_g=tiny_truth.beta_g[:, :2], predictors=["x1", "x2"])
    ok = synthetic_fit(variant="vectorized_fixed")
    try:
        raise RuntimeError("All initialization points failed")
    except RuntimeError as exc:
        bad = failed_fit("nonvectorized", exc, {"scenario": "s", "rep": 0})
    fits = fit_table([fit_record(ok, "a.nc"), fit_record(bad, "b.nc")])
    config = {"scenarios": {"s": {"groups": 20, "rows_per_group": 10, "beta": [1, 1], "tau": [1, 1], "sigma": 1,
                                  "seed": 1, "replicates": 1}},
              "variants": ["nonvectorized", "vectorized_fixed"], "reference_variant": "nonvectorized",
              "sampler": {}}
    html = render(summarize_fit(ok, truth), TEMPLATE, config, fits=fits)
    assert "1 fit(s) failed" in html
    assert "<code>nonvectorized</code>: RuntimeError: All initialization points failed" in html
    assert "No fit: this variant&#39;s fit is missing" in html or "No fit: this variant's fit is missing" in html
    assert "Failed: <code>RuntimeError: All initialization points failed</code>" in html
    assert pd.isna(fits.set_index("variant").loc["nonvectorized", "divergences"])


def test_report_tells_a_fit_without_parameters_named_alike_from_a_missing_one_and_sigma_from_its_outcome(tiny_truth):
    """A fit that ran but names none of beta, tau, sigma is said to be compared on other evidence, not to be
    missing; a parameter table of a count outcome says that sigma does not apply to it."""
    truth = tiny_truth.__class__(beta=tiny_truth.beta[:2], tau=tiny_truth.tau[:2], sigma=tiny_truth.sigma,
                                 beta_g=tiny_truth.beta_g[:, :2], predictors=["x1", "x2"])
    ok, unnamed = synthetic_fit(variant="vectorized_fixed"), synthetic_fit(variant="nonvectorized")
    fits = fit_table([fit_record(ok, "a.nc"), fit_record(unnamed, "b.nc")])
    config = {"scenarios": {"s": {"groups": 20, "rows_per_group": 10, "beta": [1, 1], "tau": [1, 1], "sigma": 1,
                                  "seed": 1, "replicates": 1}},
              "variants": ["nonvectorized", "vectorized_fixed"], "reference_variant": "nonvectorized",
              "sampler": {}}
    rows = summarize_fit(ok, truth)
    html = render(rows, TEMPLATE, config, fits=fits)  # no rows of nonvectorized's fit
    assert "No parameter table: no variable of this fit matches beta, tau or sigma by name" in html
    assert "fit is missing" not in html
    poisson = {"family": "poisson", "discrete": True}
    assert variant_table(rows[rows["parameter"] != "sigma"], poisson)["note"] == \
        "sigma: does not apply to a poisson outcome (it has no noise sd)"
    assert variant_table(rows, {"family": "normal", "discrete": False})["note"] == ""
