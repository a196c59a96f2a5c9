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

from zsneq.core.dataset import RegressionData
from zsneq.models.variants._common import GROUP, PREDICTOR
from zsneq.models.variants._vectorized import OFFSET, build_vectorized, noncentered, to_common
from zsneq.models.variants._vectorized import group_slopes as noncentered_slopes

DESCRIPTION = "vectors over predictors, ZeroSumNormal(dims=['predictor', 'group']).T: zero-sums groups"
AXES = {"likelihood": ("rowwise", "sufficient", "marginal"), "parametrization": ("noncentered", "centered")}
DEVIATION = "delta_beta_g"  # centered: slope minus beta, ZeroSumNormal(sigma=tau)

__all__ = ["AXES", "DESCRIPTION", "build_model", "from_common", "group_slopes", "to_common"]


def centered(beta, tau):
    """Slopes around beta: ``beta + ZeroSumNormal(sigma=tau, dims=["predictor", "group"]).T``."""
    return beta + pm.ZeroSumNormal(DEVIATION, sigma=tau[:, None], dims=[PREDICTOR, GROUP]).T


def build_model(data: RegressionData, likelihood: str = "rowwise", parametrization: str = "noncentered") -> pm.Model:
    return build_vectorized(data, centered if parametrization == "centered" else noncentered, likelihood)


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
