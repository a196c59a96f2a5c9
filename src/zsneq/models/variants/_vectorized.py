"""Shared code of the vectorized variants: one ``beta`` and ``tau`` vector over predictors."""

from __future__ import annotations

from collections.abc import Callable

import pymc as pm
import pytensor.tensor as pt
import xarray as xr

from zsneq.core.dataset import RegressionData
from zsneq.models.variants import _likelihoods
from zsneq.models.variants._common import GROUP, PREDICTOR, beta_prior, data_containers, sigma_prior, tau_prior
from zsneq.models.variants._common import likelihood as rowwise_likelihood

OFFSET = "epsilon_beta_g"


def vector_tau() -> pt.TensorVariable:
    """The thread's prior: one ``tau`` per predictor."""
    return tau_prior("tau", dims=PREDICTOR)


def build_vectorized(
    data: RegressionData,
    slopes: Callable[[pt.TensorVariable, pt.TensorVariable], pt.TensorVariable],
    likelihood: str = "rowwise",
    tau: Callable[[], pt.TensorVariable] = vector_tau,
) -> pm.Model:
    """A vectorized model: ``beta`` over predictors, ``tau`` from ``tau()``, ``sigma``, and group slopes.

    ``slopes(beta, tau)`` makes the (group, predictor) slopes in the current model (the part in which
    the variants differ); ``likelihood`` is ``rowwise`` (the thread's), ``sufficient``, or ``marginal``
    (group slopes integrated out: ``slopes`` is not called). Variables are created in one fixed order
    (data, beta, tau, sigma, slopes) so draws do not depend on which variant module built the model.
    """
    with pm.Model(coords=data.coords(rows=likelihood == "rowwise")) as model:
        if likelihood == "rowwise":
            g, x, y = data_containers(data)
        beta = beta_prior("beta", dims=PREDICTOR)
        tau_ = tau()
        sigma = sigma_prior()
        if likelihood == "marginal":
            _likelihoods.marginal_likelihood(data, beta, tau_, sigma)
        else:
            beta_g = slopes(beta, tau_)  # (group, predictor)
            if likelihood == "sufficient":
                _likelihoods.sufficient_likelihood(data, beta_g, sigma)
            else:
                rowwise_likelihood((beta_g[g] * x).sum(axis=1), sigma, y)
    return model


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


def noncentered(beta, tau):
    """The forum's fix: zero-sum the last axis, ``group``, then transpose to (group, predictor)."""
    return beta + tau * pm.ZeroSumNormal(OFFSET, dims=[PREDICTOR, GROUP]).T
