"""The fast values of the likelihood axis: ``sufficient`` and ``marginal``.

Both see the data only through per-group sufficient statistics
(``zsneq.sufficient.GroupStats``, group axis last), computed once in NumPy when the
model is built and registered as named ``pm.Data`` (``n_g``, ``rss_g``, ``r_g``,
``c_g``, and ``xtx_g`` for ``marginal``), so a compiled model can take another
dataset's statistics. Both give the row-wise
likelihood exactly, constants included: ``sufficient`` as a function of the group
slopes, ``marginal`` with the group slopes integrated out (``zsneq.marginal``).
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt
import xarray as xr

from zsneq.core.dataset import RegressionData
from zsneq.core.vocabulary import GROUP, PREDICTOR
from zsneq.models import marginal
from zsneq.models.sufficient import GroupStats
from zsneq.models.variants import SLOPES

LOG_2PI = float(np.log(2.0 * np.pi))
LOGLIK = "y_loglik"  # name of the likelihood term (a Potential) in the model


def sufficient_data(stats: GroupStats) -> tuple[pt.TensorVariable, ...]:
    """Register the per-group sufficient statistics as ``pm.Data`` in the current model."""
    return (
        pm.Data("n_g", stats.n, dims=GROUP),
        pm.Data("rss_g", stats.rss, dims=GROUP),
        pm.Data("r_g", stats.r),  # (predictor, predictor, group)
        pm.Data("c_g", stats.c, dims=(PREDICTOR, GROUP)),
    )


def sufficient_likelihood(data: RegressionData, slopes: pt.TensorVariable, sigma: pt.TensorVariable) -> None:
    """Gaussian likelihood of group slopes ``slopes`` (group, predictor) from sufficient statistics.

    ``sum_g ||y_g - X_g b_g||^2 = sum_g rss_g + ||c_g - R_g b_g||^2``: no per-row work.
    """
    n, rss, r, c = sufficient_data(GroupStats.from_data(data))
    resid = c - (r * slopes.T[None, :, :]).sum(axis=1)  # (predictor, group)
    n_total = n.sum()
    sum_sq = rss.sum() + (resid**2).sum()
    pm.Potential(LOGLIK, -0.5 * n_total * LOG_2PI - n_total * pt.log(sigma) - 0.5 * sum_sq / sigma**2)


def marginal_likelihood(data: RegressionData, beta, tau, sigma) -> None:
    """Likelihood of (beta, tau, sigma) with the zero-sum group offsets integrated out exactly."""
    stats = GroupStats.from_data(data)
    n, rss, r, c = sufficient_data(stats)
    xtx = pm.Data("xtx_g", stats.xtx)  # (predictor, predictor, group)
    pm.Potential(LOGLIK, marginal.marginal_loglik_op(beta, tau, sigma, n, rss, r, c, xtx)[0])


def add_group_slopes(posterior: xr.Dataset, common: xr.Dataset, data: RegressionData, seed: int) -> xr.Dataset:
    """``posterior`` plus ``beta_g``: one exact draw of every group's slopes per posterior draw.

    ``common`` holds the posterior's beta, tau (chain, draw, predictor) and sigma (chain, draw).
    """
    stats = GroupStats.from_data(data)
    chains, draws = common.sizes["chain"], common.sizes["draw"]
    beta = common["beta"].transpose("chain", "draw", PREDICTOR).values.reshape(chains * draws, -1)
    tau = common["tau"].transpose("chain", "draw", PREDICTOR).values.reshape(chains * draws, -1)
    sigma = common["sigma"].transpose("chain", "draw").values.reshape(-1)
    slopes = marginal.draw_group_slopes(beta, tau, sigma, stats, np.random.default_rng(seed))
    slopes = xr.DataArray(
        slopes.reshape(chains, draws, data.n_groups, data.n_predictors),
        dims=("chain", "draw", GROUP, PREDICTOR),
        coords={"chain": common["chain"], "draw": common["draw"], GROUP: data.groups, PREDICTOR: data.predictors},
    )
    return posterior.assign({SLOPES: slopes})


def iter_group_slopes(common: xr.Dataset, data: RegressionData, seed: int):
    """The draws of :func:`add_group_slopes` block by block (``marginal.iter_group_slopes``): bitwise the same."""
    chains, draws = common.sizes["chain"], common.sizes["draw"]
    beta = common["beta"].transpose("chain", "draw", PREDICTOR).values.reshape(chains * draws, -1)
    tau = common["tau"].transpose("chain", "draw", PREDICTOR).values.reshape(chains * draws, -1)
    sigma = common["sigma"].transpose("chain", "draw").values.reshape(-1)
    return marginal.iter_group_slopes(beta, tau, sigma, GroupStats.from_data(data), np.random.default_rng(seed))


def conditional_logp(point: dict, data: RegressionData) -> float:
    """Log density of the point's group offsets given the data and its beta, tau, sigma."""
    return marginal.conditional_logp(point["beta"], point["tau"], point["sigma"], GroupStats.from_data(data),
                                     point["offsets"])
