"""Compile caches: draws are bitwise the same from a cold, a warm, a half-warm and a concurrently
filled cache; fits that start at once on one cold cache all succeed; a configured cache is reused."""

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import ROOT, TEST_CONFIG

from zsneq.models.fit_file import read_fit

FIT = ROOT / "workflow" / "scripts" / "fit.py"
WAITED = "waiting for another process compiling the same model"


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


def test_a_private_compiledir_without_c_code_compiles_none_and_computes_the_same(tmp_path):
    """``private_compiledir(c_code=False)`` (the jobs other than fits): pytensor has no C compiler and runs
    Python code, a function compiles nothing into the directory and gives what the C-compiled one gives,
    and the previous flags are back afterwards."""
    code = (
        "import os, numpy as np\n"
        "from zsneq.core.io import private_compiledir\n"
        "with private_compiledir(c_code=False) as d:\n"
        "    import pytensor, pytensor.tensor as pt\n"
        "    x = pt.vector('x')\n"
        "    f = pytensor.function([x], pt.log1p(pt.exp(x)).sum() + (x ** 2 / 3).sum())\n"
        "    value = float(f(np.linspace(-5, 5, 101)))\n"
        "    print(repr(pytensor.config.cxx), pytensor.config.linker, sum(len(files) for _, _, files in os.walk(d)),\n"
        "          value.hex())\n"
        "print(os.environ['PYTENSOR_FLAGS'])\n"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTENSOR_FLAGS": "floatX=float64"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300,
                         check=True, cwd=ROOT / "src").stdout.split()
    import numpy as np
    import pytensor
    import pytensor.tensor as pt

    assert pytensor.config.cxx, "the test session itself compiles C"
    x = pt.vector("x")
    with_c = pytensor.function([x], pt.log1p(pt.exp(x)).sum() + (x ** 2 / 3).sum())(np.linspace(-5, 5, 101))
    assert out[:3] == ["''", "py", "0"], out
    assert float.fromhex(out[3]) == pytest.approx(float(with_c), rel=1e-14), out
    assert out[4:] == ["floatX=float64"], out


def test_a_compile_lock_makes_a_second_process_wait_for_the_same_model_only(tmp_path, tiny_data):
    """``compile_lock``: while one holds a model's lock, another process asking for the same key waits
    until it is released (and says so), and one asking for another model's key does not wait.
    ``model_key``: the same for a model built twice, different for another variant."""
    from zsneq.models.compilation import compile_lock, model_key
    from zsneq.models.variants import get_variant

    keys = [model_key(get_variant(v).build_model(tiny_data))
            for v in ("vectorized_fixed", "vectorized_fixed", "vectorized_dims")]
    assert keys[0] == keys[1] != keys[2]
    code = (
        "import logging, sys, time\n"
        "from pathlib import Path\n"
        "from zsneq.models.compilation import compile_lock\n"
        "logging.basicConfig(level=logging.INFO, format='%(message)s')\n"
        "t0 = time.monotonic()\n"
        "with compile_lock(Path(sys.argv[1]), sys.argv[2]):\n"
        "    print(f'entered after {time.monotonic() - t0:.1f} s')\n"
    )

    def other(key):
        return subprocess.Popen([sys.executable, "-c", code, str(tmp_path), key], cwd=ROOT / "src", text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    with compile_lock(tmp_path, keys[0]):
        same, different = other(keys[0]), other(keys[2])
        out_different = different.communicate(timeout=120)[0]
        time.sleep(1.0)
        assert same.poll() is None, "the same model's compile did not wait"
    out_same = same.communicate(timeout=120)[0]
    assert WAITED in out_same and "waited" in out_same, out_same
    assert WAITED not in out_different and "entered after" in out_different, out_different
    assert float(out_same.split("entered after ")[1].split()[0]) >= 1.0, out_same


@dataclass(frozen=True)
class ColdStart:
    data: Path  # the dataset they fitted: the tiny study's first
    cache: Path  # the compile cache they all filled
    fits: dict[str, Path]  # fit name -> fit file
    variants: dict[str, str]  # fit name -> its variant
    logs: dict[str, str]  # fit name -> what it printed


@pytest.fixture(scope="module")
def cold_start(tiny_study, tmp_path_factory) -> ColdStart:
    """Every variant of the tiny study, and vectorized_fixed a second time, fitted to the study's first
    dataset at the same moment, all in one empty compile cache (the worst case: a cache shared by jobs
    that start together, compiling models that share operations, two of them the same model)."""
    tmp = tmp_path_factory.mktemp("cold-start")
    cache = tmp / "cache"
    config = config_with_cache(tmp, cache)
    data = tiny_study / "results/data/tiny/rep0.parquet"
    variants = yaml.safe_load(TEST_CONFIG.read_text())["variants"]
    jobs = {v: v for v in variants} | {"vectorized_fixed, again": "vectorized_fixed"}
    fits = {name: tmp / f"fit{i}.nc" for i, name in enumerate(jobs)}
    logs = finish({name: start_fit(config, data, fits[name], variant) for name, variant in jobs.items()})
    return ColdStart(data, cache, fits, jobs, logs)


def test_fits_started_at_once_on_one_cold_cache_all_succeed_with_the_same_draws(cold_start, tiny_study):
    """Each fit of ``cold_start`` succeeds, draws what the workflow's own job drew for its variant and
    dataset, and the cache holds what they compiled. Of the two fits of one model, one compiled it and
    the other waited for that compile and loaded it (``compile_lock``); no other fit waited."""
    assert any(cold_start.cache.rglob("*.nbi")), "the fits did not use the shared cache"
    waited = {name for name, log in cold_start.logs.items() if WAITED in log}
    assert len(waited) == 1 and cold_start.variants[waited.pop()] == "vectorized_fixed", cold_start.logs
    for name, path in cold_start.fits.items():
        fit = read_fit(path)
        assert fit.attrs["status"] == "ok", cold_start.logs[name]
        # fitted by the workflow, one per job
        alone = read_fit(tiny_study / f"results/fits/tiny/{cold_start.variants[name]}/rep0.nc")
        for var_name, var in fit["posterior"].data_vars.items():
            assert np.array_equal(var.values, alone["posterior"][var_name].values), (name, var_name)


def test_configured_compile_cache_is_kept_and_reused(cold_start, tmp_path):
    """With ``sampler.compile_cache`` a fit stores its compiled model there (numba's cache on): after
    ``cold_start`` the cache holds one pair of nutpie callbacks per model, and a later fit of one of
    them loads everything from there, compiling nothing new."""
    def compiled():  # numba's cache: an index per function, a data file per compiled signature
        return sorted(str(p.relative_to(cold_start.cache)) for p in cold_start.cache.rglob("*.nb[ic]"))

    assert all(read_fit(path).attrs["numba_cache"] == 1 for path in cold_start.fits.values())
    for callback in ("logp_numba", "expand_numba"):  # nutpie's C callbacks are cached too (models.nutpie_numba)
        assert len(list(cold_start.cache.rglob(f"*{callback}-*.nbi"))) == len(set(cold_start.variants.values()))
    before = compiled()
    finish({"again": start_fit(config_with_cache(tmp_path, cold_start.cache), cold_start.data, tmp_path / "again.nc",
                               "vectorized_fixed+marginal")})
    fit = read_fit(tmp_path / "again.nc")
    assert fit.attrs["status"] == "ok" and fit.attrs["numba_cache"] == 1
    assert compiled() == before, "the fit compiled new functions instead of loading the cached ones"


def config_with_cache(tmp_path, cache) -> os.PathLike:
    """The test config with ``sampler.compile_cache: cache`` (None: a private cache per fit), written to tmp_path."""
    config = yaml.safe_load(TEST_CONFIG.read_text())
    config["sampler"]["compile_cache"] = None if cache is None else str(cache)
    path = tmp_path / f"config-{'private' if cache is None else cache.name}.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def start_fit(config, data, out, variant="vectorized_fixed") -> subprocess.Popen:
    """``workflow/scripts/fit.py`` of ``variant`` on ``data`` in a fresh process."""
    return subprocess.Popen([sys.executable, str(FIT), "--config", str(config), "--variant", variant,
                             "--data", str(data), "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(procs: dict) -> dict[str, str]:
    """Wait for the fits started by ``start_fit``; each must succeed. Returns what each printed."""
    logs = {k: p.communicate(timeout=1200)[0] for k, p in procs.items()}
    assert {k: p.returncode for k, p in procs.items()} == dict.fromkeys(procs, 0), logs
    return logs


def test_draws_are_bitwise_the_same_from_cold_warm_half_warm_and_concurrent_caches(cold_start, tiny_study, tmp_path):
    """vectorized_fixed on the tiny study's first dataset in fresh processes: (1) compiled into a cold
    cache, twice at the same moment and beside the other variants (``cold_start``); (2) from that cache,
    now warm (nutpie's callbacks loaded, nothing compiled), and from a copy of it without the compiled
    whole-graph functions and callbacks (half warm: each operation loads from the cache, the graph and
    the callbacks link them afresh); and (3) with no shared cache at all. Posterior draws and sampler
    statistics must agree bit for bit with the workflow's own fit. With numba's fast-math flags on
    (pytensor's default) the warm and half-warm log densities differ from the cold one by about 1e-11
    and the chains part ways."""
    data = cold_start.data
    half = tmp_path / "half"
    shutil.copytree(cold_start.cache, half)
    whole_graphs = list(half.rglob("*numba_funcified_fgraph*"))
    callbacks = list(half.rglob("*logp_numba-*")) + list(half.rglob("*expand_numba-*"))
    assert whole_graphs, "no compiled whole-graph function in the cache"
    assert callbacks, "no compiled nutpie callback in the cache"
    for path in whole_graphs + callbacks:
        path.unlink()
    finish({"warm": start_fit(config_with_cache(tmp_path, cold_start.cache), data, tmp_path / "warm.nc"),
            "half": start_fit(config_with_cache(tmp_path, half), data, tmp_path / "half.nc"),
            "private": start_fit(config_with_cache(tmp_path, None), data, tmp_path / "private.nc")})
    reference = read_fit(tiny_study / "results/fits/tiny/vectorized_fixed/rep0.nc")
    together = {name: path for name, path in cold_start.fits.items() if cold_start.variants[name] == "vectorized_fixed"}
    assert len(together) == 2
    for name, path in {**together, **{k: tmp_path / f"{k}.nc" for k in ("warm", "half", "private")}}.items():
        fit = read_fit(path)
        for group in ("posterior", "sample_stats"):
            for var, values in fit[group].data_vars.items():
                if values.dtype.kind in "fiub":
                    assert np.array_equal(values.values, reference[group][var].values, equal_nan=True), (name, var)


def test_callbacks_compute_what_nutpies_own_do_for_scalar_vector_and_matrix_data():
    """``models.nutpie_numba`` against ``nutpie.compile_pymc_model`` on a model with a 0-d, a 1-d and a
    2-d ``pm.Data`` and a deterministic: the same initial point, log density, gradient, expanded values
    and posterior draws, bit for bit."""
    import nutpie
    import pymc as pm
    import pytensor

    from zsneq.models.nutpie_numba import compile_pymc_model

    rng = np.random.default_rng(3)
    with pm.Model(coords={"row": range(30), "col": range(2)}) as model:
        scale = pm.Data("scale", 2.0)
        x = pm.Data("x", rng.normal(size=(30, 2)), dims=("row", "col"))
        y = pm.Data("y", rng.normal(size=30), dims="row")
        b = pm.Normal("b", 0, scale, dims="col")
        s = pm.HalfNormal("s", 1.0)
        pm.Deterministic("mu_mean", (x @ b).mean())
        pm.Normal("obs", x @ b, s, observed=y, dims="row")
    with pytensor.config.change_flags(numba__fastmath=False):
        ours, theirs = compile_pymc_model(model), nutpie.compile_pymc_model(model)
    assert ours.n_dim == theirs.n_dim and ours.n_expanded == theirs.n_expanded
    traces = [nutpie.sample(c, chains=2, tune=100, draws=50, seed=5, progress_bar=False) for c in (ours, theirs)]
    for name in ("b", "s", "mu_mean"):
        assert np.array_equal(traces[0].posterior[name].values, traces[1].posterior[name].values), name
    # new data swapped in (nutpie's with_data) reach the callbacks too
    swapped = [c.with_data(scale=0.5) for c in (ours, theirs)]
    traces = [nutpie.sample(c, chains=1, tune=100, draws=50, seed=5, progress_bar=False) for c in swapped]
    assert np.array_equal(traces[0].posterior["b"].values, traces[1].posterior["b"].values)


def test_a_warm_compile_loads_nutpies_callbacks_instead_of_compiling_them(tmp_path):
    """Two fresh processes compile the same model into one cache: the second loads both C callbacks
    (numba cache hits) and says so."""
    code = (
        "from zsneq.core.io import job_compiledir\n"
        f"with job_compiledir({str(tmp_path / 'cache')!r}):\n"
        "    import numpy as np, pymc as pm\n"
        "    from zsneq.models.compilation import compile_model\n"
        "    with pm.Model() as m:\n"
        "        x = pm.Data('x', np.arange(5.0))\n"
        "        pm.Normal('y', pm.Normal('a'), 1.0, observed=x)\n"
        "    c = compile_model(m, numba_cache=True)\n"
        "    print(c.compiled_logp_func.cache_hits, c.compiled_expand_func.cache_hits)\n"
    )
    hits = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, check=True,
                           cwd=ROOT / "src").stdout.split() for _ in range(2)]
    assert hits == [["0", "0"], ["1", "1"]], hits


def test_nutpie_is_imported_without_arviz_and_reads_only_what_arviz_base_provides():
    """``import_nutpie`` in a fresh process: neither ``arviz`` nor arviz_stats/arviz_plots/matplotlib is
    imported, only nutpie's sample module holds the stand-in (no other module imported meanwhile took it
    for ``arviz``), every ``arviz.<name>`` nutpie's source reads is one it provides, and after a later
    ``import arviz`` (the real package) nutpie's names are the very functions the real package has."""
    import re
    from importlib.util import find_spec

    from zsneq.models.nutpie_numba import NUTPIE_ARVIZ_NAMES

    nutpie_source = Path(find_spec("nutpie").origin).parent.rglob("*.py")
    read = {name for path in nutpie_source for name in re.findall(r"\barviz\.(\w+)", path.read_text())}
    assert read == set(NUTPIE_ARVIZ_NAMES)
    code = f"""
import sys
import arviz_base
from zsneq.models.nutpie_numba import import_nutpie
before = set(sys.modules)
import_nutpie()
print(sorted(m for m in ("arviz", "arviz_stats", "arviz_plots", "matplotlib") if m in sys.modules))
print(sorted(f"{{m}}.{{k}}" for m in set(sys.modules) - before for k, v in vars(sys.modules[m]).items() if v is arviz_base))
import arviz
print(all(getattr(sys.modules["nutpie.sample"].arviz, name) is getattr(arviz, name) for name in {NUTPIE_ARVIZ_NAMES!r}))
print(arviz.__name__, hasattr(arviz, "summary"))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT / "src")}).stdout.split("\n")
    assert out[:4] == ["[]", "['nutpie.sample.arviz']", "True", "arviz True"], out
