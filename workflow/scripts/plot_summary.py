"""Per-scenario figures from the summary table: ``forest`` (replicate 0) or ``performance``.

Under Snakemake (rules ``plot_forest``, ``plot_performance``) or from the command line:
    python workflow/scripts/plot_summary.py --kind forest --summary results/summary/summary.parquet \
        --scenario seed --out results/figures/seed/forest.svg
"""

import argparse
import sys
from pathlib import Path

_here = (Path(snakemake.scriptdir) if "snakemake" in globals() else Path(__file__).parent).resolve()  # noqa: F821
sys.path.insert(0, str(_here.parents[1] / "src"))

from zsneq.core.io import setup_logging  # noqa: E402
from zsneq.presentation.plots import save_figure  # noqa: E402
from zsneq.presentation.summary_figures import forest_figure, performance_figure  # noqa: E402


def main(kind, summary_path, scenario, out, log=None) -> None:
    import pandas as pd

    logger = setup_logging(log)
    summary = pd.read_parquet(summary_path)
    rows = summary[summary["scenario"] == scenario]
    if kind == "forest":
        fig = forest_figure(rows[rows["rep"] == 0], title=f"scenario {scenario}, replicate 0")
    elif kind == "performance":
        fig = performance_figure(rows, title=f"scenario {scenario}")
    else:
        raise ValueError(f"unknown figure kind {kind!r}; known: forest, performance")
    save_figure(fig, out)
    logger.info("wrote %s", out)


if "snakemake" in globals():
    sm = globals()["snakemake"]
    main(sm.params.kind, sm.input.summary, sm.wildcards.scenario, sm.output[0], sm.log[0])
elif __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kind", choices=["forest", "performance"], required=True)
    p.add_argument("--summary", required=True)
    p.add_argument("--scenario", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    main(a.kind, a.summary, a.scenario, a.out)
