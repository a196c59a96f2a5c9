"""The log-density check of one variant against the reference at draws of both posteriors, after sampling.

Under Snakemake (rule ``posterior_check``) or from the command line:
    python workflow/scripts/posterior_check.py --variant vectorized_fixed --reference nonvectorized \
        --data results/data/seed/rep0.parquet --fit results/fits/seed/vectorized_fixed/rep0.nc \
        --reference-fit results/fits/seed/nonvectorized/rep0.nc --out results/checks/seed/vectorized_fixed.posterior.json
"""

import argparse
import json
import sys
from pathlib import Path

_here = (Path(snakemake.scriptdir) if "snakemake" in globals() else Path(__file__).parent).resolve()  # noqa: F821
sys.path.insert(0, str(_here.parents[1] / "src"))


def main(data_path, fit_path, reference_fit_path, variant, reference, out, *, scenario="", log=None) -> None:
    from zsneq.analysis.checks import posterior_logp_check
    from zsneq.core.dataset import read_dataset
    from zsneq.core.io import setup_logging, write_text
    from zsneq.models.fit_file import read_fit
    from zsneq.models.variants import variant_name

    logger = setup_logging(log)
    logp = posterior_logp_check(variant, reference, read_dataset(data_path), read_fit(fit_path),
                                read_fit(reference_fit_path))
    result = {"scenario": scenario, "dataset": str(data_path), "variant": variant_name(variant),
              "reference": variant_name(reference), "logp": logp}
    write_text(out, json.dumps(result, indent=2) + "\n")
    logger.info("%s: log density vs %s at posterior draws: %s (%s)", result["variant"], result["reference"],
                logp["status"], logp["reason"])


if "snakemake" in globals():
    from zsneq.core.io import private_compiledir

    sm = globals()["snakemake"]
    with private_compiledir(c_code=False):  # a compile cache of its own, in node-local temporary storage; no C
        main(sm.input.data, sm.input.fit, sm.input.reference_fit, sm.params.variant, sm.params.reference,
             sm.output[0], scenario=sm.wildcards.scenario, log=sm.log[0])
elif __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--variant", required=True)
    p.add_argument("--reference", required=True, help="the reference variant (the config's reference_variant)")
    p.add_argument("--data", required=True)
    p.add_argument("--fit", required=True)
    p.add_argument("--reference-fit", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--scenario", default="")
    a = p.parse_args()
    main(a.data, a.fit, a.reference_fit, a.variant, a.reference, a.out, scenario=a.scenario)
