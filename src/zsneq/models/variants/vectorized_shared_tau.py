"""A deliberately wrong variant, kept as a negative control for the checks.

Vectorized like ``vectorized_fixed`` (offsets zero-sum along ``group``), but with a
single ``tau`` shared by all predictors: a plausible slip that the structural
checks and the posterior verdicts must both catch.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import xarray as xr

from zsneq.core.dataset import RegressionData
from zsneq.models.variants import NoMap
from zsneq.models.variants._common import GROUP, PREDICTOR, tau_prior
from zsneq.models.variants._vectorized import OFFSET, build_vectorized, noncentered

DESCRIPTION = "deliberately wrong: like vectorized_fixed but one tau shared by all predictors"


def shared_tau():
    return tau_prior("tau")  # the mistake: one spread for every predictor


def build_model(data: RegressionData) -> pm.Model:
    return build_vectorized(data, noncentered, tau=shared_tau)


def to_common(posterior: xr.Dataset, predictors: list[str]) -> xr.Dataset:
    tau = posterior["tau"].expand_dims({PREDICTOR: predictors}, axis=-1)
    return xr.Dataset({"beta": posterior["beta"], "tau": tau, "sigma": posterior["sigma"]}).transpose(
        "chain", "draw", ...
    )


def group_slopes(posterior: xr.Dataset, predictors: list[str]) -> xr.DataArray:
    slopes = posterior["beta"] + posterior["tau"] * posterior[OFFSET]
    return slopes.transpose("chain", "draw", GROUP, PREDICTOR)


def from_common(point: dict, predictors: list[str]) -> dict:
    tau = np.asarray(point["tau"])
    if not np.allclose(tau, tau[0]):
        raise NoMap("this variant has one tau for all predictors; the reference has one per predictor")
    return {"beta": point["beta"], "tau": tau[0], "sigma": point["sigma"], OFFSET: point["offsets"].T}
