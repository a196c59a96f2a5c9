"""Two subtly wrong variants, for the tests only: each differs from ``vectorized_fixed`` by one small thing.

- ``beta_sd_off``: beta's prior sd 2% too large (2.04 instead of 2);
- ``iid_offsets``: group offsets iid Normal(0, 1), no zero-sum (a larger support).

``as_variant`` wraps one into a ``Variant`` the checks accept without it being in the registry.
"""

from __future__ import annotations

from types import SimpleNamespace

import pymc as pm

from zsneq.core.dataset import RegressionData
from zsneq.models.variants import Spec, Variant
from zsneq.models.variants._common import BETA_SIGMA, GROUP, PREDICTOR, data_containers, likelihood, sigma_prior, tau_prior
from zsneq.models.variants._vectorized import OFFSET, group_slopes, to_common
from zsneq.models.variants.vectorized_fixed import from_common


def _build(data: RegressionData, beta_sigma: float, zero_sum: bool) -> pm.Model:
    with pm.Model(coords=data.coords()) as model:
        g, x, y = data_containers(data)
        beta = pm.Normal("beta", mu=0.0, sigma=beta_sigma, dims=PREDICTOR)
        tau = tau_prior("tau", dims=PREDICTOR)
        sigma = sigma_prior()
        dist = pm.ZeroSumNormal if zero_sum else pm.Normal
        offsets = dist(OFFSET, dims=[PREDICTOR, GROUP])
        beta_g = beta + tau * offsets.T
        likelihood((beta_g[g] * x).sum(axis=1), sigma, y)
    return model


OFF = {
    "beta_sd_off": ("beta ~ Normal(0, 2.04): the prior sd 2% off", lambda d: _build(d, 1.02 * BETA_SIGMA, True)),
    "iid_offsets": ("group offsets iid Normal(0, 1), no zero-sum", lambda d: _build(d, BETA_SIGMA, False)),
}


def as_variant(name: str) -> Variant:
    description, build = OFF[name]
    module = SimpleNamespace(DESCRIPTION=description, build_model=build, to_common=to_common,
                             group_slopes=group_slopes, from_common=from_common, __file__=__file__)
    return Variant(name, Spec("vectorized_fixed"), module)
