"""One fit's rows for calibration: per top-level parameter, its central intervals, the rank of the truth
among its draws thinned to about independent ones, and its bulk ESS (the method:
``zsneq.analysis.calibration``).

Computed where each fit is read once for the whole study (rule ``summarize``); the calibration tables
(``zsneq.analysis.calibration``) are made from these rows, so scoring anew never reads a fit again.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from zsneq.core.dataset import Truth
from zsneq.core.vocabulary import parameter_order
from zsneq.models.fit import fit_attrs

KEYS = ["scenario", "rep", "variant", "parameter"]
DEFAULTS = {"levels": [0.5, 0.8, 0.94], "rank_draws": 100}  # the config's calibration defaults


def level_name(level: float) -> str:
    """``0.94`` -> ``"94"``, ``0.995`` -> ``"99.5"`` (column suffix and label)."""
    return f"{100 * level:.10g}"


def ranked_draws(ess, rank_draws: int) -> np.ndarray:
    """How many thinned draws the truth is ranked among: ``L``, or ``floor(ESS)`` when the bulk ESS is below
    ``L`` (at least 1; 1 when the ESS is undefined)."""
    ess = np.nan_to_num(np.asarray(ess, dtype=float), nan=1.0)
    return np.clip(np.floor(ess), 1, rank_draws).astype(int)


def thinned_ranks(draws: np.ndarray, truth, ess, rank_draws: int) -> tuple[np.ndarray, np.ndarray]:
    """Rank of each truth among its quantity's draws thinned to about independent ones.

    ``draws``: shape ``(..., chain, draw)``; ``truth`` and ``ess`` (bulk ESS) broadcast to ``(...)``. Each
    quantity keeps ``L_i = ranked_draws(ess, rank_draws)`` draws with stride ``total // L_i`` through its
    chains laid end to end: at least ``total / ESS`` apart, so about independent. Returns ``(rank,
    L_i)``: the number of kept draws below the truth, on ``0..L_i``.
    """
    flat = np.asarray(draws, dtype=float)
    flat = flat.reshape(*flat.shape[:-2], -1)
    total = flat.shape[-1]
    if rank_draws > total:
        raise ValueError(f"cannot keep {rank_draws} thinned draws from {total} posterior draws")
    kept = np.broadcast_to(ranked_draws(ess, rank_draws), flat.shape[:-1])
    j = np.arange(rank_draws)
    index = np.minimum(j * (total // kept)[..., None], total - 1)
    below = np.take_along_axis(flat, index, axis=-1) < np.asarray(truth, dtype=float)[..., None]
    return (below & (j < kept[..., None])).sum(axis=-1), kept


def fit_ranks(draws: np.ndarray, truth, rank_draws: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(rank, L_i, bulk ESS)`` of each quantity of ``draws`` (shape ``(..., chain, draw)``) and its truth:
    the bulk ESS (``ess_bulk_array``) sets the thinning of ``thinned_ranks``."""
    from zsneq.analysis.ess import ess_bulk_array

    draws = np.asarray(draws, dtype=float)
    ess = ess_bulk_array(draws.reshape(-1, *draws.shape[-2:])).reshape(draws.shape[:-2])
    rank, kept = thinned_ranks(draws, truth, ess, rank_draws)
    return rank, kept, ess


def replicate_rows(posterior: xr.Dataset, truth: Truth, levels, rank_draws: int) -> pd.DataFrame:
    """One row per top-level parameter of one fit: central intervals, rank of the truth, bulk ESS.

    ``posterior`` is in the common vocabulary (``beta``, ``tau`` with dim ``predictor``; ``sigma``).
    ``rank_draws`` is ``L``; ``ranked_draws`` the ``L_i <= L`` draws the truth was ranked among.
    """
    if not posterior.data_vars:  # a user model naming none of beta, tau, sigma
        return pd.DataFrame()
    population, target = truth.top_level(), truth.targets()
    rows = []
    for name, da in posterior.data_vars.items():
        da = da.transpose("chain", "draw", ...)
        labels = [str(p) for p in da.coords["predictor"].values] if "predictor" in da.dims else [None]
        values = da.values.reshape(da.sizes["chain"], da.sizes["draw"], len(labels))
        params = [f"{name}[{label}]" if label is not None else name for label in labels]
        ranks, kept, ess = fit_ranks(np.moveaxis(values, 2, 0), [population[p] for p in params], rank_draws)
        flat = values.reshape(-1, len(labels))
        for k, param in enumerate(params):
            row = {
                "parameter": param,
                "truth": population[param],
                "target": target[param],
                "mean": float(flat[:, k].mean()),
                "rank": int(ranks[k]),
                "rank_draws": int(rank_draws),
                "ranked_draws": int(kept[k]),
                "ess_bulk": float(ess[k]),
            }
            for level in levels:
                lo, hi = np.quantile(flat[:, k], [(1 - level) / 2, (1 + level) / 2])
                row[f"lower_{level_name(level)}"] = float(lo)
                row[f"upper_{level_name(level)}"] = float(hi)
            rows.append(row)
    return pd.DataFrame(rows)


def fit_rows(tree: xr.DataTree, truth: Truth, levels, rank_draws: int) -> pd.DataFrame:
    """``replicate_rows`` of one successful fit, keyed by scenario, rep and variant, with its fit facts."""
    from zsneq.analysis.summarize import common_posterior

    attrs = fit_attrs(tree)
    frame = replicate_rows(common_posterior(tree), truth, levels, rank_draws)
    frame.insert(0, "scenario", str(attrs.get("scenario", "")))
    frame.insert(1, "rep", int(attrs.get("rep", 0)))
    frame.insert(2, "variant", str(attrs["variant"]))
    frame["divergences"] = int(tree["sample_stats"]["diverging"].sum())
    frame["compile_seconds"] = float(attrs["compile_seconds"])
    frame["compile_reused"] = bool(attrs.get("compile_reused", 0))
    return frame


def combine(frames) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=[*KEYS, "truth", "target", "mean", "rank", "rank_draws", "ranked_draws", "ess_bulk",
                                     "divergences", "compile_seconds", "compile_reused"])
    out = pd.concat(frames, ignore_index=True)
    return sorted_rows(out, ["scenario", "variant", "parameter", "rep"])


def sorted_rows(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    rank = {p: i for i, p in enumerate(parameter_order(frame["parameter"]))}
    cols = [c if c != "parameter" else "_rank" for c in by]
    return (frame.assign(_rank=frame["parameter"].map(rank)).sort_values(cols, kind="stable")
            .drop(columns="_rank").reset_index(drop=True))
