"""The thread's second model with the forum's fix.

``ZeroSumNormal(dims=["predictor", "group"])`` zero-sums the last axis, ``group``;
the transpose brings it back to (group, predictor) for the linear predictor.

This variant also takes the likelihood and parametrization axes (see the package
docstring): ``sufficient`` and ``marginal`` likelihoods, and ``centered`` group
slopes ``beta + ZeroSumNormal(sigma=tau, dims=["predictor", "group"]).T``.
"""

from __future__ import annotations

import pymc as pm
import xarray as xr

from ..data import RegressionData
from . import _likelihoods
from ._common import GROUP, PREDICTOR, beta_prior, data_containers, sigma_prior, tau_prior
from ._common import likelihood as rowwise_likelihood
from ._vectorized import OFFSET, to_common
from ._vectorized import group_slopes as noncentered_slopes

DESCRIPTION = "vectors over predictors, ZeroSumNormal(dims=['predictor', 'group']).T: zero-sums groups"
AXES = {"likelihood": ("rowwise", "sufficient", "marginal"), "parametrization": ("noncentered", "centered")}
DEVIATION = "delta_beta_g"  # centered: slope minus beta, ZeroSumNormal(sigma=tau)

__all__ = ["AXES", "DESCRIPTION", "build_model", "from_common", "group_slopes", "to_common"]


def build_model(data: RegressionData, likelihood: str = "rowwise", parametrization: str = "noncentered") -> pm.Model:
    with pm.Model(coords=data.coords()) as model:
        if likelihood == "rowwise":
            g, x, y = data_containers(data)
        beta = beta_prior("beta", dims=PREDICTOR)
        tau = tau_prior("tau", dims=PREDICTOR)
        sigma = sigma_prior()
        if likelihood == "marginal":
            _likelihoods.marginal_likelihood(data, beta, tau, sigma)
        else:
            if parametrization == "centered":
                beta_g = beta + pm.ZeroSumNormal(DEVIATION, sigma=tau[:, None], dims=[PREDICTOR, GROUP]).T
            else:
                epsilon = pm.ZeroSumNormal(OFFSET, dims=[PREDICTOR, GROUP]).T  # (group, predictor)
                beta_g = beta + tau * epsilon
            if likelihood == "sufficient":
                _likelihoods.sufficient_likelihood(data, beta_g, sigma)
            else:
                mu = (beta_g[g] * x).sum(axis=1)
                rowwise_likelihood(mu, sigma, y)
    return model


def group_slopes(posterior: xr.Dataset, predictors: list[str], parametrization: str = "noncentered") -> xr.DataArray:
    """Posterior of each group's slopes, dims (chain, draw, group, predictor)."""
    if parametrization == "centered":
        return (posterior["beta"] + posterior[DEVIATION]).transpose("chain", "draw", GROUP, PREDICTOR)
    return noncentered_slopes(posterior, predictors)


def from_common(point: dict, predictors: list[str], parametrization: str = "noncentered") -> dict:
    """The free variable is stored (predictor, group): transpose the (group, predictor) offsets."""
    out = {"beta": point["beta"], "tau": point["tau"], "sigma": point["sigma"]}
    if parametrization == "centered":
        return out | {DEVIATION: (point["tau"] * point["offsets"]).T}
    return out | {OFFSET: point["offsets"].T}
