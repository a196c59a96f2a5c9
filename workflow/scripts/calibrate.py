"""Score every fit against its truth across replicates: coverage of central intervals and SBC ranks.

Writes, under results/calibration/: ``replicates.parquet`` (per scenario, replicate, variant and
parameter: central intervals, rank of the truth, ESS), ``coverage.parquet``, ``sbc.parquet`` (p-value and
pass/fail per parameter of scenarios with ``truth: prior``), ``sbc_paired.parquet`` (each variant's ranks
against the reference's on the same datasets), ``sbc_variants.parquet`` and ``batching.parquet``
(compile seconds saved by batching).

Under Snakemake (rule ``calibrate``) or from the command line:
    python workflow/scripts/calibrate.py --config config/calibration.yaml --outdir results/calibration \
        results/fits/*/*/rep*.nc
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
from zsneq.core.paths import truth_path_for  # noqa: E402
from zsneq.models.fit import fit_status, read_fit  # noqa: E402

OUTPUTS = ("replicates", "coverage", "sbc", "sbc_variants", "batching")


def main(fit_paths, settings: dict, prior_scenarios, outputs: dict, log=None, reference=None) -> None:
    """``settings``: the config's ``calibration`` mapping; ``outputs``: a path for each of ``OUTPUTS`` (and
    optionally ``sbc_paired``); ``reference``: the config's ``reference_variant`` for differential SBC."""
    logger = setup_logging(log)
    frames, failed = [], 0
    for i, path in enumerate(fit_paths, 1):
        tree = read_fit(path)
        if fit_status(tree) != "ok":
            failed += 1
            logger.warning("%s: fit FAILED (%s); left out", path, tree.attrs.get("error", ""))
            continue
        truth = read_truth(truth_path_for(tree.attrs["dataset"]))
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
    paired = (sbc_paired_table(replicates, prior_scenarios, reference, settings["alpha"]) if reference
              else None)
    tables["sbc_variants"] = sbc_variants(tables["sbc"], paired)
    if paired is not None and outputs.get("sbc_paired"):
        with atomic_path(outputs["sbc_paired"]) as tmp:
            paired.to_parquet(tmp, index=False)
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
    main(sm.input.fits, dict(sm.params.calibration), list(sm.params.prior_scenarios),
         {name: sm.output.get(name) for name in (*OUTPUTS, "sbc_paired")}, sm.log[0],
         reference=sm.params.get("reference") or sm.config.get("reference_variant", "nonvectorized"))
elif __name__ == "__main__":
    from zsneq.core.config import prior_scenarios
    from zsneq.workflow import load_config

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", default="config/config.yaml")
    p.add_argument("--outdir", default="results/calibration")
    p.add_argument("fits", nargs="+")
    a = p.parse_args()
    config = load_config(a.config)
    main(a.fits, config["calibration"], prior_scenarios(config),
         {name: Path(a.outdir) / f"{name}.parquet" for name in (*OUTPUTS, "sbc_paired")},
         reference=config["reference_variant"])
