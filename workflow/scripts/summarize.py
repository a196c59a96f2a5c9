"""Read every fit once: its summary in the common parameter vocabulary joined with the truth, its status,
group slopes, leave-one-group-out elpd and calibration rows (intervals and the truth's rank, per parameter).

Under Snakemake (rule ``summarize``) or from the command line:
    python workflow/scripts/summarize.py --out results/summary/summary.parquet \
        --fits-out results/summary/fits.parquet --replicates-out results/calibration/replicates.parquet \
        --fits results/fits/seed/*/rep0.nc --truths results/data/seed/rep0.truth.parquet ...

``truths``: the truth table of each fit's dataset, one per fit and in the same order.
"""

import argparse
import sys
from pathlib import Path

_here = (Path(snakemake.scriptdir) if "snakemake" in globals() else Path(__file__).parent).resolve()  # noqa: F821
sys.path.insert(0, str(_here.parents[1] / "src"))

from zsneq.analysis.summarize import (  # noqa: E402
    combine,
    combine_group_slopes,
    combine_loo,
    fit_record,
    fit_table,
    pointwise_elpd,
    summarize_fit,
    summarize_group_slopes,
)
from zsneq.analysis.replicates import DEFAULTS, fit_rows  # noqa: E402
from zsneq.analysis.replicates import combine as combine_replicates  # noqa: E402
from zsneq.core.dataset import read_truth  # noqa: E402
from zsneq.core.io import atomic_path, setup_logging  # noqa: E402
from zsneq.models.fit_file import fit_status, read_fit  # noqa: E402


def main(fit_paths, truth_paths, out, log=None, fits_out=None, slopes_out=None, loo_out=None, replicates_out=None,
         scoring=None) -> None:
    """Write the summary of every successful fit to ``out`` and the table of all fits to ``fits_out``.

    A fit recorded as failed gets no summary rows; it is listed in the fit table
    with its error (and logged), so the report can name it. With ``slopes_out``, every
    successful fit's group slope summaries (mean, sd, MCSE per group and predictor) go there; with
    ``replicates_out``, the calibration rows of every fit with a known truth (``scoring``: the
    config's ``calibration`` ``levels`` and ``rank_draws``).
    """
    scoring = {**DEFAULTS, **(scoring or {})}
    logger = setup_logging(log)
    if len(fit_paths) != len(truth_paths):
        raise ValueError(f"{len(fit_paths)} fits but {len(truth_paths)} truth tables; give one truth table per fit")
    frames, records, slopes, loo, replicates = [], [], [], [], []
    for path, truth_path in zip(fit_paths, truth_paths):
        tree = read_fit(path)
        records.append(fit_record(tree, str(path)))
        if fit_status(tree) != "ok":
            logger.warning("%s: fit FAILED (%s); no summary rows", path, tree.attrs.get("error", ""))
            continue
        truth = read_truth(truth_path)
        frames.append(summarize_fit(tree, truth))
        if replicates_out and truth is not None:  # data of the user's own has no truth to score against
            replicates.append(fit_rows(tree, truth, scoring["levels"], scoring["rank_draws"]))
        if slopes_out:
            slopes.append(summarize_group_slopes(tree))
        if loo_out:
            loo.append(pointwise_elpd(tree))
        logger.info("summarized %s", path)
    with atomic_path(fits_out) as tmp:
        fit_table(records).to_parquet(tmp, index=False)
    with atomic_path(out) as tmp:
        combine(frames).to_parquet(tmp, index=False)
    if slopes_out:
        with atomic_path(slopes_out) as tmp:
            combine_group_slopes(slopes).to_parquet(tmp, index=False)
    if loo_out:
        with atomic_path(loo_out) as tmp:
            combine_loo(loo).to_parquet(tmp, index=False)
    if replicates_out:
        with atomic_path(replicates_out) as tmp:
            combine_replicates(replicates).to_parquet(tmp, index=False)
    logger.info("wrote %s (%d fits summarized, %d failed) and %s", out, len(frames), len(records) - len(frames),
                fits_out)


if "snakemake" in globals():
    sm = globals()["snakemake"]
    main(list(sm.input.fits), list(sm.input.truths), sm.output.summary, sm.log[0], fits_out=sm.output.fits,
         slopes_out=sm.output.group_slopes, loo_out=sm.output.loo, replicates_out=sm.output.replicates,
         scoring=dict(sm.params.scoring))
elif __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True)
    p.add_argument("--fits-out", required=True, help="table of all fits, e.g. results/summary/fits.parquet")
    p.add_argument("--group-slopes-out", default=None, help="group slope summaries (e.g. group_slopes.parquet)")
    p.add_argument("--loo-out", default=None, help="leave-one-group-out elpd per group (e.g. loo.parquet)")
    p.add_argument("--replicates-out", default=None, help="calibration rows per fit and parameter "
                   "(e.g. results/calibration/replicates.parquet)")
    p.add_argument("--levels", nargs="+", type=float, default=DEFAULTS["levels"], help="central interval levels")
    p.add_argument("--rank-draws", type=int, default=DEFAULTS["rank_draws"], help="draws the truth is ranked among")
    p.add_argument("--fits", nargs="+", required=True)
    p.add_argument("--truths", nargs="+", required=True, help="the truth table of each fit's dataset, in the same order")
    a = p.parse_args()
    main(a.fits, a.truths, a.out, fits_out=a.fits_out, slopes_out=a.group_slopes_out, loo_out=a.loo_out,
         replicates_out=a.replicates_out, scoring={"levels": a.levels, "rank_draws": a.rank_draws})
