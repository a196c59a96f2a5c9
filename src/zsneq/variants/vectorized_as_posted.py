"""The thread's second model, bug included.

``ZeroSumNormal(dims=["group", "predictor"])`` zero-sums its *last* axis, so the
offsets sum to zero across predictors within each group instead of across groups
for each predictor. Kept as posted so the workflow shows what the bug does.
"""

from __future__ import annotations

import pymc as pm

from ..data import RegressionData
from ._common import GROUP, PREDICTOR, beta_prior, data_containers, likelihood, sigma_prior, tau_prior
from ._vectorized import OFFSET, from_common, group_slopes, to_common

DESCRIPTION = "vectors over predictors, ZeroSumNormal(dims=['group', 'predictor']): zero-sums the wrong axis"

__all__ = ["DESCRIPTION", "build_model", "from_common", "group_slopes", "to_common"]


def build_model(data: RegressionData) -> pm.Model:
    with pm.Model(coords=data.coords()) as model:
        g, x, y = data_containers(data)
        beta = beta_prior("beta", dims=PREDICTOR)
        tau = tau_prior("tau", dims=PREDICTOR)
        sigma = sigma_prior()
        epsilon = pm.ZeroSumNormal(OFFSET, dims=[GROUP, PREDICTOR])
        beta_g = beta + tau * epsilon
        mu = (beta_g[g] * x).sum(axis=1)
        likelihood(mu, sigma, y)
    return model
