"""Figures built from the tidy summary table: the forest plot and the performance figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from zsneq.core.vocabulary import parameter_order  # noqa: E402

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
