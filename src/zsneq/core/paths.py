"""Where every output lives: the one source of truth for result paths.

Each function returns a path under ``results/`` relative to the study directory. Called with
Snakemake wildcards as arguments (the defaults) it returns the rule's output pattern, e.g.
``fit()`` -> ``results/fits/{scenario}/{variant}/rep{rep}.nc``; called with values, the path of one
file. The rules use these functions; scripts take the paths Snakemake gives them.
"""

from __future__ import annotations

from pathlib import Path


def truth_path_for(data_path: str | Path) -> Path:
    """``results/data/s/rep0.parquet`` -> ``results/data/s/rep0.truth.parquet``."""
    data_path = Path(data_path)
    return data_path.with_name(data_path.stem + ".truth.parquet")


FIGURES = Path("results/figures")
DIAGNOSTIC_KINDS = ("rank", "trace", "energy")


def forest_path(scenario: str, root: Path = FIGURES) -> Path:
    return Path(root) / scenario / "forest.svg"


def performance_path(scenario: str, root: Path = FIGURES) -> Path:
    return Path(root) / scenario / "performance.svg"


CALIBRATION = Path("results/calibration")


def coverage_figure_path(scenario: str, root: Path = CALIBRATION) -> Path:
    return Path(root) / scenario / "coverage.svg"


def sbc_figure_path(scenario: str, kind: str, root: Path = CALIBRATION) -> Path:
    """``kind``: ``ranks`` (rank histograms) or ``ecdf`` (PIT ECDF differences with simultaneous bands)."""
    return Path(root) / scenario / f"sbc_{kind}.svg"


def diagnostic_path(scenario: str, variant: str, rep: int, kind: str, root: Path = FIGURES) -> Path:
    return Path(root) / scenario / variant / f"rep{rep}_{kind}.png"


BENCHMARK = Path("results/benchmark")
BENCHMARK_TABLES = ("fits", "scaling")  # <name>.csv, written by benchmarks/likelihoods.py


def benchmark_table_paths(root: Path = BENCHMARK) -> list[Path]:
    """The likelihood benchmark's tables under ``root`` that exist: ``fits.csv`` and, if present,
    ``scaling.csv``; none without ``fits.csv``."""
    paths = [Path(root) / f"{name}.csv" for name in BENCHMARK_TABLES]
    return [p for p in paths if p.is_file()] if paths[0].is_file() else []


def benchmark_figure_path(root: Path = FIGURES) -> Path:
    return Path(root) / "benchmark.svg"
