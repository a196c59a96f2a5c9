"""Structural checks of one variant before sampling: zero-sum axis and log-density equivalence.

Under Snakemake (rule ``check_variant``) or from the command line:
    python workflow/scripts/check_variant.py --variant vectorized_fixed --reference nonvectorized \
        --data results/data/seed/rep0.parquet --out results/checks/seed/vectorized_fixed.json
"""

import argparse
import json
import sys
from pathlib import Path

_here = (Path(snakemake.scriptdir) if "snakemake" in globals() else Path(__file__).parent).resolve()  # noqa: F821
sys.path.insert(0, str(_here.parents[1] / "src"))


def main(data_path, variant, reference, out, *, scenario="", log=None) -> None:
    from zsneq.analysis.checks import run_checks
    from zsneq.core.dataset import read_dataset
    from zsneq.core.io import setup_logging, write_text

    logger = setup_logging(log)
    result = {"scenario": scenario, "dataset": str(data_path), **run_checks(variant, reference, read_dataset(data_path))}
    write_text(out, json.dumps(result, indent=2) + "\n")
    for line in result["structure"]:
        logger.info("%s: %s", result["variant"], line)
    logger.info("%s: offsets sum to zero along %s; log density vs %s: %s (%s)", result["variant"],
                result["zero_sum_dims"], result["reference"], result["logp"]["status"], result["logp"]["reason"])


if "snakemake" in globals():
    from zsneq.core.io import private_compiledir

    sm = globals()["snakemake"]
    with private_compiledir(c_code=False):  # a compile cache of its own, in node-local temporary storage; no C
        main(sm.input.data, sm.params.variant, sm.params.reference, sm.output[0],
             scenario=sm.wildcards.scenario, log=sm.log[0])
elif __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--variant", required=True)
    p.add_argument("--reference", required=True, help="the reference variant (the config's reference_variant)")
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--scenario", default="")
    a = p.parse_args()
    main(a.data, a.variant, a.reference, a.out, scenario=a.scenario)
