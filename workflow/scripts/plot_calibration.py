"""Calibration figures of one scenario: ``coverage`` (coverage.svg) or ``sbc`` (sbc_ranks.svg, sbc_ecdf.svg).

Under Snakemake (rules ``plot_coverage``, ``plot_sbc``) or from the command line:
    python workflow/scripts/plot_calibration.py --kind coverage --scenario sbc \
        --coverage results/calibration/coverage.parquet --out results/calibration/sbc/coverage.svg
    python workflow/scripts/plot_calibration.py --kind sbc --scenario sbc --config config/calibration.yaml \
        --replicates results/calibration/replicates.parquet --sbc results/calibration/sbc.parquet \
        --out results/calibration/sbc/sbc_ranks.svg results/calibration/sbc/sbc_ecdf.svg
"""

import argparse
import sys
from pathlib import Path

_here = (Path(snakemake.scriptdir) if "snakemake" in globals() else Path(__file__).parent).resolve()  # noqa: F821
sys.path.insert(0, str(_here.parents[1] / "src"))

from zsneq.core.io import setup_logging  # noqa: E402
from zsneq.presentation.calibration_figures import coverage_figure, sbc_ecdf_figure, sbc_rank_figure  # noqa: E402
from zsneq.presentation.plots import save_figure  # noqa: E402


def main(kind, scenario, outs, *, coverage=None, replicates=None, sbc=None, alpha=0.05, log=None) -> None:
    import pandas as pd

    logger = setup_logging(log)
    if kind == "coverage":
        table = pd.read_parquet(coverage)
        save_figure(coverage_figure(table[table["scenario"] == scenario], title=f"scenario {scenario}"), outs[0])
    elif kind == "sbc":
        reps, verdicts = pd.read_parquet(replicates), pd.read_parquet(sbc)
        reps, verdicts = reps[reps["scenario"] == scenario], verdicts[verdicts["scenario"] == scenario]
        if reps.empty:
            raise ValueError(f"no successful fits of scenario {scenario!r} in {replicates}")
        save_figure(sbc_rank_figure(reps, verdicts, title=f"scenario {scenario}: ranks of the truths"), outs[0])
        save_figure(sbc_ecdf_figure(reps, verdicts, alpha, title=f"scenario {scenario}: PIT ECDF − uniform"),
                    outs[1])
    else:
        raise ValueError(f"unknown figure kind {kind!r}; known: coverage, sbc")
    logger.info("wrote %s", ", ".join(map(str, outs)))


if "snakemake" in globals():
    sm = globals()["snakemake"]
    inputs = {k: sm.input.get(k) for k in ("coverage", "replicates", "sbc")}
    main(sm.params.kind, sm.wildcards.scenario, list(sm.output), alpha=sm.params.alpha,
         log=sm.log[0], **inputs)
elif __name__ == "__main__":
    from zsneq.workflow import load_config

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kind", choices=["coverage", "sbc"], required=True)
    p.add_argument("--scenario", required=True)
    p.add_argument("--config", default="config/config.yaml")
    p.add_argument("--coverage")
    p.add_argument("--replicates")
    p.add_argument("--sbc")
    p.add_argument("--out", nargs="+", required=True)
    a = p.parse_args()
    main(a.kind, a.scenario, a.out, coverage=a.coverage, replicates=a.replicates, sbc=a.sbc,
         alpha=load_config(a.config)["calibration"]["alpha"])
