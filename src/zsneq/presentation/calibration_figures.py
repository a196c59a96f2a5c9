"""Calibration figures: interval coverage and simulation-based calibration (rank histograms, ECDF differences)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from zsneq.core.vocabulary import parameter_order  # noqa: E402
from zsneq.presentation.plots import LEVEL_COLORS, of_scenario  # noqa: E402

BAND_POINTS = 101  # steps of the drawn SBC band: a panel is ~200 px wide, finer steps only add bytes


def row_label(ax, variant: str, what: str) -> None:
    """Label a row of panels with its variant, horizontally, broken before each ``+`` axis value, and what the
    y axis shows (a rotated label as long as a variant name would run past its row into the next one)."""
    ax.set_ylabel(variant.replace("+", "\n+") + f"\n\n{what}", rotation=0, ha="right", va="center",
                  fontsize="small", labelpad=8)


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


# --- the report's figures (zsneq.core.figures.FIGURES): function(tables, scenario, settings) ---------------


def coverage(tables: dict, scenario: str, settings: dict):
    return coverage_figure(of_scenario(tables["coverage"], scenario), title=f"scenario {scenario}")


def _sbc(tables: dict, scenario: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    reps = of_scenario(tables["replicates"], scenario)
    if reps.empty:
        raise ValueError(f"no successful fits of scenario {scenario!r} to draw SBC figures of")
    return reps, of_scenario(tables["sbc"], scenario)


def sbc_ranks(tables: dict, scenario: str, settings: dict):
    return sbc_rank_figure(*_sbc(tables, scenario), title=f"scenario {scenario}: ranks of the truths")


def sbc_ecdf(tables: dict, scenario: str, settings: dict):
    return sbc_ecdf_figure(*_sbc(tables, scenario), settings["alpha"], title=f"scenario {scenario}: PIT ECDF − uniform")
