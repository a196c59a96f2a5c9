"""Verdicts: same model or not, same posterior on these data or not, recovery of the truth, sampler health.

Under Snakemake (rule ``verdicts``) or from the command line:
    python workflow/scripts/verdicts.py --summary results/summary/summary.parquet --reference nonvectorized \
        --out results/summary/verdicts.parquet --out-variants results/summary/variant_verdicts.parquet \
        [--group-slopes results/summary/group_slopes.parquet] [--margin 0.2] [--alpha 0.05] \
        [--posterior-checks results/checks/*/*.posterior.json] results/checks/*/*[!r].json
"""

import argparse
import json
import sys
from pathlib import Path

_here = (Path(snakemake.scriptdir) if "snakemake" in globals() else Path(__file__).parent).resolve()  # noqa: F821
sys.path.insert(0, str(_here.parents[1] / "src"))

from zsneq.analysis.verdicts import ALPHA, MARGIN, judge  # noqa: E402
from zsneq.core.io import atomic_path, setup_logging  # noqa: E402


def _by_variant(paths) -> dict:
    """JSON results keyed by (scenario, variant)."""
    out = {}
    for path in paths:
        result = json.loads(Path(path).read_text())
        out[(result["scenario"], result["variant"])] = result
    return out


def main(summary_path, check_paths, reference, out, out_variants, log=None, margin=MARGIN, alpha=ALPHA,
         slopes_path=None, prior_predictive_paths=(), loo_path=None, posterior_check_paths=()) -> None:
    """Per-parameter verdicts to ``out``, one line per variant to ``out_variants``.

    ``margin`` / ``alpha``: the config's ``verdicts``; ``slopes_path``: group slope summaries (optional;
    without them group-level quantities are not compared); ``prior_predictive_paths``: the prior-predictive
    comparisons; ``loo_path``: leave-one-group-out elpd per fit and group (optional);
    ``posterior_check_paths``: the log-density checks at posterior draws.
    """
    import pandas as pd

    logger = setup_logging(log)
    params, variants = judge(
        pd.read_parquet(summary_path), reference, margin=margin, alpha=alpha, checks=_by_variant(check_paths),
        posterior_checks=_by_variant(posterior_check_paths),
        slopes=pd.read_parquet(slopes_path) if slopes_path else None,
        prior_predictive=_by_variant(prior_predictive_paths), loo=pd.read_parquet(loo_path) if loo_path else None)
    with atomic_path(out) as tmp:
        params.to_parquet(tmp, index=False)
    with atomic_path(out_variants) as tmp:
        variants.to_parquet(tmp, index=False)
    for line in variants["statement"]:
        logger.info("%s", line)


if "snakemake" in globals():
    sm = globals()["snakemake"]
    main(sm.input.summary, sm.input.checks, sm.params.reference, sm.output.parameters, sm.output.variants, sm.log[0],
         margin=sm.params.margin, alpha=sm.params.alpha, slopes_path=sm.input.group_slopes,
         prior_predictive_paths=sm.input.prior_predictive, loo_path=sm.input.loo,
         posterior_check_paths=sm.input.posterior_checks)
elif __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--summary", required=True)
    p.add_argument("--reference", required=True, help="the reference variant (the config's reference_variant)")
    p.add_argument("--out", required=True)
    p.add_argument("--out-variants", required=True)
    p.add_argument("--margin", type=float, default=MARGIN, help="equivalence margin in baseline posterior sds")
    p.add_argument("--alpha", type=float, default=ALPHA, help="family level of the agreement and disagreement claims")
    p.add_argument("--group-slopes", default=None, help="group_slopes.parquet (compares every group's slopes)")
    p.add_argument("--prior-predictive", nargs="*", default=(), help="results/prior_predictive/*/*.json")
    p.add_argument("--posterior-checks", nargs="*", default=(), help="results/checks/*/*.posterior.json")
    p.add_argument("--loo", default=None, help="loo.parquet (leave-one-group-out elpd per fit and group)")
    p.add_argument("checks", nargs="*")
    a = p.parse_args()
    main(a.summary, a.checks, a.reference, a.out, a.out_variants, margin=a.margin, alpha=a.alpha,
         slopes_path=a.group_slopes, prior_predictive_paths=a.prior_predictive, loo_path=a.loo,
         posterior_check_paths=a.posterior_checks)
