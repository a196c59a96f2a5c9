"""Per-fit diagnostic figures with ArviZ's plots (matplotlib backend): rank, trace, energy.

All plots use the common parameter vocabulary (beta, tau, sigma), so figures of
different variants read the same way.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import arviz_plots as azp  # noqa: E402
import xarray as xr  # noqa: E402

from zsneq.analysis.summarize import common_posterior  # noqa: E402

KINDS = ("rank", "trace", "energy")


def diagnostics_tree(tree: xr.DataTree) -> xr.DataTree:
    """Posterior in the common vocabulary plus the sampler stats."""
    return xr.DataTree.from_dict(
        {"posterior": common_posterior(tree), "sample_stats": tree["sample_stats"].to_dataset()}
    )


def plot(kind: str, dt: xr.DataTree):
    """One ArviZ plot collection of ``kind`` (rank, trace or energy)."""
    if kind == "rank":
        return azp.plot_rank(dt, backend="matplotlib")
    if kind == "trace":
        return azp.plot_trace_dist(dt, backend="matplotlib")
    if kind == "energy":
        return azp.plot_energy(dt, backend="matplotlib")
    raise ValueError(f"unknown diagnostic plot {kind!r}; known: {', '.join(KINDS)}")


def save_diagnostics(tree: xr.DataTree, paths: dict[str, str], title: str = "") -> None:
    """Save each kind of plot to its path (format from the file suffix).

    A failed fit (no draws) gets a figure saying so and why, in place of each plot, so the
    study goes on and the report shows the failure where the plots would be.
    """
    import matplotlib.pyplot as plt

    from zsneq.models.fit_file import fit_status
    from zsneq.presentation.plots import save_figure

    failed = fit_status(tree) == "failed"
    dt = None if failed else diagnostics_tree(tree)
    for kind, path in paths.items():
        if failed:
            fig, ax = plt.subplots(figsize=(8, 1.6))
            ax.axis("off")
            ax.text(0.01, 0.5, f"No {kind} plot: the fit failed.\n{tree.attrs.get('error', '')}"[:400],
                    va="center", ha="left", wrap=True, fontsize=9)
        else:
            fig = plot(kind, dt).viz["figure"].item()
        if title:
            fig.suptitle(f"{title}: {kind}", y=1.02)
        save_figure(fig, path)
        plt.close(fig)
