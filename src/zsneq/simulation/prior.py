"""The intended model's generative story in NumPy, for simulation-based calibration.

Independent of the PyMC code on purpose: simulation-based calibration asks whether a variant
implements *this* model, so the simulator must not share code with the variants. It follows the
reference variant's priors and structure exactly (``tests/test_prior.py`` compares the two):

- ``beta_k ~ Normal(0, BETA_SIGMA)`` for each predictor k;
- ``tau_k ~ Gamma(mu=TAU_MU, sigma=TAU_SIGMA)``, i.e. shape ``(mu/sigma)^2`` and scale ``sigma^2/mu``;
- ``sigma ~ HalfNormal(SIGMA_SIGMA)``;
- group offsets per predictor: ``z_gk`` iid ``Normal(0, 1)`` minus their mean over groups. That is
  PyMC's ``ZeroSumNormal(sigma=1)`` along ``group``: ``Normal(0, I - J/G)``, so each offset has
  marginal variance ``(G - 1) / G``, not 1;
- ``slope_gk = beta_k + tau_k * offset_gk``; predictors ``x ~ Normal(0, 1)`` (as in the thread's
  generator); ``y = sum_k slope_gk * x_k + sigma * eps`` with ``eps ~ Normal(0, 1)``.

Because the offsets sum to zero, ``beta`` is exactly the mean of the groups' slopes here: the
population mean and the value the model targets coincide.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zsneq.core.dataset import Truth
from zsneq.core.vocabulary import predictor_names

# The intended model's priors (the thread's; see variants/_common.py, checked by the tests).
BETA_SIGMA = 2.0
TAU_MU = 10.0
TAU_SIGMA = 5.0
SIGMA_SIGMA = 200.0


def draw_top_level(n_predictors: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, float]:
    """One draw of (beta, tau, sigma) from the prior, in that order."""
    beta = BETA_SIGMA * rng.standard_normal(n_predictors)
    tau = rng.gamma(shape=(TAU_MU / TAU_SIGMA) ** 2, scale=TAU_SIGMA**2 / TAU_MU, size=n_predictors)
    sigma = float(abs(SIGMA_SIGMA * rng.standard_normal()))
    return beta, tau, sigma


def zero_sum_offsets(n_groups: int, n_predictors: int, rng: np.random.Generator) -> np.ndarray:
    """(G, P) offsets: iid standard normal minus their mean over groups (zero sum along groups)."""
    z = rng.standard_normal((n_groups, n_predictors))
    return z - z.mean(axis=0, keepdims=True)


def simulate_from_prior(
    groups: int, rows_per_group: int, predictors: int, rng: np.random.Generator
) -> tuple[pd.DataFrame, Truth]:
    """Draw truths from the prior, then one dataset; columns ``group, y, x1..xP`` as in ``data.simulate``.

    Draw order: beta, tau, sigma, offsets (G x P), predictors (rows x P), noise (rows).
    """
    if groups < 2 or rows_per_group < 1 or predictors < 1:
        raise ValueError("groups must be >= 2, rows_per_group and predictors >= 1")
    G, N, P = int(groups), int(rows_per_group), int(predictors)
    beta, tau, sigma = draw_top_level(P, rng)
    slopes = beta + tau * zero_sum_offsets(G, P, rng)
    group = np.repeat(np.arange(G), N)
    x = rng.standard_normal((G * N, P))
    eps = rng.standard_normal(G * N)
    y = (slopes[group] * x).sum(axis=1) + sigma * eps
    names = predictor_names(P)
    frame = pd.DataFrame({"group": group, "y": y})
    for k, name in enumerate(names):
        frame[name] = x[:, k]
    return frame, Truth(beta=beta, tau=tau, sigma=sigma, beta_g=slopes, predictors=names)
