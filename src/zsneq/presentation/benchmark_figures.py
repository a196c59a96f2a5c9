"""The likelihood benchmark's figure (``scripts/benchmarks/likelihoods.py``)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from zsneq.analysis.benchmark import baseline_of  # noqa: E402
from zsneq.presentation.plots import LEVEL_COLORS  # noqa: E402


def benchmark_figure(fits: pd.DataFrame, scaling: pd.DataFrame | None = None, reference: str | None = None,
                     title: str = "") -> plt.Figure:
    """The likelihood benchmark (``scripts/benchmarks/likelihoods.py``, tables ``fits`` and ``scaling``).

    Left: min ess_bulk per second of sampling per variant, log scale, the reference highlighted and
    every bar labelled with its ratio to the reference. Right, with ``scaling``: seconds of sampling
    per 1000 effective draws against rows per group, one colour per group count; solid: the fast
    variant, dashed: the reference where it was run.
    """
    reference = reference or baseline_of(fits)
    with_scaling = scaling is not None and len(scaling) > 0
    variants = list(fits["variant"])
    y = np.arange(len(variants))
    fig, axes = plt.subplots(1, 2 if with_scaling else 1, squeeze=False,
                             figsize=(12 if with_scaling else 6.5, max(3.6, 1.0 + 0.45 * len(variants))))
    ax = axes[0, 0]
    is_ref = fits["variant"].eq(reference).to_numpy()
    ax.barh(y, fits["ess_per_s"], color=np.where(is_ref, "tab:orange", "tab:blue"))
    for yi, (ess, ratio, ref) in enumerate(zip(fits["ess_per_s"], fits["ess_per_s_ratio"], is_ref)):
        label = "reference" if ref else f"{ratio:,.1f}×"
        ax.annotate(label, (ess, yi), xytext=(4, 0), textcoords="offset points", va="center", fontsize="small")
    ax.set_xscale("log")
    ax.set_xlim(right=fits["ess_per_s"].max() * 8)  # room for the labels
    ax.set_yticks(y, variants)
    for tick, ref in zip(ax.get_yticklabels(), is_ref):
        if ref:
            tick.set_fontweight("bold")
    ax.invert_yaxis()
    ax.set_xlabel("min ess_bulk per second of sampling (log)")
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    if with_scaling:
        ax = axes[0, 1]
        for j, (groups, sub) in enumerate(scaling.groupby("groups", sort=True)):
            color = LEVEL_COLORS[j % len(LEVEL_COLORS)]
            for variant, rows in sub.groupby("variant", sort=False):
                rows = rows.sort_values("rows_per_group")
                ref = variant == reference
                ax.plot(rows["rows_per_group"], rows["s_per_1000_ess"], ls="--" if ref else "-", marker="o",
                        mfc="white" if ref else color, color=color, label=None if ref else f"{groups} groups")
        for variant in dict.fromkeys(scaling["variant"]):
            if variant != reference:
                ax.plot([], [], color="0.3", ls="-", marker="o", label=variant)
        ax.plot([], [], color="0.3", ls="--", marker="o", mfc="white", label=f"{reference} (row-wise)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ticks = sorted(scaling["rows_per_group"].unique())
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.minorticks_off()
        ax.set_xlabel("rows per group")
        ax.set_ylabel("seconds of sampling\nper 1000 effective draws")
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize="small")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
