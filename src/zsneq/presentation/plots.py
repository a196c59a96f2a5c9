"""Figures built from the tidy summary table."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from zsneq.analysis.benchmark import baseline_of  # noqa: E402
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


SAVE_RC = {
    "svg.fonttype": "none",  # SVG text as text, not glyph outlines: a fraction of the bytes, selectable
    "path.simplify": True,
    "path.simplify_threshold": 0.5,  # drop vertices closer than half a pixel to the line through their neighbours
}


PNG_COLORS = 64  # a plot's flat colours and their antialiased edges fit a palette this size; a third of RGBA's bytes


def save_figure(fig: plt.Figure, path, dpi: float = 100) -> None:
    """Save ``fig`` (format from the suffix) without a date, so reruns give the same file.

    SVG text stays text (``SAVE_RC``); a PNG is stored with a palette of ``PNG_COLORS`` colours
    (:func:`palette_png`).
    """
    import io

    from zsneq.core.io import atomic_path

    fmt = str(path).rsplit(".", 1)[-1]
    with atomic_path(path) as tmp, plt.rc_context(SAVE_RC):
        if fmt == "png":
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
            Path(tmp).write_bytes(palette_png(buffer.getvalue()))
        else:
            fig.savefig(tmp, format=fmt, dpi=dpi, bbox_inches="tight", metadata={"Date": None})  # reproducible files
    plt.close(fig)


def palette_png(png: bytes, colors: int = PNG_COLORS) -> bytes:
    """A PNG image re-encoded with an adaptive palette of at most ``colors`` colours (no dithering), opaque."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        rgb = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image.convert("RGBA")).convert("RGB")
    out = io.BytesIO()
    rgb.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(out, "PNG", optimize=True)
    return out.getvalue()


def row_label(ax, variant: str, what: str) -> None:
    """Label a row of panels with its variant, horizontally, broken before each ``+`` axis value, and what the
    y axis shows (a rotated label as long as a variant name would run past its row into the next one)."""
    ax.set_ylabel(variant.replace("+", "\n+") + f"\n\n{what}", rotation=0, ha="right", va="center",
                  fontsize="small", labelpad=8)


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

    Ranks are drawn on the scale of ``L`` draws as ``(L + 1) * PIT`` (``replicate_pits``), so fits ranked
    among fewer draws (bulk ESS below ``L``) share the axis. Grey: where 99% of each bin's counts fall if
    the ranks are uniform (binomial, bin by bin). ``replicates`` holds one scenario.
    """
    from scipy.stats import binom

    from zsneq.analysis.calibration import replicate_pits

    variants, params = _sbc_grid(replicates)
    L = int(replicates["rank_draws"].iloc[0])
    replicates = replicates.assign(scaled_rank=(L + 1) * replicate_pits(replicates))
    fig, axes = plt.subplots(len(variants), len(params), figsize=(2.0 + 2.1 * len(params), 0.8 + 1.7 * len(variants)),
                             sharex=True, squeeze=False)
    for i, variant in enumerate(variants):
        for j, param in enumerate(params):
            ax = axes[i, j]
            ranks = replicates.loc[(replicates["variant"] == variant) & (replicates["parameter"] == param),
                                   "scaled_rank"]
            n = len(ranks)
            bins = int(np.clip(n // 10, 1, min(20, L + 1)))
            edges = np.linspace(0, L + 1, bins + 1)
            counts, _ = np.histogram(ranks.to_numpy(), bins=edges)  # rank r among L draws lies in [r, r + 1)
            p = np.diff(edges) / (L + 1)
            lo, hi = binom.ppf(0.005, n, p), binom.ppf(0.995, n, p)
            ax.stairs(hi, edges, baseline=lo, fill=True, color="0.88", lw=0)  # one path per panel, not a bar each
            ax.stairs(counts, edges, color="tab:blue", lw=1.2)
            ax.axhline(n / bins, color="0.4", lw=0.8)
            ax.set_ylim(bottom=0)
            verdict = sbc_verdict_label(sbc, variant, param)
            ax.set_title(f"{param} · {verdict}", fontsize="small", color="tab:red" if verdict == "FAIL" else "black")
            if j == 0:
                row_label(ax, variant, "count")
            if i == len(variants) - 1:
                ax.set_xlabel(f"rank among {L} draws", fontsize="small")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


BAND_POINTS = 101  # steps of the drawn SBC band: a panel is ~200 px wide, finer steps only add bytes


def sbc_ecdf_figure(replicates: pd.DataFrame, sbc: pd.DataFrame, alpha: float, title: str = ""):
    """ECDF differences of the ranks' PIT values (``replicate_pits``, as the rule scores them; ArviZ
    ``plot_ecdf_pit``) with simultaneous bands.

    Rows variants, columns parameters. The band is ArviZ's simultaneous band
    (``arviz_stats.ecdf_utils.ecdf_pit``) at probability ``1 - alpha / K`` for K parameters, the
    band the pass/fail rule uses (``zsneq.calibration``), drawn with at most ``BAND_POINTS`` steps (with more
    replicates each spans a few ECDF steps), corners joined by straight lines. Replicates where some variant's fit failed
    are left out so that every panel has the same replicates.
    """
    import warnings

    import arviz_plots as azp
    import xarray as xr
    from arviz_plots import PlotCollection

    from zsneq.analysis.calibration import replicate_pits, sbc_band

    variants, params = _sbc_grid(replicates)
    pits = replicates.assign(pit=replicate_pits(replicates)).pivot_table(
        index="rep", columns=["variant", "parameter"], values="pit").dropna()
    pit = {p: (("variant", "replicate"), np.stack([pits[(v, p)].to_numpy() for v in variants])) for p in params}
    ds = xr.Dataset(pit, coords={"variant": variants, "replicate": pits.index.to_numpy()})
    prob = 1 - alpha / len(params)
    pc = PlotCollection.grid(ds, cols=["__variable__"], rows=["variant"], backend="matplotlib",
                             figure_kwargs={"figsize": (2.0 + 2.3 * len(params), 0.8 + 1.7 * len(variants)),
                                            "sharex": True, "sharey": True})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        azp.plot_ecdf_pit(xr.DataTree.from_dict({"sbc": ds}), group="sbc", sample_dims=["replicate"],
                          plot_collection=pc, envelope_prob=prob,
                          visuals={"p_value_text": False, "suspicious_points": False, "title": False,
                                   "xlabel": False})
    points, lower, upper = sbc_band(ds.sizes["replicate"], prob)
    keep = np.unique(np.linspace(0, len(points) - 1, min(len(points), BAND_POINTS)).round().astype(int))
    points, lower, upper = points[keep], lower[keep], upper[keep]  # the band at most BAND_POINTS steps wide
    reach = 0.0
    for variant in variants:
        for param in params:
            ax = pc.get_target(param, {"variant": variant})
            ax.fill_between(points, lower - points, upper - points, color="0.85", lw=0, zorder=0)
            reach = max(reach, *(np.abs(line.get_ydata()).max() for line in ax.get_lines() if len(line.get_ydata())))
            verdict = sbc_verdict_label(sbc, variant, param)
            ax.set_title(f"{param} · {verdict}", fontsize="small", color="tab:red" if verdict == "FAIL" else "black")
            if param == params[0]:
                row_label(ax, variant, "Δ ECDF")
            if variant == variants[-1]:
                ax.set_xlabel("PIT of the rank", fontsize="small")
    fig = ax.figure
    reach = max(reach, float(np.max(np.abs([lower - points, upper - points]))))
    ax.set_ylim(-1.05 * reach, 1.05 * reach)  # shared y: every curve whole, also those far outside the band
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


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
