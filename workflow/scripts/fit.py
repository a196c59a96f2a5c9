"""Fit one model variant to one dataset with nutpie; write a DataTree NetCDF.

Under Snakemake (rule ``fit``) or from the command line:
    python workflow/scripts/fit.py --config config/config.yaml --variant nonvectorized \
        --data results/data/seed/rep0.parquet --out results/fits/seed/nonvectorized/rep0.nc
"""

import argparse
import os
import sys
from pathlib import Path

_here = Path(snakemake.scriptdir) if "snakemake" in globals() else Path(__file__).resolve().parent  # noqa: F821
sys.path.insert(0, str(_here.parents[1] / "src"))


def main(data_path, variant, sampler: dict, out, *, scenario="", rep=0, threads=None, log=None,
         compiledir=None) -> None:
    if compiledir:  # a compile cache of this job's own: parallel jobs never race on it
        os.environ["PYTENSOR_FLAGS"] = f"base_compiledir={Path(compiledir).resolve()}"
    from zsneq.data import read_dataset
    from zsneq.fit import failed_fit, fit, write_fit
    from zsneq.io import setup_logging

    logger = setup_logging(log)
    data = read_dataset(data_path)  # a missing or malformed dataset stops the job: fix the data
    logger.info("fitting %s to %s (%d rows, %d groups, %d predictors)",
                variant, data_path, len(data.y), data.n_groups, data.n_predictors)
    attrs = {"scenario": scenario, "rep": int(rep), "dataset": str(data_path)}
    try:
        tree = fit(data, variant, chains=sampler["chains"], tune=sampler["tune"], draws=sampler["draws"],
                   seed=sampler["seed"], cores=threads, attrs=attrs)
    except Exception as exc:  # building, compiling or sampling failed: record it, keep the other fits going
        logger.exception("fit of %s to %s FAILED; recording the failure in %s", variant, data_path, out)
        tree = failed_fit(variant, exc, attrs)
    write_fit(tree, out)
    logger.info("wrote %s (status %s)", out, tree.attrs["status"])


if "snakemake" in globals():
    sm = globals()["snakemake"]
    main(sm.input.data, sm.wildcards.variant, dict(sm.params.sampler), sm.output[0],
         scenario=sm.wildcards.scenario, rep=int(sm.wildcards.rep), threads=sm.threads,
         log=sm.log[0], compiledir=sm.params.compiledir)
elif __name__ == "__main__":
    from zsneq.workflow import load_config

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", default="config/config.yaml")
    p.add_argument("--variant", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--scenario", default="")
    p.add_argument("--rep", type=int, default=0)
    p.add_argument("--threads", type=int, default=None, help="sampler threads (default: one per chain)")
    a = p.parse_args()
    main(a.data, a.variant, load_config(a.config)["sampler"], a.out, scenario=a.scenario, rep=a.rep,
         threads=a.threads)
