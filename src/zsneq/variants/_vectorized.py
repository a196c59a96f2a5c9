"""Shared code of the vectorized variants: one ``beta`` and ``tau`` vector over predictors."""

from __future__ import annotations

import xarray as xr

from ._common import GROUP, PREDICTOR

OFFSET = "epsilon_beta_g"


def to_common(posterior: xr.Dataset, predictors: list[str]) -> xr.Dataset:
    return xr.Dataset(
        {"beta": posterior["beta"], "tau": posterior["tau"], "sigma": posterior["sigma"]}
    ).transpose("chain", "draw", ...)


def group_slopes(posterior: xr.Dataset, predictors: list[str]) -> xr.DataArray:
    """Posterior of each group's slopes, dims (chain, draw, group, predictor)."""
    slopes = posterior["beta"] + posterior["tau"] * posterior[OFFSET]
    return slopes.transpose("chain", "draw", GROUP, PREDICTOR)


def from_common(point: dict, predictors: list[str]) -> dict:
    """For variants whose offset variable is laid out (group, predictor)."""
    return {"beta": point["beta"], "tau": point["tau"], "sigma": point["sigma"], OFFSET: point["offsets"]}
