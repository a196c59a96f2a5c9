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


QUANTITY_LABELS = {"mean": "mean", "q5": "5%", "q95": "95%"}


def differences(tables: dict, scenario: str, settings: dict):
    """Each variant's difference from the baseline in the posterior mean, 5% and 95% quantile of every
    parameter (replicate 0), in baseline posterior sds, with the one-sided ``z(1 - alpha)`` bound the
    agreement rule uses; the shaded band is the equivalence margin. A variant whose bars all end inside the
    band agrees; one whose bar lies wholly outside it (beyond its disagreement bound) disagrees."""
    import matplotlib.pyplot as plt
    import numpy as np

    from zsneq.core.vocabulary import parameter_order

    rows = _of(tables["parameter_verdicts"], scenario)
    rows = rows[(rows["rep"] == rows["rep"].min()) & (rows["variant"] != rows["baseline"])]
    params = parameter_order(rows["parameter"])
    variants = list(dict.fromkeys(rows["variant"]))
    fig, axes = plt.subplots(1, len(QUANTITY_LABELS), figsize=(9, 1.4 + 0.32 * max(1, len(params)) * max(1, len(variants)) / 2),
                             sharey=True, squeeze=False)
    colors = plt.get_cmap("tab10").colors
    offsets = np.linspace(-0.3, 0.3, len(variants)) if len(variants) > 1 else np.zeros(1)
    margin = float(rows["margin"].iloc[0]) if len(rows) else 0.2
    for ax, (q, label) in zip(axes[0], QUANTITY_LABELS.items()):
        ax.axvspan(-margin, margin, color="0.9", zorder=0)
        ax.axvline(0, color="0.5", lw=0.8)
        for j, variant in enumerate(variants):
            sub = rows[rows["variant"] == variant].set_index("parameter").reindex(params)
            delta = (sub[f"delta_{q}"] / sub["base_sd"]).to_numpy(float)
            half = (sub["z_agree"] * sub[f"se_{q}"] / sub["base_sd"]).to_numpy(float)
            y = np.arange(len(params)) + offsets[j]
            ax.errorbar(delta, y, xerr=half, fmt="o", ms=3, color=colors[j % 10], lw=1.5,
                        label=variant if q == "mean" else None)
        ax.set_title(f"Δ {label}", fontsize="medium")
        ax.set_xlabel("baseline sd")
        ax.grid(axis="x", alpha=0.3)
    axes[0, 0].set_yticks(range(len(params)), params)
    axes[0, 0].set_ylim(len(params) - 0.5, -0.5)
    baseline = rows["baseline"].iloc[0] if len(rows) else "the baseline"
    fig.suptitle(f"scenario {scenario}: difference from {baseline} (band: margin ±{margin:g} sd)")
    fig.tight_layout()
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=min(3, max(1, len(labels))),
               frameon=False, fontsize="small")
    return fig
