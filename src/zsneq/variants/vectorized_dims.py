"""The vectorized model written with PyMC's named-dimension API (``pymc.dims``).

``ZeroSumNormal(core_dims="group")`` names the constrained axis instead of relying
on its position, so the thread's bug cannot be written this way.
"""

from __future__ import annotations

import pymc as pm
import pymc.dims as pmd

from ..data import RegressionData
from ._common import BETA_SIGMA, GROUP, OBS, PREDICTOR, SIGMA_SIGMA, TAU_MU, TAU_SIGMA
from ._vectorized import OFFSET, from_common, group_slopes, to_common

DESCRIPTION = "pymc.dims: ZeroSumNormal(core_dims='group', dims=('group', 'predictor')), axes by name"

__all__ = ["DESCRIPTION", "build_model", "from_common", "group_slopes", "to_common"]


def build_model(data: RegressionData) -> pm.Model:
    with pm.Model(coords=data.coords()) as model:
        g = pmd.Data("g", data.group_idx, dims=OBS)
        x = pmd.Data("x", data.x, dims=(OBS, PREDICTOR))
        y = pmd.Data("y", data.y, dims=OBS)
        beta = pmd.Normal("beta", mu=0.0, sigma=BETA_SIGMA, dims=PREDICTOR)
        tau = pmd.Gamma("tau", mu=TAU_MU, sigma=TAU_SIGMA, dims=PREDICTOR)
        sigma = pmd.HalfNormal("sigma", sigma=SIGMA_SIGMA)
        epsilon = pmd.ZeroSumNormal(OFFSET, core_dims=GROUP, dims=(GROUP, PREDICTOR))
        beta_g = beta + tau * epsilon
        mu = (beta_g.isel({GROUP: g}) * x).sum(PREDICTOR)
        pmd.Normal("y_obs", mu=mu, sigma=sigma, observed=y)
    return model
