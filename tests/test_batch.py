"""Batching: several replicates per job, one compile, data swapped in; datasets and draws unchanged."""

import importlib.util
import subprocess
import sys

import numpy as np
import pandas as pd
import pymc as pm
import pytest
import yaml
from conftest import ROOT, TEST_CONFIG, TINY, write_session_config

from zsneq.core.config import replicate_batches
from zsneq.core.dataset import RegressionData
from zsneq.models.compilation import ModelCache, swappable_data
from zsneq.models.fit_file import read_fit
from zsneq.models.variants import VARIANTS, get_variant
from zsneq.simulation.generator import simulate, simulate_scenario


def tiny(seed: int, **overrides) -> RegressionData:
    frame, _ = simulate(rng=np.random.default_rng(seed), **(TINY | overrides))
    return RegressionData.from_frame(frame)


@pytest.mark.parametrize("variant", VARIANTS)
def test_same_structure_other_data_is_swappable(variant):
    module = get_variant(variant)
    old, new = module.build_model(tiny(1)), module.build_model(tiny(2))
    values = swappable_data(old, new)
    assert values is not None
    assert np.array_equal(values["y"], tiny(2).y)


def test_other_structure_is_not_swappable():
    module = get_variant("vectorized_fixed")
    old = module.build_model(tiny(1))
    assert swappable_data(old, module.build_model(tiny(2, groups=21))) is None  # other shapes
    assert swappable_data(old, get_variant("nonvectorized").build_model(tiny(2))) is None  # other model


def _model_with_constant(data: RegressionData, center: float) -> pm.Model:
    with pm.Model(coords=data.coords()) as model:
        y = pm.Data("y", data.y, dims="obs")
        mu = pm.Normal("mu", center)  # a data-dependent constant baked into the graph
        pm.Normal("y_obs", mu, 1.0, observed=y, dims="obs")
    return model


def test_data_outside_containers_blocks_the_swap():
    a, b = tiny(1), tiny(2)
    assert swappable_data(_model_with_constant(a, a.y.mean()), _model_with_constant(b, a.y.mean())) is not None
    assert swappable_data(_model_with_constant(a, a.y.mean()), _model_with_constant(b, b.y.mean())) is None


def test_prior_depending_on_data_blocks_the_swap():
    def build(data):
        with pm.Model() as model:
            y = pm.Data("y", data.y)
            mu = pm.Normal("mu", y.mean())  # the initial point would read the first dataset's y
            pm.Normal("obs", mu, 1.0, observed=y)
        return model

    assert swappable_data(build(tiny(1)), build(tiny(2))) is None


@pytest.mark.e2e
def test_a_batch_job_gives_bitwise_the_draws_of_separate_jobs(tiny_study, tmp_path):
    """The fit script given replicates 0 and 1 of the tiny study in one process (one compile, replicate 1's
    data swapped in) writes the draws the study's separate jobs wrote, bit for bit. The study's fit jobs
    sampled on one thread each (more fit jobs than cores), this process on one per chain: draws do not
    depend on threads either."""
    data = [tiny_study / f"results/data/tiny/rep{r}.parquet" for r in (0, 1)]
    outs = [tmp_path / f"rep{r}.nc" for r in (0, 1)]
    config = write_session_config(tmp_path / "config.yaml")  # compiling into the session's cache as the study did
    subprocess.run([sys.executable, str(ROOT / "workflow" / "scripts" / "fit.py"), "--config", str(config),
                    "--variant", "vectorized_fixed", "--scenario", "tiny", "--rep", "0", "1",
                    "--data", *map(str, data), "--out", *map(str, outs)], check=True, capture_output=True, timeout=1200)
    for r, out in zip((0, 1), outs):
        batched, alone = read_fit(out), read_fit(tiny_study / f"results/fits/tiny/vectorized_fixed/rep{r}.nc")
        assert batched.attrs["compile_reused"] == r  # replicate 1 reused the compiled model
        for group in ("posterior", "sample_stats"):
            for name, var in alone[group].data_vars.items():
                if var.dtype.kind in "fiub":
                    np.testing.assert_array_equal(batched[group][name].values, var.values, strict=True)


def test_model_cache_compiles_once_per_structure(monkeypatch):
    """Same structure: one compile; another number of groups: compiled again (stubbed compiler, no numba)."""
    import zsneq.models.compilation as compilation

    compiled = []

    class Stub:
        shared_var_keys = {}

        def with_data(self, **values):
            return self

    monkeypatch.setattr(compilation, "compile_model", lambda model, *args: compiled.append(model) or Stub())
    cache = ModelCache()
    assert cache.get("vectorized_fixed", tiny(1))[1] is False
    assert cache.get("vectorized_fixed", tiny(2))[1] is True
    assert cache.get("vectorized_fixed", tiny(3, groups=21))[1] is False
    assert (cache.compiles, cache.swaps, len(compiled)) == (2, 1, 2)


def test_replicate_batches_cover_every_replicate_once():
    assert replicate_batches({"replicates": 7, "batch_size": 3}) == [[0, 1, 2], [3, 4, 5], [6]]
    assert replicate_batches({"replicates": 2, "batch_size": 5}) == [[0, 1]]
    assert replicate_batches({"replicates": 3}) == [[0], [1], [2]]


def _script(name: str):
    """A workflow script as a module (its command-line block does not run on import)."""
    spec = importlib.util.spec_from_file_location(f"script_{name}", ROOT / "workflow" / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("truth", ["fixed", "prior"])
def test_batched_simulation_writes_the_same_datasets(tmp_path, truth):
    """The simulate script given a batch of replicates writes what it writes for each alone."""
    scenario = {"groups": 4, "rows_per_group": 3, "seed": 11, "replicates": 3, "batch_size": 3, "truth": truth}
    scenario |= {"predictors": 2} if truth == "prior" else {"beta": [1.0, 2.0], "tau": [0.5, 0.5], "sigma": 1.0}
    simulate_script = _script("simulate")

    def run(where, reps):
        simulate_script.main("s", scenario, reps, [where / f"rep{r}.parquet" for r in reps],
                             [where / f"rep{r}.truth.parquet" for r in reps])

    run(tmp_path / "batch", [0, 1, 2])
    for r in (0, 1, 2):
        run(tmp_path / "alone", [r])
    for r in (0, 1, 2):
        for suffix in (".parquet", ".truth.parquet", ".truth.json"):
            batch, alone = tmp_path / "batch" / f"rep{r}{suffix}", tmp_path / "alone" / f"rep{r}{suffix}"
            assert batch.read_bytes() == alone.read_bytes()
        assert pd.read_parquet(tmp_path / "batch" / f"rep{r}.parquet").equals(simulate_scenario(scenario, r)[0])


def test_batching_makes_one_job_per_batch(tmp_path):
    config = yaml.safe_load((ROOT / ".test" / "config" / "config.yaml").read_text())
    config["scenarios"]["tiny"] |= {"replicates": 5, "batch_size": 2}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    proc = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--configfile", str(path),
                           "--replace-workflow-config"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    for first, last in ((0, 1), (2, 3), (4, 4)):
        assert f"simulate_batch_tiny_rep{first}_{last} " in out
        assert f"fit_batch_tiny_rep{first}_{last} " in out
    jobs = dict(line.split()[:2] for line in out.split("Job stats:")[1].splitlines()[3:] if line.strip()[:1].isalpha())
    assert jobs["fit_batch_tiny_rep0_1"] == str(len(config["variants"]))
    assert jobs["fit"] == str(len(config["variants"]))  # twopred is not batched: one job per replicate
    assert jobs["simulate"] == "1"


def _fit_threads(cores: int) -> set[int]:
    """Threads of every fit job in a dry run of the test study on ``cores`` cores."""
    proc = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--forceall", "--cores", str(cores), "--configfile",
                           str(TEST_CONFIG), "--replace-workflow-config"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    jobs = proc.stdout.split("\nrule ")[1:] + proc.stdout.split("\nlocalrule ")[1:]
    fits = [job.split("\n\n")[0] for job in jobs if job.startswith("fit:")]
    assert fits
    return {int(next((line.split(":")[1] for line in fit.splitlines() if line.strip().startswith("threads:")), 1))
            for fit in fits}


def test_fit_jobs_take_one_thread_per_chain_unless_there_are_many_per_core():
    config = yaml.safe_load(TEST_CONFIG.read_text())
    chains = config["sampler"]["chains"]
    assert _fit_threads(2) == {1}  # the test study's 12 fit jobs: at least 4 per core
    assert _fit_threads(3) == {1}
    assert _fit_threads(4) == {chains}  # 3 per core: the last fits would run alone on one thread too long
    assert _fit_threads(1000) == {chains}
