"""Verdicts: agreement with the reference variant, recovery of the truth, sampler health.

Under Snakemake (rule ``verdicts``) or from the command line:
    python workflow/scripts/verdicts.py --summary results/summary/summary.parquet --reference nonvectorized \
        --out results/summary/verdicts.parquet --out-variants results/summary/variant_verdicts.parquet \
        [--group-slopes results/summary/group_slopes.parquet] [--margin 0.2] results/checks/*/*.json
"""

import argparse
import json
import sys
from pathlib import Path

_here = (Path(snakemake.scriptdir) if "snakemake" in globals() else Path(__file__).parent).resolve()  # noqa: F821
sys.path.insert(0, str(_here.parents[1] / "src"))

from zsneq.analysis.verdicts import (  # noqa: E402
    MARGIN,
    elpd_differences,
    group_slope_verdicts,
    parameter_verdicts,
    variant_verdicts,
)
from zsneq.core.io import atomic_path, setup_logging  # noqa: E402
from zsneq.core.vocabulary import RESPONSE_QUANTITY, SLOPE_QUANTITY  # noqa: E402


def main(summary_path, check_paths, reference, out, out_variants, log=None, margin=MARGIN, slopes_path=None,
         prior_predictive_paths=(), loo_path=None) -> None:
    """Per-parameter verdicts to ``out``, one line per variant to ``out_variants``.

    ``margin``: the config's ``verdicts.margin``; ``slopes_path``: group slope summaries (optional; without
    them group slopes are not compared); ``prior_predictive_paths``: the prior-predictive comparisons;
    ``loo_path``: leave-one-group-out elpd per fit and group (optional).
    """
    import pandas as pd

    logger = setup_logging(log)
    checks = {}
    for path in check_paths:
        check = json.loads(Path(path).read_text())
        checks[(check["scenario"], check["variant"])] = check
    prior_predictive = {}
    for path in prior_predictive_paths:
        result = json.loads(Path(path).read_text())
        prior_predictive[(result["scenario"], result["variant"])] = result
    params = parameter_verdicts(pd.read_parquet(summary_path), reference, margin)
    group_table = pd.read_parquet(slopes_path) if slopes_path else None
    groups, responses = (None, None) if group_table is None else (
        group_slope_verdicts(group_table, reference, margin, quantity=q) for q in (SLOPE_QUANTITY, RESPONSE_QUANTITY))
    elpd = elpd_differences(pd.read_parquet(loo_path), reference) if loo_path else None
    variants = variant_verdicts(params, checks, groups, prior_predictive, elpd, responses)
    with atomic_path(out) as tmp:
        params.to_parquet(tmp, index=False)
    with atomic_path(out_variants) as tmp:
        variants.to_parquet(tmp, index=False)
    for line in variants["statement"]:
        logger.info("%s", line)


if "snakemake" in globals():
    sm = globals()["snakemake"]
    main(sm.input.summary, sm.input.checks, sm.params.reference, sm.output.parameters, sm.output.variants, sm.log[0],
         margin=sm.params.margin, slopes_path=sm.input.group_slopes,
         prior_predictive_paths=sm.input.prior_predictive, loo_path=sm.input.loo)
elif __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--summary", required=True)
    p.add_argument("--reference", required=True, help="the reference variant (the config's reference_variant)")
    p.add_argument("--out", required=True)
    p.add_argument("--out-variants", required=True)
    p.add_argument("--margin", type=float, default=MARGIN, help="equivalence margin in reference posterior sds")
    p.add_argument("--group-slopes", default=None, help="group_slopes.parquet (compares every group's slopes)")
    p.add_argument("--prior-predictive", nargs="*", default=(), help="results/prior_predictive/*/*.json")
    p.add_argument("--loo", default=None, help="loo.parquet (leave-one-group-out elpd per fit and group)")
    p.add_argument("checks", nargs="*")
    a = p.parse_args()
    main(a.summary, a.checks, a.reference, a.out, a.out_variants, margin=a.margin, slopes_path=a.group_slopes,
         prior_predictive_paths=a.prior_predictive, loo_path=a.loo)
