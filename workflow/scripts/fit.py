"""Fit one model variant to one or more datasets with nutpie; write one DataTree NetCDF per dataset.

Several datasets (a batch of replicates, rule ``fit_batch``) are fitted in one process: the model is
compiled once and each later dataset is swapped into the compiled model (``zsneq.models.compilation.ModelCache``).

Under Snakemake (rules ``fit``, ``fit_batch``) or from the command line:
    python workflow/scripts/fit.py --config config/config.yaml --variant nonvectorized \
        --data results/data/seed/rep0.parquet --out results/fits/seed/nonvectorized/rep0.nc
"""

import argparse
import sys
from pathlib import Path

_here = (Path(snakemake.scriptdir) if "snakemake" in globals() else Path(__file__).parent).resolve()  # noqa: F821
sys.path.insert(0, str(_here.parents[1] / "src"))


def main(data_paths, variant, sampler: dict, outs, *, scenario="", reps=None, threads=None, log=None) -> None:
    """Fit ``variant`` to each dataset in ``data_paths`` (replicates ``reps``), writing ``outs`` in order."""
    from zsneq.core.dataset import read_dataset
    from zsneq.core.io import setup_logging
    from zsneq.models.compilation import ModelCache
    from zsneq.models.fit import fit
    from zsneq.models.fit_file import failed_fit, write_fit
    from zsneq.models.variants import variant_name

    logger = setup_logging(log)
    data_paths, outs = list(data_paths), list(outs)
    reps = list(reps) if reps is not None else [0] * len(data_paths)
    if not len(data_paths) == len(outs) == len(reps):
        raise ValueError(f"{len(data_paths)} datasets, {len(outs)} outputs and {len(reps)} replicate numbers")
    numba_cache = bool(sampler.get("compile_cache"))  # the compile directory itself is chosen by the caller
    cache = ModelCache(numba_cache) if len(data_paths) > 1 else None
    for i, (data_path, out, rep) in enumerate(zip(data_paths, outs, reps)):
        data = read_dataset(data_path)  # a missing or malformed dataset stops the job: fix the data
        logger.info("[%d/%d] fitting %s to %s (%d rows, %d groups, %d predictors)", i + 1, len(data_paths),
                    variant_name(variant), data_path, len(data.y), data.n_groups, data.n_predictors)
        attrs = {"scenario": scenario, "rep": int(rep), "dataset": str(data_path)}
        try:
            tree = fit(data, variant, chains=sampler["chains"], tune=sampler["tune"], draws=sampler["draws"],
                       seed=sampler["seed"], cores=threads, attrs=attrs, cache=cache, numba_cache=numba_cache,
                       data_path=data_path, group_draws=sampler.get("group_draws", "auto"))
        except Exception as exc:  # building, compiling or sampling failed: record it, keep the other fits going
            logger.exception("fit of %s to %s FAILED; recording the failure in %s", variant_name(variant), data_path,
                             out)
            tree = failed_fit(variant, exc, attrs)
        write_fit(tree, out)
        logger.info("wrote %s (status %s)", out, tree.attrs["status"])
    if cache is not None:
        logger.info("%s: %d compile(s), data swapped in %d time(s)", variant_name(variant), cache.compiles, cache.swaps)


if "snakemake" in globals():
    from zsneq.core.io import job_compiledir

    sm = globals()["snakemake"]
    # the configured shared compile cache (params.compile_cache, else sampler's), or with null one of this job's own
    shared_cache = getattr(sm.params, "compile_cache", sm.params.sampler.get("compile_cache"))
    with job_compiledir(shared_cache):
        # params.variant: the variants: entry (a user variant's mapping); without it, the built-in name
        main(list(sm.input.data), getattr(sm.params, "variant", sm.wildcards.variant),
             dict(sm.params.sampler) | {"compile_cache": shared_cache},
             list(sm.output),
             scenario=sm.params.scenario, reps=list(sm.params.reps), threads=sm.threads, log=sm.log[0])
elif __name__ == "__main__":
    from zsneq.core import paths
    from zsneq.workflow import load_config

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", default=paths.CONFIG)
    p.add_argument("--variant", required=True)
    p.add_argument("--data", required=True, nargs="+", help="one or more datasets (a batch)")
    p.add_argument("--out", required=True, nargs="+", help="one fit file per dataset, in the same order")
    p.add_argument("--scenario", default="")
    p.add_argument("--rep", type=int, nargs="+", default=None, help="replicate number of each dataset")
    p.add_argument("--threads", type=int, default=None, help="sampler threads (default: one per chain)")
    a = p.parse_args()
    config = load_config(a.config)
    sampler = config["sampler"]
    from zsneq.models.variants import variant_entries

    variant = variant_entries(config["variants"]).get(a.variant, a.variant)  # a user variant's entry
    from contextlib import nullcontext

    from zsneq.core.io import job_compiledir

    # the configured shared cache; with compile_cache: null, pytensor's usual directory (PYTENSOR_FLAGS)
    with job_compiledir(sampler["compile_cache"]) if sampler.get("compile_cache") else nullcontext():
        main(a.data, variant, sampler, a.out, scenario=a.scenario, reps=a.rep, threads=a.threads)
