"""The thread's first model: one slope, spread and ZeroSumNormal offset per predictor.

Parameters are named as in the thread (``beta1``, ``tau1``, ``epsilon_beta1_g``, ...),
numbered by predictor position.
"""

from __future__ import annotations

import pymc as pm
import xarray as xr

from zsneq.core.dataset import RegressionData
from zsneq.models.variants._common import (
    GROUP,
    PREDICTOR,
    beta_prior,
    data_containers,
    likelihood,
    sigma_prior,
    tau_prior,
)

DESCRIPTION = "one beta, tau and ZeroSumNormal(dims='group') offset per predictor (the thread's reference)"


def build_model(data: RegressionData) -> pm.Model:
    with pm.Model(coords=data.coords()) as model:
        g, x, y = data_containers(data)
        sigma = sigma_prior()
        mu = 0.0
        for k in range(data.n_predictors):
            i = k + 1
            beta = beta_prior(f"beta{i}")
            tau = tau_prior(f"tau{i}")
            epsilon = pm.ZeroSumNormal(f"epsilon_beta{i}_g", dims=GROUP)
            beta_g = beta + tau * epsilon
            mu = mu + beta_g[g] * x[:, k]
        likelihood(mu, sigma, y)
    return model


def _stack(posterior: xr.Dataset, prefix: str, predictors: list[str]) -> xr.DataArray:
    parts = [posterior[f"{prefix}{k + 1}"] for k in range(len(predictors))]
    return xr.concat(parts, dim=PREDICTOR).assign_coords({PREDICTOR: predictors})


def to_common(posterior: xr.Dataset, predictors: list[str]) -> xr.Dataset:
    return xr.Dataset(
        {
            "beta": _stack(posterior, "beta", predictors),
            "tau": _stack(posterior, "tau", predictors),
            "sigma": posterior["sigma"],
        }
    ).transpose("chain", "draw", ...)


def group_slopes(posterior: xr.Dataset, predictors: list[str]) -> xr.DataArray:
    """Posterior of each group's slopes, dims (chain, draw, group, predictor)."""
    offsets = xr.concat(
        [posterior[f"epsilon_beta{k + 1}_g"] for k in range(len(predictors))], dim=PREDICTOR
    ).assign_coords({PREDICTOR: predictors})
    common = to_common(posterior, predictors)
    return (common["beta"] + common["tau"] * offsets).transpose("chain", "draw", GROUP, PREDICTOR)


def from_common(point: dict, predictors: list[str]) -> dict:
    out = {"sigma": point["sigma"]}
    for k in range(len(predictors)):
        i = k + 1
        out |= {f"beta{i}": point["beta"][k], f"tau{i}": point["tau"][k],
                f"epsilon_beta{i}_g": point["offsets"][:, k]}
    return out
