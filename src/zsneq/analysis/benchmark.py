"""Tables of the likelihood benchmark (``scripts/benchmarks/likelihoods.py``): speed and agreement of fits.

Every number comes from fits run side by side in one benchmark run; nothing here
times anything itself. Efficiency is measured on the top-level parameters (beta,
tau, sigma), the only ones every variant shares: ``min ess_bulk`` over them, and
ESS/s = min ess_bulk / sampling seconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zsneq.core.paths import BENCHMARK_TABLES

if TYPE_CHECKING:
    import xarray as xr

    from zsneq.core.dataset import Truth

BASELINE = "nonvectorized"  # the benchmark's default baseline, the thread's row-wise model: every ratio is to its fit
FIT_COLUMNS = ["variant", "compile_s", "sampling_s", "end_to_end_s", "min_ess_bulk", "ess_per_s", "peak_rss_mb",
               "divergences"]


def fit_row(tree: xr.DataTree, truth: Truth, end_to_end_s: float, peak_rss_mb: float) -> tuple[dict, pd.DataFrame]:
    """Speed figures of one fit, and its summary table (one row per top-level parameter)."""
    from zsneq.analysis.summarize import summarize_fit
    from zsneq.models.fit_file import fit_attrs  # here, so that reading and showing the tables needs no sampler

    summary = summarize_fit(tree, truth)
    attrs = fit_attrs(tree)
    min_ess = float(summary["ess_bulk"].min())
    row = {
        "variant": attrs["variant"],
        "compile_s": float(attrs["compile_seconds"]),
        "sampling_s": float(attrs["sampling_seconds"]),
        "end_to_end_s": float(end_to_end_s),
        "min_ess_bulk": min_ess,
        "ess_per_s": min_ess / float(attrs["sampling_seconds"]),
        "peak_rss_mb": float(peak_rss_mb),
        "divergences": int(summary["divergences"].iloc[0]),
    }
    return row, summary


def compare(rows: list[dict], summaries: dict[str, pd.DataFrame], reference: str) -> pd.DataFrame:
    """Add ratios to the reference and ``max |Δmean|/sd``: the largest posterior-mean difference
    from the reference over the top-level parameters, in units of the reference's posterior sd."""
    table = pd.DataFrame(rows, columns=FIT_COLUMNS)
    ref = table.set_index("variant").loc[reference]
    ref_summary = summaries[reference].set_index("parameter")
    table["baseline"] = table["variant"] == reference
    table["ess_per_s_ratio"] = table["ess_per_s"] / ref["ess_per_s"]
    table["end_to_end_speedup"] = ref["end_to_end_s"] / table["end_to_end_s"]
    table["max_dmean_sd"] = [
        float(np.max(np.abs(summaries[v].set_index("parameter")["mean"] - ref_summary["mean"]) / ref_summary["sd"]))
        for v in table["variant"]
    ]
    return table


def baseline_of(fits: pd.DataFrame) -> str:
    """The variant a benchmark table's ratios are relative to (column ``baseline``; tables written
    before it existed list their baseline first)."""
    if "baseline" in fits.columns and fits["baseline"].any():
        return str(fits.loc[fits["baseline"].astype(bool), "variant"].iloc[0])
    return str(fits["variant"].iloc[0])


def seconds_per_1000_ess(row: dict) -> float:
    return 1000.0 * row["sampling_s"] / row["min_ess_bulk"]


def _fmt(value: float, digits: int = 1) -> str:
    return "—" if value is None or not np.isfinite(value) else f"{value:,.{digits}f}"


FIT_HEADER = ["variant", "compile s", "sampling s", "end-to-end s", "min ess_bulk", "ESS/s", "ESS/s ratio",
              "end-to-end speed-up", "peak RSS MB", "max |Δmean|/sd", "divergences"]


def fit_rows(table: pd.DataFrame, reference: str) -> list[dict]:
    """The per-combination table's rows: variant, whether it is the reference, and the formatted
    cells of every column of ``FIT_HEADER`` after the variant."""
    return [
        {
            "variant": r.variant,
            "reference": r.variant == reference,
            "cells": [_fmt(r.compile_s), _fmt(r.sampling_s), _fmt(r.end_to_end_s), _fmt(r.min_ess_bulk, 0),
                      _fmt(r.ess_per_s), f"{_fmt(r.ess_per_s_ratio)}×", f"{_fmt(r.end_to_end_speedup)}×",
                      _fmt(r.peak_rss_mb, 0), _fmt(r.max_dmean_sd, 3), str(r.divergences)],
        }
        for r in table.itertuples()
    ]


def fits_markdown(table: pd.DataFrame, reference: str) -> str:
    """The per-combination table, as printed."""
    lines = ["| " + " | ".join(h.replace("|", "\\|") for h in FIT_HEADER) + " |", "|" + "---|" * len(FIT_HEADER)]
    for row in fit_rows(table, reference):
        name = f"`{row['variant']}`" + (" (reference)" if row["reference"] else "")
        lines.append(f"| {name} | " + " | ".join(row["cells"]) + " |")
    return "\n".join(lines)


def fast_variant(scaling: pd.DataFrame, reference: str) -> str:
    """The combination timed in every cell of the scaling table: the one that is not the reference."""
    return next(v for v in scaling["variant"] if v != reference)


def scaling_grid(scaling: pd.DataFrame, fast: str, reference: str) -> tuple[list[int], list[tuple[int, list[str]]]]:
    """Seconds of sampling per 1000 effective draws as a grid: the rows per group (columns), and
    per group count (rows) one cell per column.

    Each cell: the fast variant's figure, then the reference's where it was run.
    """
    rows_per_group = [int(n) for n in sorted(scaling["rows_per_group"].unique())]
    grid = []
    for groups in sorted(scaling["groups"].unique()):
        cells = []
        for n in rows_per_group:
            sub = scaling[(scaling["groups"] == groups) & (scaling["rows_per_group"] == n)].set_index("variant")
            text = _fmt(sub.loc[fast, "s_per_1000_ess"], 2) if fast in sub.index else "—"
            if reference in sub.index:
                text += f" (row-wise {_fmt(sub.loc[reference, 's_per_1000_ess'], 1)})"
            cells.append(text)
        grid.append((int(groups), cells))
    return rows_per_group, grid


def scaling_markdown(scaling: pd.DataFrame, fast: str, reference: str) -> str:
    """Seconds of sampling per 1000 effective draws, groups down, rows per group across (``scaling_grid``)."""
    rows_per_group, grid = scaling_grid(scaling, fast, reference)
    lines = [
        "| groups \\ rows per group | " + " | ".join(str(n) for n in rows_per_group) + " |",
        "|---|" + "---|" * len(rows_per_group),
    ]
    lines += [f"| {groups} | " + " | ".join(cells) + " |" for groups, cells in grid]
    return "\n".join(lines)


def read_tables(paths: Iterable[str | Path]) -> dict[str, pd.DataFrame | None]:
    """The benchmark's tables by name (``fits``, ``scaling``) from their CSV files; None for a table not given."""
    tables = {Path(p).stem: pd.read_csv(p) for p in paths}
    unknown = sorted(set(tables) - set(BENCHMARK_TABLES))
    if unknown:
        raise ValueError(f"unknown benchmark table(s) {unknown}; known: {', '.join(BENCHMARK_TABLES)}")
    return {name: tables.get(name) for name in BENCHMARK_TABLES}
