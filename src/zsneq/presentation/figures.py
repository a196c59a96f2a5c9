"""The report's per-scenario figures as ``function(tables, scenario, settings) -> Figure``: what each entry of
``zsneq.core.figures.FIGURES`` calls, from the study tables it names."""

from __future__ import annotations

import pandas as pd

from zsneq.presentation.plots import (
    coverage_figure,
    forest_figure,
    performance_figure,
    sbc_ecdf_figure,
    sbc_rank_figure,
)


def _of(table: pd.DataFrame, scenario: str) -> pd.DataFrame:
    return table[table["scenario"] == scenario]


def forest(tables: dict, scenario: str, settings: dict):
    rows = _of(tables["summary"], scenario)
    return forest_figure(rows[rows["rep"] == 0], title=f"scenario {scenario}, replicate 0")


def performance(tables: dict, scenario: str, settings: dict):
    return performance_figure(_of(tables["summary"], scenario), title=f"scenario {scenario}")


def coverage(tables: dict, scenario: str, settings: dict):
    return coverage_figure(_of(tables["coverage"], scenario), title=f"scenario {scenario}")


def _sbc(tables: dict, scenario: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    reps = _of(tables["replicates"], scenario)
    if reps.empty:
        raise ValueError(f"no successful fits of scenario {scenario!r} to draw SBC figures of")
    return reps, _of(tables["sbc"], scenario)


def sbc_ranks(tables: dict, scenario: str, settings: dict):
    return sbc_rank_figure(*_sbc(tables, scenario), title=f"scenario {scenario}: ranks of the truths")


def sbc_ecdf(tables: dict, scenario: str, settings: dict):
    return sbc_ecdf_figure(*_sbc(tables, scenario), settings["alpha"], title=f"scenario {scenario}: PIT ECDF − uniform")
