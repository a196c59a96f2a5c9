"""Pieces every model variant shares: the thread's priors, data containers, likelihood.

Dims are named, never positional: ``group``, ``predictor``, ``obs``.
"""

from __future__ import annotations

import pymc as pm
import pytensor.tensor as pt

from zsneq.core.dataset import RegressionData
from zsneq.core.vocabulary import GROUP, OBS, PREDICTOR

# The thread's priors.
BETA_SIGMA = 2.0
TAU_MU = 10.0
TAU_SIGMA = 5.0
SIGMA_SIGMA = 200.0

__all__ = [
    "GROUP",
    "OBS",
    "PREDICTOR",
    "beta_prior",
    "data_containers",
    "likelihood",
    "sigma_prior",
    "tau_prior",
]


def data_containers(data: RegressionData) -> tuple[pt.TensorVariable, pt.TensorVariable, pt.TensorVariable]:
    """Register group index, predictors and outcome as ``pm.Data`` in the current model."""
    g = pm.Data("g", data.group_idx, dims=OBS)
    x = pm.Data("x", data.x, dims=(OBS, PREDICTOR))
    y = pm.Data("y", data.y, dims=OBS)
    return g, x, y


def beta_prior(name: str, **kwargs) -> pt.TensorVariable:
    return pm.Normal(name, mu=0.0, sigma=BETA_SIGMA, **kwargs)


def tau_prior(name: str, **kwargs) -> pt.TensorVariable:
    return pm.Gamma(name, mu=TAU_MU, sigma=TAU_SIGMA, **kwargs)


def sigma_prior() -> pt.TensorVariable:
    return pm.HalfNormal("sigma", sigma=SIGMA_SIGMA)


def likelihood(mu: pt.TensorVariable, sigma: pt.TensorVariable, y: pt.TensorVariable) -> pt.TensorVariable:
    return pm.Normal("y_obs", mu=mu, sigma=sigma, observed=y, dims=OBS)
