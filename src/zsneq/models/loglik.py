"""Per-group pointwise log-likelihood: one value per group and draw, for leave-one-group-out (``az.loo``).

The value of group ``g`` at a draw is the sum of its rows' log-likelihood given that draw's
parameters (its group slopes and sigma): ``log p(y_g | b_g, sigma)``. Two ways to compute it,
which agree to rounding (``tests/test_user_models.py``):

- ``model_group_log_likelihood``: from any model's graph: the element-wise log density of its
  observed variables, evaluated draw by draw (memory of one draw's rows, not of all draws' rows as
  ``pymc.compute_log_likelihood`` would need) and summed within groups. Every observed variable must
  have one value per data row, in the rows' order;
- ``sufficient_group_log_likelihood``: the Gaussian formula from each group's sufficient statistics
  (``models.sufficient.GroupStats``) and drawn group slopes, for the built-in variants, whatever
  their likelihood (row-wise, sufficient, or marginal with its conditional slope draws):
  ``-n_g/2 log(2 pi sigma^2) - ||y_g - X_g b_g||^2 / (2 sigma^2)``.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from zsneq.core.dataset import RegressionData
from zsneq.core.vocabulary import GROUP, PREDICTOR
from zsneq.models.sufficient import GroupStats

SAMPLE_DIMS = ("chain", "draw")
NAME = "y"  # the log_likelihood group's variable: the outcome, one value per group
BLOCK_VALUES = 5_000_000  # slope values per block of residuals: about 40 MB of float64 work arrays


def sufficient_group_log_likelihood(slopes: xr.DataArray, sigma: xr.DataArray, stats: GroupStats) -> xr.DataArray:
    """Per-group log-likelihood (chain, draw, group) from slopes (chain, draw, group, predictor) and sigma."""
    b = slopes.transpose(*SAMPLE_DIMS, GROUP, PREDICTOR).values
    s = sigma.transpose(*SAMPLE_DIMS).values
    out = np.empty(b.shape[:3])
    step = max(1, BLOCK_VALUES // max(1, b.shape[2] * b.shape[3]))  # draws per block of residuals
    for c in range(b.shape[0]):
        for start in range(0, b.shape[1], step):
            d = slice(start, min(start + step, b.shape[1]))
            out[c, d] = block_log_likelihood(b[c, d], s[c, d], stats)
    return xr.DataArray(out, dims=(*SAMPLE_DIMS, GROUP),
                        coords={d: slopes.coords[d] for d in (*SAMPLE_DIMS, GROUP) if d in slopes.coords})


def block_log_likelihood(slopes: np.ndarray, sigma: np.ndarray, stats: GroupStats) -> np.ndarray:
    """Per-group log-likelihood (draw, group) of a block of draws: slopes (draw, group, predictor), sigma (draw,).

    Work arrays are (draw, predictor, group): callers pass blocks of draws to bound them.
    """
    resid = stats.c[None] - np.einsum("ijg,dgj->dig", stats.r, slopes)
    sum_sq = stats.rss[None] + np.sum(resid**2, axis=1)
    var = np.asarray(sigma)[:, None] ** 2
    return -0.5 * stats.n[None] * np.log(2 * np.pi * var) - sum_sq / (2 * var)


def model_group_log_likelihood(model, posterior: xr.Dataset, data: RegressionData) -> xr.DataArray:
    """Per-group log-likelihood (chain, draw, group) of ``model``'s observed variables at every posterior draw.

    ValueError when an observed variable does not have one value per row of ``data``.
    """
    import pymc as pm
    from pymc.model.transform.conditioning import remove_value_transforms

    constrained = remove_value_transforms(model)  # the posterior holds constrained values
    terms = constrained.logp(vars=constrained.observed_RVs, sum=False)
    inputs = [v for v in constrained.value_vars if v.name in posterior]
    missing = [v.name for v in constrained.value_vars if v.name not in posterior]
    if missing:
        raise KeyError(f"the posterior lacks {missing}")
    fn = pm.compile(inputs, terms, on_unused_input="ignore")
    n_rows, n_groups = len(data.y), data.n_groups
    values = [posterior[v.name].transpose(*SAMPLE_DIMS, ...).values for v in inputs]
    n_chains, n_draws = values[0].shape[:2] if values else (posterior.sizes["chain"], posterior.sizes["draw"])
    out = np.zeros((n_chains, n_draws, n_groups))
    for c in range(n_chains):
        for d in range(n_draws):
            for rv, term in zip(constrained.observed_RVs, fn(*(v[c, d] for v in values))):
                term = np.ravel(term)
                if term.size != n_rows:
                    raise ValueError(f"observed variable {rv.name!r} has {term.size} values, not one per row "
                                     f"({n_rows}); its per-group log-likelihood is unknown")
                out[c, d] += np.bincount(data.group_idx, weights=term, minlength=n_groups)
    coords = {d: posterior.coords[d].values for d in SAMPLE_DIMS if d in posterior.coords}
    return xr.DataArray(out, dims=(*SAMPLE_DIMS, GROUP), coords=coords | {GROUP: np.asarray(data.groups)})


def log_likelihood_dataset(per_group: xr.DataArray, data: RegressionData) -> xr.Dataset:
    """The ``log_likelihood`` group: variable ``y`` (chain, draw, group) with the data's group labels."""
    per_group = per_group.assign_coords({GROUP: np.asarray(data.groups)})
    return xr.Dataset({NAME: per_group.transpose(*SAMPLE_DIMS, GROUP)})
