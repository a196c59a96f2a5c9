"""A deliberately miscalibrated variant, for the tests only: ``vectorized_fixed`` with tau's prior mean doubled.

Its structure is right but its prior is not the intended model's, so simulation-based calibration
must fail it on tau: with little data the posterior of tau stays near this prior, far above the
truths drawn from the intended one. The SBC test copies it into the workflow's variants.
"""

from __future__ import annotations

import pymc as pm

from zsneq.core.dataset import RegressionData
from zsneq.models.variants._common import PREDICTOR, TAU_MU, TAU_SIGMA
from zsneq.models.variants._vectorized import build_vectorized, group_slopes, noncentered, to_common
from zsneq.models.variants.vectorized_fixed import from_common

DESCRIPTION = "test only: vectorized_fixed with tau ~ Gamma(mu=2 x 10, sigma=5), not the intended prior"

__all__ = ["DESCRIPTION", "build_model", "from_common", "group_slopes", "to_common"]


def doubled_tau_prior():
    return pm.Gamma("tau", mu=2 * TAU_MU, sigma=TAU_SIGMA, dims=PREDICTOR)  # the mistake


def build_model(data: RegressionData) -> pm.Model:
    return build_vectorized(data, noncentered, tau=doubled_tau_prior)
