"""Score every fit against its truth across replicates: coverage of central intervals and SBC ranks.

Writes, under results/calibration/: ``replicates.parquet`` (per scenario, replicate, variant and
parameter: central intervals, rank of the truth, ESS), ``coverage.parquet``, ``sbc.parquet`` (p-value and
pass/fail per parameter of scenarios with ``truth: prior``), ``sbc_paired.parquet`` (each variant's ranks
against the reference's on the same datasets), ``sbc_variants.parquet`` and ``batching.parquet``
(compile seconds saved by batching).

Under Snakemake (rule ``calibrate``) or from the command line:
    python workflow/scripts/calibrate.py --config config/calibration.yaml \
        --fits results/fits/sbc/*/rep*.nc --truths ...
(by hand it writes the tables to their places under results/calibration/, ``zsneq.core.paths``)

``truths``: the truth table of each fit's dataset, one per fit and in the same order.
"""

import argparse
import sys
from pathlib import Path

_here = (Path(snakemake.scriptdir) if "snakemake" in globals() else Path(__file__).parent).resolve()  # noqa: F821
sys.path.insert(0, str(_here.parents[1] / "src"))

from zsneq.analysis.calibration import (  # noqa: E402
    batching_table,
    combine,
    coverage_table,
    fit_rows,
    sbc_paired_table,
    sbc_table,
    sbc_variants,
)
from zsneq.core.dataset import read_truth  # noqa: E402
from zsneq.core.io import atomic_path, setup_logging  # noqa: E402
from zsneq.core.paths import CALIBRATION_TABLES as OUTPUTS  # noqa: E402
from zsneq.models.fit_file import fit_status, read_fit  # noqa: E402


def main(fit_paths, truth_paths, settings: dict, prior_scenarios, outputs: dict, reference: str, log=None) -> None:
    """``settings``: the config's ``calibration`` mapping; ``outputs``: a path for each of ``OUTPUTS``;
    ``reference``: the config's ``reference_variant``, for differential SBC."""
    logger = setup_logging(log)
    if len(fit_paths) != len(truth_paths):
        raise ValueError(f"{len(fit_paths)} fits but {len(truth_paths)} truth tables; give one truth table per fit")
    frames, failed = [], 0
    for i, (path, truth_path) in enumerate(zip(fit_paths, truth_paths), 1):
        tree = read_fit(path)
        if fit_status(tree) != "ok":
            failed += 1
            logger.warning("%s: fit FAILED (%s); left out", path, tree.attrs.get("error", ""))
            continue
        truth = read_truth(truth_path)
        if truth is None:  # data of the user's own: nothing to score against
            logger.info("%s: no known truth (the scenario's own data); not scored", path)
            continue
        frames.append(fit_rows(tree, truth, settings["levels"], settings["rank_draws"]))
        if i % 100 == 0 or i == len(fit_paths):
            logger.info("scored %d/%d fits", i, len(fit_paths))
    replicates = combine(frames)
    tables = {
        "replicates": replicates,
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
    logger.info("wrote %s (%d fits scored, %d failed)", ", ".join(str(outputs[n]) for n in OUTPUTS),
                len(frames), failed)


if "snakemake" in globals():
    sm = globals()["snakemake"]
    main(list(sm.input.fits), list(sm.input.truths), dict(sm.params.calibration), list(sm.params.prior_scenarios),
         {name: sm.output[name] for name in OUTPUTS}, sm.params.reference, sm.log[0])
elif __name__ == "__main__":
    from zsneq.core import paths
    from zsneq.core.config import prior_scenarios
    from zsneq.core.paths import calibration_table
    from zsneq.workflow import load_config

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", default=paths.CONFIG)
    p.add_argument("--fits", nargs="+", required=True)
    p.add_argument("--truths", nargs="+", required=True, help="the truth table of each fit's dataset, in the same order")
    a = p.parse_args()
    config = load_config(a.config)
    main(a.fits, a.truths, config["calibration"], prior_scenarios(config),
         {name: calibration_table(name) for name in OUTPUTS}, config["reference_variant"])
