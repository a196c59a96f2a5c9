"""Figures built from the tidy summary table: the forest plot and the performance figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from zsneq.core.vocabulary import parameter_order  # noqa: E402
from zsneq.presentation.plots import of_scenario  # noqa: E402

FOREST_WIDTH = 10  # inches; the report shows the forest plot at the page's full width


def forest_figure(summary: pd.DataFrame, title: str = "") -> plt.Figure:
    """Posterior mean and 94% HDI of every top-level parameter per variant, truth marked.

    Dashed: the value the model targets; dotted: the population value where it differs
    (beta: the simulated groups' mean slope vs the mean they were drawn around).

    One panel per parameter family (beta, tau, sigma) because their scales differ.
    ``summary`` holds one scenario and one replicate.
    """
    variants = list(dict.fromkeys(summary["variant"]))
    families = [f for f in ("beta", "tau", "sigma") if (summary["parameter"].str.split("[").str[0] == f).any()]
    heights = [max(1, summary.loc[summary["parameter"].str.startswith(f), "parameter"].nunique()) for f in families]
    fig, axes = plt.subplots(
        len(families), 1, figsize=(FOREST_WIDTH, 1.6 + 0.45 * len(variants) * sum(heights) / 2),
        height_ratios=heights, squeeze=False,
    )
    colors = plt.get_cmap("tab10").colors
    offsets = np.linspace(-0.3, 0.3, len(variants)) if len(variants) > 1 else np.zeros(1)
    for ax, family in zip(axes[:, 0], families):
        sub = summary[summary["parameter"].str.split("[").str[0] == family]
        params = parameter_order(sub["parameter"])
        ypos = {p: i for i, p in enumerate(params)}
        for j, variant in enumerate(variants):
            rows = sub[sub["variant"] == variant]
            y = np.array([ypos[p] for p in rows["parameter"]]) + offsets[j]
            ax.hlines(y, rows["hdi_3%"], rows["hdi_97%"], color=colors[j % 10], lw=2)
            ax.plot(rows["mean"], y, "o", color=colors[j % 10], label=variant if family == families[0] else None)
        marks = sub.drop_duplicates("parameter").set_index("parameter")
        for p, row in marks.iterrows():
            if np.isfinite(row["target"]):
                ax.plot([row["target"]] * 2, [ypos[p] - 0.42, ypos[p] + 0.42], color="black", lw=1.5, ls="--")
            if np.isfinite(row["truth"]) and row["truth"] != row["target"]:
                ax.plot([row["truth"]] * 2, [ypos[p] - 0.42, ypos[p] + 0.42], color="0.5", lw=1.2, ls=":")
        ax.set_yticks(range(len(params)), params)
        ax.set_ylim(len(params) - 0.5, -0.5)
        ax.grid(axis="x", alpha=0.3)
    axes[0, 0].plot([], [], color="black", ls="--", label="target")
    axes[0, 0].plot([], [], color="0.5", ls=":", label="population truth")
    if title:
        fig.suptitle(title)
    axes[-1, 0].set_xlabel("posterior mean and 94% HDI")
    fig.tight_layout()
    # the legend below the panels (saved with bbox_inches="tight"), so they take the figure's whole width
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=min(3, len(labels)),
               frameon=False, fontsize="small")
    return fig


def performance_figure(summary: pd.DataFrame, title: str = "") -> plt.Figure:
    """Wall time (compile, sampling) and ESS per second of sampling, per variant (mean over replicates)."""
    per_fit = summary.groupby(["variant", "rep"], sort=False).agg(
        compile_seconds=("compile_seconds", "first"),
        sampling_seconds=("sampling_seconds", "first"),
        min_ess_bulk=("ess_bulk", "min"),
    )
    per_fit["ess_per_s"] = per_fit["min_ess_bulk"] / per_fit["sampling_seconds"]
    per_variant = per_fit.groupby("variant", sort=False).mean()
    variants = list(per_variant.index)
    y = np.arange(len(variants))
    fig, (ax_t, ax_e) = plt.subplots(1, 2, figsize=(9, 0.6 + 0.45 * len(variants)), sharey=True)
    ax_t.barh(y, per_variant["compile_seconds"], color="0.7", label="compile")
    ax_t.barh(y, per_variant["sampling_seconds"], left=per_variant["compile_seconds"], color="tab:blue",
              label="sampling")
    ax_t.set_yticks(y, variants)
    ax_t.invert_yaxis()
    ax_t.set_xlabel("wall time per fit (s)")
    ax_t.legend(frameon=False, fontsize="small")
    ax_e.barh(y, per_variant["ess_per_s"], color="tab:green")
    ax_e.set_xlabel("min ess_bulk per second of sampling")
    for ax in (ax_t, ax_e):
        ax.grid(axis="x", alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


# --- the report's figures (zsneq.core.figures.FIGURES): function(tables, scenario, settings) ---------------


def forest(tables: dict, scenario: str, settings: dict):
    rows = of_scenario(tables["summary"], scenario)
    return forest_figure(rows[rows["rep"] == 0], title=f"scenario {scenario}, replicate 0")


def performance(tables: dict, scenario: str, settings: dict):
    return performance_figure(of_scenario(tables["summary"], scenario), title=f"scenario {scenario}")


QUANTITY_LABELS = {"mean": "mean", "q5": "5%", "q95": "95%"}


def differences(tables: dict, scenario: str, settings: dict):
    """Each variant's difference from the baseline in the posterior mean, 5% and 95% quantile of every
    parameter (replicate 0), in baseline posterior sds, with the one-sided ``z(1 - alpha)`` bound the
    agreement rule uses; the shaded band is the equivalence margin. A variant whose bars all end inside the
    band agrees; one whose bar lies wholly outside it (beyond its disagreement bound) disagrees."""
    import matplotlib.pyplot as plt
    import numpy as np

    from zsneq.core.vocabulary import parameter_order

    rows = of_scenario(tables["parameter_verdicts"], scenario)
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
