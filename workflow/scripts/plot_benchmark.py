"""The likelihood benchmark's figure from its tables (written by ``scripts/benchmarks/likelihoods.py``).

Under Snakemake (rule ``plot_benchmark``) or from the command line:
    python workflow/scripts/plot_benchmark.py --benchmark results/benchmark --out results/figures/benchmark.svg
"""

import argparse
import sys
from pathlib import Path

_here = (Path(snakemake.scriptdir) if "snakemake" in globals() else Path(__file__).parent).resolve()  # noqa: F821
sys.path.insert(0, str(_here.parents[1] / "src"))

from zsneq.analysis.benchmark import read_tables  # noqa: E402
from zsneq.core.io import setup_logging  # noqa: E402
from zsneq.presentation.benchmark_figures import benchmark_figure  # noqa: E402
from zsneq.presentation.plots import save_figure  # noqa: E402


def main(table_paths, out, log=None) -> None:
    """``table_paths``: ``fits.csv`` and, if present, ``scaling.csv`` of the benchmark."""
    logger = setup_logging(log)
    tables = read_tables(table_paths)
    if tables["fits"] is None:
        given = ", ".join(map(str, table_paths)) or "none"
        raise FileNotFoundError(f"no fits.csv among the benchmark tables ({given}); scripts/benchmarks/likelihoods.py writes it")
    save_figure(benchmark_figure(tables["fits"], tables["scaling"]), out)
    logger.info("wrote %s", out)


if "snakemake" in globals():
    sm = globals()["snakemake"]
    main(sm.input.tables, sm.output[0], sm.log[0])
elif __name__ == "__main__":
    from zsneq.core.paths import BENCHMARK_FIGURE, benchmark_tables

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] + " (at their places under results/)")
    p.parse_args()
    main(benchmark_tables(), BENCHMARK_FIGURE)
