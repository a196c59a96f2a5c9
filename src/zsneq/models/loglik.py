"""Per-group quantities at every draw: the pointwise log-likelihood (one value per group and draw, for
leave-one-group-out ``az.loo``) and each group's expected response.

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

Each group's expected response (``EXPECTED_RESPONSE``) is the mean over its rows of ``E[y_i | draw]``,
a quantity every regression of ``y`` on the same rows defines, whatever its parameters are called:

- ``model_group_expected_response``: from any model's graph, the mean of its observed variable
  (``pymc.distributions.moments.mean``) evaluated draw by draw and averaged within groups;
- ``slopes_group_expected_response``: ``xbar_g . b_g`` from the group slopes and the group's mean
  predictors, for the built-in variants. The two agree to rounding (``tests/test_user_models.py``).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from zsneq.core.dataset import RegressionData
from zsneq.core.vocabulary import EXPECTED_RESPONSE, GROUP, PREDICTOR
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
    from pymc.model.transform.conditioning import remove_value_transforms

    constrained = remove_value_transforms(model)  # the posterior holds constrained values
    terms = constrained.logp(vars=constrained.observed_RVs, sum=False)
    names = [f"observed variable {rv.name!r}" for rv in constrained.observed_RVs]
    sums = _group_sums(constrained, terms, names, posterior, data, "its per-group log-likelihood is unknown")
    return _per_group_array(sums, posterior, data)


def model_group_expected_response(model, posterior: xr.Dataset, data: RegressionData) -> xr.DataArray:
    """Each group's expected response (chain, draw, group): the mean over its rows of the mean of ``model``'s
    observed variable, at every posterior draw.

    ValueError when the model has not exactly one observed variable with one value per row of ``data``,
    or its distribution has no known mean.
    """
    from pymc.distributions.moments import mean
    from pymc.model.transform.conditioning import remove_value_transforms

    constrained = remove_value_transforms(model)
    if len(constrained.observed_RVs) != 1:
        raise ValueError(f"expected one observed variable, found {len(constrained.observed_RVs)}")
    rv = constrained.observed_RVs[0]
    try:
        location = mean(rv)
    except NotImplementedError as exc:
        raise ValueError(f"the mean of observed variable {rv.name!r} ({rv.owner.op}) is not known") from exc
    location = constrained.replace_rvs_by_values([location])
    sums = _group_sums(constrained, location, [f"the mean of observed variable {rv.name!r}"], posterior, data,
                       "its groups' expected responses are unknown")
    n = np.bincount(data.group_idx, minlength=data.n_groups)
    return _per_group_array(sums / n, posterior, data)


def _group_sums(constrained, outputs, names: list[str], posterior: xr.Dataset, data: RegressionData,
                consequence: str) -> np.ndarray:
    """(chain, draw, group): the sum over each group's rows of every graph in ``outputs`` (one value per row
    of ``data`` each), evaluated draw by draw at the posterior's values of ``constrained``'s value variables
    (memory of one draw's rows, not of all draws' rows)."""
    import pymc as pm

    inputs = [v for v in constrained.value_vars if v.name in posterior]
    missing = [v.name for v in constrained.value_vars if v.name not in posterior]
    if missing:
        raise KeyError(f"the posterior lacks {missing}")
    fn = pm.compile(inputs, outputs, on_unused_input="ignore")
    n_rows, n_groups = len(data.y), data.n_groups
    values = [posterior[v.name].transpose(*SAMPLE_DIMS, ...).values for v in inputs]
    n_chains, n_draws = values[0].shape[:2] if values else (posterior.sizes["chain"], posterior.sizes["draw"])
    out = np.zeros((n_chains, n_draws, n_groups))
    for c in range(n_chains):
        for d in range(n_draws):
            for name, term in zip(names, fn(*(v[c, d] for v in values)), strict=True):
                term = np.broadcast_to(term, np.shape(term) or (1,)).ravel()
                if term.size != n_rows:
                    raise ValueError(f"{name} has {term.size} values, not one per row ({n_rows}); {consequence}")
                out[c, d] += np.bincount(data.group_idx, weights=term, minlength=n_groups)
    return out


def _per_group_array(values: np.ndarray, posterior: xr.Dataset, data: RegressionData) -> xr.DataArray:
    coords = {d: posterior.coords[d].values for d in SAMPLE_DIMS if d in posterior.coords}
    return xr.DataArray(values, dims=(*SAMPLE_DIMS, GROUP), coords=coords | {GROUP: np.asarray(data.groups)})


def group_mean_predictors(data: RegressionData) -> np.ndarray:
    """Each group's mean of every predictor over its rows (group, predictor)."""
    n = np.bincount(data.group_idx, minlength=data.n_groups)
    sums = np.stack([np.bincount(data.group_idx, weights=data.x[:, p], minlength=data.n_groups)
                     for p in range(data.n_predictors)], axis=1)
    return sums / n[:, None]


def block_expected_response(slopes: np.ndarray, xbar: np.ndarray) -> np.ndarray:
    """(draw, group) expected responses of a block of slopes (draw, group, predictor); ``xbar`` (group, predictor)."""
    return np.einsum("dgp,gp->dg", slopes, xbar)


def slopes_group_expected_response(slopes: xr.DataArray, data: RegressionData) -> xr.DataArray:
    """Each group's expected response (chain, draw, group) from its slopes: ``xbar_g . b_g`` (no intercept)."""
    b = slopes.transpose(*SAMPLE_DIMS, GROUP, PREDICTOR).values
    xbar = group_mean_predictors(data)
    out = np.stack([block_expected_response(b[c], xbar) for c in range(b.shape[0])])
    coords = {d: slopes.coords[d].values for d in SAMPLE_DIMS if d in slopes.coords}
    return xr.DataArray(out, dims=(*SAMPLE_DIMS, GROUP), coords=coords | {GROUP: np.asarray(data.groups)},
                        name=EXPECTED_RESPONSE)


def log_likelihood_dataset(per_group: xr.DataArray, data: RegressionData) -> xr.Dataset:
    """The ``log_likelihood`` group: variable ``y`` (chain, draw, group) with the data's group labels."""
    per_group = per_group.assign_coords({GROUP: np.asarray(data.groups)})
    return xr.Dataset({NAME: per_group.transpose(*SAMPLE_DIMS, GROUP)})
