"""Summarize every fit in the common parameter vocabulary, joined with the truth.

Under Snakemake (rule ``summarize``) or from the command line:
    python workflow/scripts/summarize.py --out results/summary/summary.parquet results/fits/*/*/rep*.nc
"""

import argparse
import sys
from pathlib import Path

_here = Path(snakemake.scriptdir) if "snakemake" in globals() else Path(__file__).resolve().parent  # noqa: F821
sys.path.insert(0, str(_here.parents[1] / "src"))

from zsneq.data import Truth  # noqa: E402
from zsneq.fit import read_fit  # noqa: E402
from zsneq.io import atomic_path, setup_logging  # noqa: E402
from zsneq.summarize import combine, summarize_fit  # noqa: E402
from zsneq.workflow import truth_path_for  # noqa: E402


def main(fit_paths, out, log=None) -> None:
    import pandas as pd

    logger = setup_logging(log)
    frames = []
    for path in fit_paths:
        tree = read_fit(path)
        truth = Truth.from_frame(pd.read_parquet(truth_path_for(tree.attrs["dataset"])))
        frames.append(summarize_fit(tree, truth))
        logger.info("summarized %s", path)
    with atomic_path(out) as tmp:
        combine(frames).to_parquet(tmp, index=False)
    logger.info("wrote %s (%d fits)", out, len(frames))


if "snakemake" in globals():
    sm = globals()["snakemake"]
    main(sm.input.fits, sm.output[0], sm.log[0])
elif __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True)
    p.add_argument("fits", nargs="+")
    a = p.parse_args()
    main(a.fits, a.out)
