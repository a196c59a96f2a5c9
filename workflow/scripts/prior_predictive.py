"""Prior-predictive equivalence of one variant with the reference, before sampling: writes one JSON.

Under Snakemake (rule ``prior_predictive``: inputs ``data``, ``check`` (the variant's structural checks),
``reference_check`` (the checks of the reference's row-wise form, when the reference's likelihood has no
forward draws), ``power`` (rule ``prior_predictive_power``); params ``reference`` and ``n_comparisons``,
optional ``draws``, ``permutations``, ``alpha``) or from the command line:
    python workflow/scripts/prior_predictive.py --variant vectorized_as_posted --reference nonvectorized \
        --data results/data/seed/rep0.parquet --check results/checks/seed/vectorized_as_posted.json \
        --power results/prior_predictive_power/seed.json --n-comparisons 5 \
        --out results/prior_predictive/seed/vectorized_as_posted.json
"""

import argparse
import json
import sys
from pathlib import Path

_here = (Path(snakemake.scriptdir) if "snakemake" in globals() else Path(__file__).parent).resolve()  # noqa: F821
sys.path.insert(0, str(_here.parents[1] / "src"))


def read_json(path):
    """A JSON file's content, or None without a path."""
    return json.loads(Path(path).read_text()) if path else None


def main(data_path, variant, reference, out, *, check=None, reference_check=None, power=None, scenario="",
         n_comparisons=1, log=None, **options) -> None:
    import pandas as pd

    from zsneq.analysis.prior_predictive import compare_variants
    from zsneq.core.io import setup_logging, write_text
    from zsneq.models.variants import variant_name

    logger = setup_logging(log)
    logp = {role: (read_json(path) or {}).get("logp") for role, path in (("variant", check),
                                                                          ("reference", reference_check))}
    result = compare_variants(variant, reference, pd.read_parquet(data_path), logp=logp["variant"],
                              reference_logp=logp["reference"], power=read_json(power),
                              n_comparisons=n_comparisons, **options)
    variant, reference = variant_name(variant), variant_name(reference)  # a user variant's entry: its name
    result = {"scenario": scenario, "dataset": str(data_path), "variant": variant, "reference": reference} | result
    write_text(out, json.dumps(result, indent=2) + "\n")
    logger.info("%s vs %s: %s", variant, reference, result["sentence"])


if "snakemake" in globals():
    from zsneq.core.io import private_compiledir

    sm = globals()["snakemake"]
    options = {k: sm.params[k] for k in ("draws", "permutations", "alpha") if k in sm.params.keys()}
    with private_compiledir(c_code=False):  # a compile cache of its own, in node-local temporary storage; no C
        main(sm.input.data, sm.params.variant, sm.params.reference, sm.output[0], check=sm.input.check,
             reference_check=sm.input.reference_check[0] if sm.input.reference_check else None,
             power=sm.input.power, scenario=sm.wildcards.scenario, n_comparisons=sm.params.get("n_comparisons", 1),
             log=sm.log[0], **options)
elif __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--variant", required=True)
    p.add_argument("--reference", required=True, help="the reference variant (the config's reference_variant)")
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--check", help="the variant's check JSON (rule check_variant); needed for +sufficient/+marginal")
    p.add_argument("--reference-check", help="the check JSON of the reference's row-wise form, for a reference "
                   "with a +sufficient/+marginal likelihood")
    p.add_argument("--power", help="the scenario's power JSON (workflow/scripts/prior_predictive_power.py)")
    p.add_argument("--scenario", default="")
    p.add_argument("--n-comparisons", type=int, default=1)
    p.add_argument("--draws", type=int, help="prior draws per model (default: from the design's rows)")
    a = p.parse_args()
    main(a.data, a.variant, a.reference, a.out, check=a.check, reference_check=a.reference_check, power=a.power,
         scenario=a.scenario, n_comparisons=a.n_comparisons, **({"draws": a.draws} if a.draws else {}))
