"""Compile caches when many jobs start at once: each workflow job has its own, and even fits that
share one cold cache succeed together with the same draws as fits run one at a time."""

import os
import subprocess
import sys

import numpy as np
import yaml
from conftest import ROOT, TEST_CONFIG

from zsneq.models.fit import read_fit

FIT = ROOT / "workflow" / "scripts" / "fit.py"


def test_private_compiledir_is_fresh_keeps_other_flags_and_is_removed(tmp_path):
    """In a fresh process (pytensor must not be imported yet): pytensor compiles into a new empty
    directory of the process's own in TMPDIR, other PYTENSOR_FLAGS are kept, and the directory is
    gone afterwards."""
    code = (
        "import os, pathlib\n"
        "from zsneq.core.io import private_compiledir\n"
        "with private_compiledir() as d:\n"
        "    empty = os.listdir(d) == []\n"
        "    import pytensor\n"
        "    print(d, empty, pytensor.config.base_compiledir == d, pytensor.config.floatX,\n"
        "          d.parent == pathlib.Path(os.environ['TMPDIR']))\n"
        "print(d.exists(), os.environ['PYTENSOR_FLAGS'])\n"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTENSOR_FLAGS": "floatX=float32,base_compiledir=/nonexistent"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300,
                         check=True, cwd=ROOT / "src").stdout.split()
    assert out[1:5] == ["True", "True", "float32", "True"], out
    assert out[5:] == ["False", "floatX=float32,base_compiledir=/nonexistent"], out
    assert not list(tmp_path.iterdir())


def test_fits_started_at_once_on_one_cold_cache_all_succeed_with_the_same_draws(tiny_study, tmp_path):
    """Every variant of the tiny study fitted to the same dataset at the same moment, all in one
    empty compile cache (the worst case: a cache shared by jobs that start together)."""
    data = tiny_study / "results/data/tiny/rep0.parquet"
    cache = tmp_path / "cache"
    env = {**os.environ, "PYTENSOR_FLAGS": f"base_compiledir={cache}"}
    variants = yaml.safe_load(TEST_CONFIG.read_text())["variants"]
    procs = {
        v: subprocess.Popen([sys.executable, str(FIT), "--config", str(TEST_CONFIG), "--variant", v,
                             "--data", str(data), "--out", str(tmp_path / f"{v}.nc")],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for v in variants
    }
    logs = {v: p.communicate(timeout=1200)[0] for v, p in procs.items()}
    assert {v: p.returncode for v, p in procs.items()} == dict.fromkeys(variants, 0), logs
    assert any(cache.glob("compiledir_*")), "the fits did not use the shared cache"
    for v in variants:
        fit = read_fit(tmp_path / f"{v}.nc")
        assert fit.attrs["status"] == "ok", logs[v]
        alone = read_fit(tiny_study / f"results/fits/tiny/{v}/rep0.nc")  # fitted by the workflow, one per job
        for name, var in fit["posterior"].data_vars.items():
            assert np.array_equal(var.values, alone["posterior"][name].values), (v, name)


def test_configured_compile_cache_is_kept_and_reused(tiny_study, tmp_path):
    """With ``sampler.compile_cache`` a fit stores its compiled model there (numba's cache on), and a
    second fit of the same model loads it from there."""
    cache = tmp_path / "compile-cache"
    config = yaml.safe_load(TEST_CONFIG.read_text())
    config["sampler"]["compile_cache"] = str(cache)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    data = tiny_study / "results/data/tiny/rep0.parquet"
    counts = []
    for i in range(2):
        subprocess.run([sys.executable, str(FIT), "--config", str(path), "--variant", "vectorized_fixed+marginal",
                        "--data", str(data), "--out", str(tmp_path / f"fit{i}.nc")],
                       capture_output=True, text=True, timeout=1200, check=True)
        fit = read_fit(tmp_path / f"fit{i}.nc")
        assert fit.attrs["status"] == "ok" and fit.attrs["numba_cache"] == 1
        counts.append(len(list(cache.rglob("*.nbi"))))  # numba's cache index files
    assert counts[0] > 0, "the first fit left nothing in the configured cache"
    assert counts[1] == counts[0], "the second fit compiled new functions instead of loading the cached ones"
