"""Score the fits against their truths across replicates: coverage of central intervals and SBC ranks.

Reads ``replicates.parquet`` (per scenario, replicate, variant and parameter: central intervals, rank of
the truth, ESS; written by rule ``summarize``, which reads each fit once) and writes, under
results/calibration/: ``coverage.parquet``, ``sbc.parquet`` (p-value and
pass/fail per parameter of scenarios with ``truth: prior``), ``sbc_paired.parquet`` (each variant's ranks
against the reference's on the same datasets), ``sbc_variants.parquet`` and ``batching.parquet``
(compile seconds saved by batching).

Under Snakemake (rule ``calibrate``) or from the command line:
    python workflow/scripts/calibrate.py --config config/calibration.yaml \
        --replicates results/calibration/replicates.parquet
(by hand it writes the tables to their places under results/calibration/, ``zsneq.core.paths``)
"""

import argparse
import sys
from pathlib import Path

_here = (Path(snakemake.scriptdir) if "snakemake" in globals() else Path(__file__).parent).resolve()  # noqa: F821
sys.path.insert(0, str(_here.parents[1] / "src"))

import pandas as pd  # noqa: E402

from zsneq.analysis.calibration import (  # noqa: E402
    batching_table,
    coverage_table,
    sbc_paired_table,
    sbc_table,
    sbc_variants,
)
from zsneq.core.io import atomic_path, setup_logging  # noqa: E402
from zsneq.core.paths import CALIBRATION_TABLES  # noqa: E402

OUTPUTS = [name for name in CALIBRATION_TABLES if name != "replicates"]  # replicates is the input


def main(replicates_path, settings: dict, prior_scenarios, outputs: dict, reference: str, log=None) -> None:
    """``settings``: the config's ``calibration`` mapping; ``outputs``: a path for each of ``OUTPUTS``;
    ``reference``: the config's ``reference_variant``, for differential SBC."""
    logger = setup_logging(log)
    replicates = pd.read_parquet(replicates_path)
    logger.info("%s: %d rows from %d fits", replicates_path, len(replicates),
                len(replicates.drop_duplicates(["scenario", "rep", "variant"])))
    tables = {
        "coverage": coverage_table(replicates, settings["levels"]),
        "sbc": sbc_table(replicates, prior_scenarios, settings["alpha"]),
        "batching": batching_table(replicates),
    }
    tables["sbc_paired"] = sbc_paired_table(replicates, prior_scenarios, reference, settings["alpha"])
    tables["sbc_variants"] = sbc_variants(tables["sbc"], tables["sbc_paired"])
    for name in OUTPUTS:
        with atomic_path(outputs[name]) as tmp:
            tables[name].to_parquet(tmp, index=False)
    for row in tables["sbc_variants"].itertuples():
        logger.info("SBC %s / %s: %s%s (smallest p %.3g); paired with %s: %s", row.scenario, row.variant,
                    {True: "passes", False: "FAILS"}.get(row.passes, "no verdict"),
                    f" on {row.failing}" if row.failing else "", row.min_p_ecdf, row.reference or "-",
                    {True: f"DIFFERS on {row.paired_differing}", False: "no difference"}.get(
                        row.paired_differs, "no verdict"))
    logger.info("wrote %s", ", ".join(str(outputs[n]) for n in OUTPUTS))


if "snakemake" in globals():
    sm = globals()["snakemake"]
    main(sm.input.replicates, dict(sm.params.calibration), list(sm.params.prior_scenarios),
         {name: sm.output[name] for name in OUTPUTS}, sm.params.reference, sm.log[0])
elif __name__ == "__main__":
    from zsneq.core import paths
    from zsneq.core.config import prior_scenarios
    from zsneq.core.paths import calibration_table
    from zsneq.workflow import load_config

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", default=paths.CONFIG)
    p.add_argument("--replicates", default=calibration_table("replicates"), help="calibration rows (rule summarize)")
    a = p.parse_args()
    config = load_config(a.config)
    main(a.replicates, config["calibration"], prior_scenarios(config),
         {name: calibration_table(name) for name in OUTPUTS}, config["reference_variant"])
