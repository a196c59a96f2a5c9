"""The thread's second model with the forum's fix.

``ZeroSumNormal(dims=["predictor", "group"])`` zero-sums the last axis, ``group``;
the transpose brings it back to (group, predictor) for the linear predictor.
"""

from __future__ import annotations

import pymc as pm

from ..data import RegressionData
from ._common import GROUP, PREDICTOR, beta_prior, data_containers, likelihood, sigma_prior, tau_prior
from ._vectorized import OFFSET, group_slopes, to_common

DESCRIPTION = "vectors over predictors, ZeroSumNormal(dims=['predictor', 'group']).T: zero-sums groups"

__all__ = ["DESCRIPTION", "build_model", "from_common", "group_slopes", "to_common"]


def build_model(data: RegressionData) -> pm.Model:
    with pm.Model(coords=data.coords()) as model:
        g, x, y = data_containers(data)
        beta = beta_prior("beta", dims=PREDICTOR)
        tau = tau_prior("tau", dims=PREDICTOR)
        sigma = sigma_prior()
        epsilon = pm.ZeroSumNormal(OFFSET, dims=[PREDICTOR, GROUP]).T  # (group, predictor)
        beta_g = beta + tau * epsilon
        mu = (beta_g[g] * x).sum(axis=1)
        likelihood(mu, sigma, y)
    return model


def from_common(point: dict, predictors: list[str]) -> dict:
    """The free variable is stored (predictor, group): transpose the (group, predictor) offsets."""
    return {"beta": point["beta"], "tau": point["tau"], "sigma": point["sigma"], OFFSET: point["offsets"].T}
