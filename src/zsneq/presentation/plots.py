"""Figures built from the tidy summary table."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from zsneq.analysis.benchmark import REFERENCE  # noqa: E402
from zsneq.core.vocabulary import parameter_order  # noqa: E402


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
        len(families), 1, figsize=(7, 1.2 + 0.45 * len(variants) * sum(heights) / 2),
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
    axes[0, 0].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize="small")
    if title:
        axes[0, 0].set_title(title)
    axes[-1, 0].set_xlabel("posterior mean and 94% HDI")
    fig.tight_layout()
    return fig


def save_figure(fig: plt.Figure, path) -> None:
    from zsneq.core.io import atomic_path

    fmt = str(path).rsplit(".", 1)[-1]
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, bbox_inches="tight", metadata={"Date": None})  # reproducible files
    plt.close(fig)


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


LEVEL_COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown")


def coverage_figure(coverage: pd.DataFrame, title: str = "") -> plt.Figure:
    """Coverage of the central intervals per variant (panels) and parameter (rows), one colour per level.

    Filled markers: against the value the model targets (for beta, the simulated groups' mean slope);
    hollow: beta against the population mean. Bars: 95% Clopper-Pearson intervals; dashed lines: the
    nominal levels. ``coverage`` holds one scenario (``results/calibration/coverage.parquet`` rows).
    """
    variants = list(dict.fromkeys(coverage["variant"]))
    levels = sorted(coverage["level"].unique())
    params = parameter_order(coverage["parameter"])
    rows = [(p, kind) for p in params for kind in ("target", "population")
            if ((coverage["parameter"] == p) & (coverage["truth_kind"] == kind)).any()]
    labels = [f"{p} vs {'groups’ mean' if kind == 'target' and p.startswith('beta') else kind}"
              if p.startswith("beta") else p for p, kind in rows]
    fig, axes = plt.subplots(1, len(variants), figsize=(2.2 + 3.0 * len(variants), 0.8 + 0.32 * len(rows)),
                             sharey=True, squeeze=False)
    offsets = np.linspace(-0.25, 0.25, len(levels)) if len(levels) > 1 else np.zeros(1)
    for ax, variant in zip(axes[0], variants):
        sub = coverage[coverage["variant"] == variant]
        for j, level in enumerate(levels):
            color = LEVEL_COLORS[j % len(LEVEL_COLORS)]
            ax.axvline(level, color=color, ls="--", lw=0.8)
            for i, (p, kind) in enumerate(rows):
                r = sub[(sub["parameter"] == p) & (sub["truth_kind"] == kind) & (sub["level"] == level)]
                if r.empty:
                    continue
                r = r.iloc[0]
                y = i + offsets[j]
                ax.plot([r["ci_lower"], r["ci_upper"]], [y, y], color=color, lw=1.2)
                ax.plot(r["coverage"], y, "o", color=color, mfc=color if kind == "target" else "white", ms=4.5,
                        label=f"{100 * level:g}% interval" if i == 0 else None)
        n = int(sub["n"].max()) if len(sub) else 0
        ax.set_title(f"{variant}\n(n = {n} replicates)", fontsize="small")
        ax.set_xlim(-0.02, 1.02)
        ax.set_xlabel("coverage")
        ax.grid(axis="x", alpha=0.3)
    axes[0, 0].set_yticks(range(len(rows)), labels)
    axes[0, 0].set_ylim(len(rows) - 0.5, -0.5)
    axes[0, -1].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize="small")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _sbc_grid(replicates: pd.DataFrame):
    variants = list(dict.fromkeys(replicates["variant"]))
    params = parameter_order(replicates["parameter"])
    return variants, params


def sbc_verdict_label(sbc: pd.DataFrame, variant: str, parameter: str) -> str:
    row = sbc[(sbc["variant"] == variant) & (sbc["parameter"] == parameter)]
    if row.empty or pd.isna(row["passes"].iloc[0]):
        return "no verdict"
    return "pass" if bool(row["passes"].iloc[0]) else "FAIL"


def sbc_rank_figure(replicates: pd.DataFrame, sbc: pd.DataFrame, title: str = "") -> plt.Figure:
    """Histograms of the ranks of the truths among the thinned draws: rows variants, columns parameters.

    Grey: where 99% of each bin's counts fall if the ranks are uniform (binomial, bin by bin).
    ``replicates`` holds one scenario.
    """
    from scipy.stats import binom

    variants, params = _sbc_grid(replicates)
    L = int(replicates["rank_draws"].iloc[0])
    fig, axes = plt.subplots(len(variants), len(params), figsize=(1.2 + 2.1 * len(params), 0.6 + 1.6 * len(variants)),
                             sharex=True, squeeze=False)
    for i, variant in enumerate(variants):
        for j, param in enumerate(params):
            ax = axes[i, j]
            ranks = replicates.loc[(replicates["variant"] == variant) & (replicates["parameter"] == param), "rank"]
            n = len(ranks)
            bins = int(np.clip(n // 10, 1, min(20, L + 1)))
            edges = np.linspace(0, L + 1, bins + 1)
            counts, _ = np.histogram(ranks.to_numpy() + 0.5, bins=edges)  # rank r covers [r, r + 1)
            width = np.diff(edges)
            p = width / (L + 1)
            lo, hi = binom.ppf(0.005, n, p), binom.ppf(0.995, n, p)
            ax.bar(edges[:-1], hi - lo, bottom=lo, width=width, align="edge", color="0.88", lw=0)
            ax.bar(edges[:-1], counts, width=width, align="edge", fill=False, edgecolor="tab:blue", lw=1)
            ax.axhline(n / bins, color="0.4", lw=0.8)
            verdict = sbc_verdict_label(sbc, variant, param)
            ax.set_title(f"{param} · {verdict}", fontsize="small", color="tab:red" if verdict == "FAIL" else "black")
            if j == 0:
                ax.set_ylabel(f"{variant}\ncount", fontsize="small")
            if i == len(variants) - 1:
                ax.set_xlabel(f"rank among {L} draws", fontsize="small")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def sbc_ecdf_figure(replicates: pd.DataFrame, sbc: pd.DataFrame, alpha: float, title: str = ""):
    """ECDF differences of the ranks' PIT values (ArviZ ``plot_ecdf_pit``) with simultaneous bands.

    Rows variants, columns parameters. The band is ArviZ's simultaneous band
    (``arviz_stats.ecdf_utils.ecdf_pit``) at probability ``1 - alpha / K`` for K parameters, the
    band the pass/fail rule uses (``zsneq.calibration``). Replicates where some variant's fit failed
    are left out so that every panel has the same replicates.
    """
    import warnings

    import arviz_plots as azp
    import xarray as xr
    from arviz_plots import PlotCollection
    from zsneq.analysis.calibration import pit_values, sbc_band

    variants, params = _sbc_grid(replicates)
    L = int(replicates["rank_draws"].iloc[0])
    ranks = replicates.pivot_table(index="rep", columns=["variant", "parameter"], values="rank").dropna()
    pit = {
        p: (("variant", "replicate"), np.stack([pit_values(ranks[(v, p)].to_numpy(), L) for v in variants]))
        for p in params
    }
    ds = xr.Dataset(pit, coords={"variant": variants, "replicate": ranks.index.to_numpy()})
    prob = 1 - alpha / len(params)
    pc = PlotCollection.grid(ds, cols=["__variable__"], rows=["variant"], backend="matplotlib",
                             figure_kwargs={"figsize": (1.2 + 2.3 * len(params), 0.6 + 1.7 * len(variants)),
                                            "sharex": True, "sharey": True})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        azp.plot_ecdf_pit(xr.DataTree.from_dict({"sbc": ds}), group="sbc", sample_dims=["replicate"],
                          plot_collection=pc, envelope_prob=prob,
                          visuals={"p_value_text": False, "suspicious_points": False, "title": False,
                                   "xlabel": False})
    points, lower, upper = sbc_band(ds.sizes["replicate"], prob)
    for variant in variants:
        for param in params:
            ax = pc.get_target(param, {"variant": variant})
            ax.fill_between(points, lower - points, upper - points, step="post", color="0.85", lw=0, zorder=0)
            verdict = sbc_verdict_label(sbc, variant, param)
            ax.set_title(f"{param} · {verdict}", fontsize="small", color="tab:red" if verdict == "FAIL" else "black")
            if param == params[0]:
                ax.set_ylabel(f"{variant}\nΔ ECDF", fontsize="small")
            if variant == variants[-1]:
                ax.set_xlabel("PIT of the rank", fontsize="small")
    fig = ax.figure
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def benchmark_figure(fits: pd.DataFrame, scaling: pd.DataFrame | None = None, reference: str = REFERENCE,
                     title: str = "") -> plt.Figure:
    """The likelihood benchmark (``benchmarks/likelihoods.py``, tables ``fits`` and ``scaling``).

    Left: min ess_bulk per second of sampling per variant, log scale, the reference highlighted and
    every bar labelled with its ratio to the reference. Right, with ``scaling``: seconds of sampling
    per 1000 effective draws against rows per group, one colour per group count; solid: the fast
    variant, dashed: the reference where it was run.
    """
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
