"""Effective sample size of the mean for many quantities at once (ArviZ's estimator, vectorized).

``arviz_stats`` computes ESS one quantity at a time in a Python loop; for group-level quantities
(every group's slope per predictor, every group's expected response, the posterior of a fit with
thousands of groups) that loop was most of the summary step: 400 groups × 4 predictors took seconds
per fit. :func:`ess_mean` is the same estimator (FFT autocovariance, Geyer's initial positive and
initial monotone sequences on split chains, the same lower bound on the autocorrelation time), computed for a whole
array in blocks; it agrees with ``arviz_stats`` to floating-point rounding (``tests/test_summarize_ess.py``).
:func:`ess_bulk_array` is ArviZ's bulk ESS (the same estimator on rank-normalized split chains), vectorized
the same way, for the thinning of simulation-based calibration.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

BLOCK_VALUES = 4_000_000  # draws per block of quantities (autocovariances about 3 times this in memory)
SAMPLE_DIMS = ("chain", "draw")


def ess_mean(draws: xr.DataArray) -> xr.DataArray:
    """ESS of the mean of every non-sample coordinate of ``draws`` (dims ``chain``, ``draw``, ...)."""
    other = [d for d in draws.dims if d not in SAMPLE_DIMS]
    values = draws.transpose(*other, *SAMPLE_DIMS).values
    ess = ess_mean_array(values.reshape(-1, *values.shape[-2:])).reshape(values.shape[:-2])
    return xr.DataArray(ess, dims=other, coords={d: draws.coords[d] for d in other if d in draws.coords})


def mcse_mean(draws: xr.DataArray) -> xr.DataArray:
    """Monte Carlo standard error of the mean: sd (ddof 1) / sqrt(ESS of the mean), as ArviZ's."""
    return draws.std(SAMPLE_DIMS, ddof=1) / np.sqrt(ess_mean(draws))


def ess_mean_array(x: np.ndarray) -> np.ndarray:
    """ESS of the mean of each ``x[i]`` (shape ``(quantities, chains, draws)``); NaN where ArviZ gives NaN."""
    x = np.asarray(x, dtype=float)
    n_q, _, n_draw = x.shape
    out = np.full(n_q, np.nan)
    if n_draw < 4 or n_q == 0:
        return out
    finite = np.isfinite(x).all(axis=(1, 2))
    out[finite] = _ess_split(_split_chains(x[finite]))
    return out


def ess_bulk_array(x: np.ndarray) -> np.ndarray:
    """Bulk ESS of each ``x[i]`` (shape ``(quantities, chains, draws)``), as ``arviz_stats.ess(method="bulk")``:
    the ESS of the mean of the split chains' normal scores (ranks over all split draws, Blom's offset 3/8)."""
    from scipy.special import ndtri
    from scipy.stats import rankdata

    x = np.asarray(x, dtype=float)
    n_q, _, n_draw = x.shape
    out = np.full(n_q, np.nan)
    if n_draw < 4 or n_q == 0:
        return out
    finite = np.isfinite(x).all(axis=(1, 2))
    split = _split_chains(x[finite])
    size = split[0].size
    flat = split.reshape(len(split), size)
    order = np.argsort(flat, axis=1)
    ranks = np.empty_like(flat)
    np.put_along_axis(ranks, order, np.broadcast_to(np.arange(1.0, size + 1), flat.shape), axis=1)
    tied = (np.diff(np.take_along_axis(flat, order, axis=1), axis=1) == 0).any(axis=1)
    if tied.any():  # average ranks where values repeat (a sort is some ten times faster than rankdata)
        ranks[tied] = rankdata(flat[tied], method="average", axis=1)
    scores = ndtri((ranks - 3 / 8) / (size - 2 * 3 / 8 + 1)).reshape(split.shape)
    out[finite] = _ess_split(scores)
    return out


def _split_chains(x: np.ndarray) -> np.ndarray:
    """Each chain's first and last halves as chains of their own (the middle draw of an odd count left out)."""
    half = x.shape[2] // 2
    return np.concatenate([x[:, :, :half], x[:, :, x.shape[2] - half:]], axis=1)


def _ess_split(x: np.ndarray) -> np.ndarray:
    """ESS of the mean of each finite ``x[i]``, its chains already split."""
    from arviz_stats.base.core import _CoreBase

    out = np.full(len(x), np.nan)
    n_chain, n_draw = x.shape[1:]
    const = np.ptp(x, axis=(1, 2)) < np.finfo(float).resolution
    out[const] = n_chain * n_draw
    todo = np.flatnonzero(~const)
    step = max(1, BLOCK_VALUES // (n_chain * n_draw))
    core = _CoreBase()
    for start in range(0, len(todo), step):
        idx = todo[start:start + step]
        out[idx] = _ess_block(x[idx], core)
    return out


def _ess_block(x: np.ndarray, core) -> np.ndarray:
    n_q, n_chain, n_draw = x.shape
    acov = core.autocov(x, axis=2)  # (quantities, chains, lags), as ArviZ computes it per quantity
    mean_var = acov[:, :, 0].mean(axis=1) * n_draw / (n_draw - 1.0)
    var_plus = mean_var * (n_draw - 1.0) / n_draw
    if n_chain > 1:
        var_plus = var_plus + np.var(x.mean(axis=2), axis=1, ddof=1)
    rho = 1.0 - (mean_var[:, None] - acov.mean(axis=1)) / var_plus[:, None]  # (quantities, lags)
    rho[:, 0] = 1.0
    # Pairs (rho[2j], rho[2j + 1]), j = 0, 1, ...: ArviZ's loop reads pair j (j >= 1) while
    # 2j - 1 < n_draw - 3 and the previous pair's sum is positive; J = the pairs it read.
    n_pairs = (n_draw - 2) // 2 + 1  # pairs whose both lags exist and that the loop can reach
    sums = rho[:, 0:2 * n_pairs:2] + rho[:, 1:2 * n_pairs:2]  # (quantities, n_pairs)
    reachable = (2 * np.arange(1, n_pairs) - 1) < n_draw - 3  # pair j reachable by position
    keep_going = (sums[:, :-1] > 0) & reachable[None, :]  # pair j (>= 1) read given pair j - 1
    n_read = np.cumprod(keep_going, axis=1).sum(axis=1)  # J
    rows = np.arange(n_q)
    last_even = np.where(n_read > 0, rho[rows, 2 * n_read], 1.0)
    last_sum = sums[rows, n_read]
    # the last read pair's even term counts when the pair was kept (sum >= 0) or the term is positive
    tail = np.where((n_read == 0) | (last_sum >= 0) | (last_even > 0), last_even, 0.0)
    # initial monotone sequence: pairs 0 .. J - 1 as their running minimum
    monotone = np.minimum.accumulate(sums, axis=1)
    in_sum = np.arange(sums.shape[1])[None, :] < n_read[:, None]
    tau = -1.0 + 2.0 * np.where(in_sum, monotone, 0.0).sum(axis=1) + tail
    n = n_chain * n_draw
    tau = np.maximum(tau, 1.0 / np.log10(n))
    ess = n / tau
    ess[np.isnan(rho).any(axis=1)] = np.nan
    return ess


def loo_relative_ess(posterior: xr.Dataset) -> float:
    """ArviZ's default relative ESS for PSIS-LOO (``arviz_stats.loo``'s ``reff``): the mean ESS of the
    mean over every posterior quantity, divided by the number of draws (1 with a single chain)."""
    n_chain, n_draw = posterior.sizes["chain"], posterior.sizes["draw"]
    if n_chain == 1:
        return 1.0
    ess = np.hstack([ess_mean(posterior[name]).values.ravel() for name in posterior.data_vars])
    return float(ess.mean() / (n_chain * n_draw))
