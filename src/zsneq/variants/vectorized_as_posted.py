"""The thread's second model, bug included.

``ZeroSumNormal(dims=["group", "predictor"])`` zero-sums its *last* axis, so the
offsets sum to zero across predictors within each group instead of across groups
for each predictor. Kept as posted so the workflow shows what the bug does.

Takes the ``sufficient`` likelihood (per-group sufficient statistics, see
``zsneq.variants._likelihoods``): the same (buggy) model without per-row work.
"""

from __future__ import annotations

import pymc as pm

from ..data import RegressionData
from . import _likelihoods
from ._common import GROUP, PREDICTOR, beta_prior, data_containers, sigma_prior, tau_prior
from ._common import likelihood as rowwise_likelihood
from ._vectorized import OFFSET, from_common, group_slopes, to_common

DESCRIPTION = "vectors over predictors, ZeroSumNormal(dims=['group', 'predictor']): zero-sums the wrong axis"

AXES = {"likelihood": ("rowwise", "sufficient")}

__all__ = ["AXES", "DESCRIPTION", "build_model", "from_common", "group_slopes", "to_common"]


def build_model(data: RegressionData, likelihood: str = "rowwise") -> pm.Model:
    with pm.Model(coords=data.coords()) as model:
        if likelihood == "rowwise":
            g, x, y = data_containers(data)
        beta = beta_prior("beta", dims=PREDICTOR)
        tau = tau_prior("tau", dims=PREDICTOR)
        sigma = sigma_prior()
        epsilon = pm.ZeroSumNormal(OFFSET, dims=[GROUP, PREDICTOR])
        beta_g = beta + tau * epsilon  # (group, predictor)
        if likelihood == "sufficient":
            _likelihoods.sufficient_likelihood(data, beta_g, sigma)
        else:
            rowwise_likelihood((beta_g[g] * x).sum(axis=1), sigma, y)
    return model
