"""The vectorized model written with PyMC's named-dimension API (``pymc.dims``).

``ZeroSumNormal(core_dims="group")`` names the constrained axis instead of relying
on its position, so the thread's bug cannot be written this way.

Takes the ``sufficient`` likelihood (see the package docstring), written with
observed ``pymc.dims`` distributions only: pymc.dims operations have no gradients
inside a ``Potential``, so the likelihood cannot be the ``Potential`` the other
modules use (``zsneq.models.variants._likelihoods``). With each group's QR statistics
(``zsneq.sufficient.GroupStats``), ``sum_g ||y_g - X_g b_g||^2 = RSS + sum_g ||c_g - R_g b_g||^2``
(``RSS = sum_g rss_g``), and the row-wise log likelihood
``-N log sigma - sum_g ||y_g - X_g b_g||^2 / (2 sigma^2)`` (plus a constant) is the sum of

- ``c_obs ~ Normal((R * b).sum("predictor"), sigma)`` observed at ``c``, dims (``qr``, ``group``):
  ``-P G log sigma - sum_g ||c_g - R_g b_g||^2 / (2 sigma^2)``. A group with fewer rows
  than predictors has all-zero rows of ``R_g`` and ``c_g`` past its row count; they
  contribute ``-log sigma`` only, which the next term accounts for;
- ``rss_obs ~ Gamma(alpha=(N - P G) / 2, beta=1 / (2 sigma^2))`` observed at ``RSS``:
  ``-(N - P G) log sigma - RSS / (2 sigma^2)`` in sigma.

So the joint log density is the row-wise model's plus a constant that depends on the
data only: ``a log(pi) + (a - 1) log(RSS) - lgamma(a)`` with ``a = (N - P G) / 2``.
``N > P G`` is required (checked when the model is built): the Gamma's shape must be
positive, and with ``N == P G`` the RSS need not be 0 (groups of unequal sizes).
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pymc.dims as pmd
from pytensor.xtensor.type import XTensorVariable

from zsneq.core.dataset import RegressionData
from zsneq.models.sufficient import GroupStats
from zsneq.models.variants._common import BETA_SIGMA, GROUP, OBS, PREDICTOR, SIGMA_SIGMA, TAU_MU, TAU_SIGMA
from zsneq.models.variants._vectorized import OFFSET, from_common, group_slopes, to_common

DESCRIPTION = "pymc.dims: ZeroSumNormal(core_dims='group', dims=('group', 'predictor')), axes by name"
AXES = {"likelihood": ("rowwise", "sufficient")}
QR = "qr"  # rows of each group's QR factor R_g and of c_g = Q_g'y_g

__all__ = ["AXES", "DESCRIPTION", "QR", "build_model", "from_common", "group_slopes", "to_common"]


def rowwise_data(data: RegressionData) -> tuple[XTensorVariable, ...]:
    """Group index, predictors and outcome as named ``pmd.Data``."""
    g = pmd.Data("g", data.group_idx, dims=OBS)
    x = pmd.Data("x", data.x, dims=(OBS, PREDICTOR))
    y = pmd.Data("y", data.y, dims=OBS)
    return g, x, y


def sufficient_data(stats: GroupStats) -> tuple[XTensorVariable, ...]:
    """Per-group sufficient statistics as named ``pmd.Data`` (the names ``_likelihoods`` uses)."""
    n = pmd.Data("n_g", stats.n, dims=GROUP)
    rss = pmd.Data("rss_g", stats.rss, dims=GROUP)
    r = pmd.Data("r_g", stats.r, dims=(QR, PREDICTOR, GROUP))
    c = pmd.Data("c_g", stats.c, dims=(QR, GROUP))
    return n, rss, r, c


def group_stats(data: RegressionData) -> GroupStats:
    """The data's per-group sufficient statistics; ValueError unless there are more rows than ``P G``.

    The residual term is a Gamma with shape ``(N - P G) / 2``, which must be positive. ``N == P G``
    is refused too rather than dropping the term: the residual sum of squares is then 0 only when
    every group has exactly ``P`` rows.
    """
    stats = GroupStats.from_data(data)
    n_rows, n_stats = float(stats.n.sum()), stats.c.size
    if n_rows <= n_stats:
        raise ValueError(
            f"vectorized_dims+sufficient needs more rows than predictors x groups: N = {n_rows:g} rows, "
            f"P x G = {data.n_predictors} x {data.n_groups} = {n_stats}"
        )
    return stats


def model_coords(data: RegressionData, stats: GroupStats | None) -> dict:
    """The data's coords; with sufficient statistics, ``qr`` (rows of each group's QR factor) instead of rows."""
    return data.coords() if stats is None else data.coords(rows=False) | {QR: np.arange(stats.c.shape[0])}


def priors():
    """beta, tau over predictors and sigma: the thread's priors, created in this order."""
    beta = pmd.Normal("beta", mu=0.0, sigma=BETA_SIGMA, dims=PREDICTOR)
    # float64 constants: pymc.dims converts (mu, sigma) to (alpha, beta) inside the graph, where a Python
    # float such as 10.0 becomes a float32 constant, so the rate came out 0.40000003814697627, not 0.4
    # (about 1e-6 nats per point, enough for the log-density check to call this model different)
    tau = pmd.Gamma("tau", mu=np.float64(TAU_MU), sigma=np.float64(TAU_SIGMA), dims=PREDICTOR)
    sigma = pmd.HalfNormal("sigma", sigma=SIGMA_SIGMA)
    return beta, tau, sigma


def slopes(beta: XTensorVariable, tau: XTensorVariable) -> XTensorVariable:
    """Group slopes ``beta + tau * epsilon`` with offsets that sum to zero over ``group``."""
    epsilon = pmd.ZeroSumNormal(OFFSET, core_dims=GROUP, dims=(GROUP, PREDICTOR))
    return beta + tau * epsilon


def rowwise_likelihood(g, x, y, beta_g: XTensorVariable, sigma: XTensorVariable) -> None:
    """One Normal term per row: ``y ~ Normal(sum_predictor(b[g] * x), sigma)``."""
    mu = (beta_g.isel({GROUP: g}) * x).sum(PREDICTOR)
    pmd.Normal("y_obs", mu=mu, sigma=sigma, observed=y)


def sufficient_likelihood(n, rss, r, c, beta_g: XTensorVariable, sigma: XTensorVariable) -> None:
    """The row-wise likelihood up to a constant, from sufficient statistics (see the module docstring)."""
    n_predictors = r.sizes[PREDICTOR]
    pmd.Normal("c_obs", mu=(r * beta_g).sum(PREDICTOR), sigma=sigma, observed=c)
    dof = (n - n_predictors).sum(GROUP)  # N - P G, from the data so another dataset can be swapped in
    pmd.Gamma("rss_obs", alpha=dof / 2, beta=1 / (2 * sigma**2), observed=rss.sum(GROUP))


def build_model(data: RegressionData, likelihood: str = "rowwise") -> pm.Model:
    """Data, beta, tau, sigma, group slopes, likelihood: created in this order for either likelihood."""
    stats = group_stats(data) if likelihood == "sufficient" else None
    with pm.Model(coords=model_coords(data, stats)) as model:
        containers = rowwise_data(data) if stats is None else sufficient_data(stats)
        beta, tau, sigma = priors()
        beta_g = slopes(beta, tau)
        (rowwise_likelihood if stats is None else sufficient_likelihood)(*containers, beta_g, sigma)
    return model
