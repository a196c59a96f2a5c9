"""Power of the prior-predictive test against known alternatives to the reference on one design: writes one JSON.

Under Snakemake (rule ``prior_predictive_power``: input ``data``, params ``reference`` and
``n_comparisons``, optional ``draws``, ``permutations``, ``alpha``) or from the command line:
    python workflow/scripts/prior_predictive_power.py --reference nonvectorized --n-comparisons 5 \
        --data results/data/seed/rep0.parquet --out results/prior_predictive_power/seed.json
"""

import argparse
import json
import sys
from pathlib import Path

_here = (Path(snakemake.scriptdir) if "snakemake" in globals() else Path(__file__).parent).resolve()  # noqa: F821
sys.path.insert(0, str(_here.parents[1] / "src"))


def main(data_path, reference, out, *, scenario="", n_comparisons=1, log=None, **options) -> None:
    import pandas as pd

    from zsneq.analysis.prior_predictive import estimate_power
    from zsneq.core.io import setup_logging, write_text

    logger = setup_logging(log)
    result = estimate_power(reference, pd.read_parquet(data_path), n_comparisons=n_comparisons, **options)
    result = {"scenario": scenario, "dataset": str(data_path)} | result
    write_text(out, json.dumps(result, indent=2) + "\n")
    logger.info("power against %s: %s (%s)", result["reference"], result["power"], result["power_note"])


if "snakemake" in globals():
    from zsneq.core.io import private_compiledir

    sm = globals()["snakemake"]
    options = {k: sm.params[k] for k in ("draws", "permutations", "alpha") if k in sm.params.keys()}
    with private_compiledir(c_code=False):  # a compile cache of its own, in node-local temporary storage; no C
        main(sm.input.data, sm.params.reference, sm.output[0], scenario=sm.wildcards.scenario,
             n_comparisons=sm.params.get("n_comparisons", 1), log=sm.log[0], **options)
elif __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reference", required=True, help="the reference variant (the config's reference_variant)")
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--scenario", default="")
    p.add_argument("--n-comparisons", type=int, default=1)
    p.add_argument("--draws", type=int, help="prior draws per model (default: from the design's rows)")
    a = p.parse_args()
    main(a.data, a.reference, a.out, scenario=a.scenario, n_comparisons=a.n_comparisons,
         **({"draws": a.draws} if a.draws else {}))
