"""Simulated datasets: the thread's generator, generalised to P predictors.

The draw order is the thread's: for each group, one slope per predictor
(``rng.normal(loc=beta_k, scale=tau_k)``), then ``rows_per_group`` values of each
predictor in turn, then ``rows_per_group`` noise draws. With ``seed=42``, 1000
groups x 200 rows and the thread's beta/tau/sigma this reproduces the thread's
data frame bit for bit; the whole stream is drawn in one call and cut up, which
gives the same numbers as the thread's per-call draws.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from zsneq.core.dataset import Truth
from zsneq.core.vocabulary import predictor_names
from zsneq.simulation.prior import simulate_from_prior


def replicate_rng(seed: int, rep: int) -> np.random.Generator:
    """Random generator of replicate ``rep`` of a scenario with base ``seed``.

    Replicate 0 is ``default_rng(seed)``, the thread's generator. Replicate r > 0
    uses the r-th spawned child of ``SeedSequence(seed)``: stable, independent of
    how replicates are batched, and independent of replicate 0's stream.
    """
    if rep < 0:
        raise ValueError(f"replicate index must be >= 0, got {rep}")
    if rep == 0:
        return np.random.default_rng(seed)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(rep,)))


def simulate(
    groups: int,
    rows_per_group: int,
    beta: Sequence[float],
    tau: Sequence[float],
    sigma: float,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, Truth]:
    """Simulate one dataset; columns ``group, y, x1..xP`` as in the thread."""
    beta = np.asarray(beta, dtype=float)
    tau = np.asarray(tau, dtype=float)
    if beta.ndim != 1 or beta.shape != tau.shape or beta.size == 0:
        raise ValueError(f"beta and tau must be equal-length lists, got {beta.shape} and {tau.shape}")
    if groups < 1 or rows_per_group < 1:
        raise ValueError("groups and rows_per_group must be >= 1")
    P, G, N = beta.size, int(groups), int(rows_per_group)
    per_group = P + P * N + N
    z = rng.standard_normal(G * per_group).reshape(G, per_group)
    beta_g = beta + tau * z[:, :P]  # numpy's normal(loc, scale) is loc + scale * z
    x = z[:, P : P + P * N].reshape(G, P, N)
    eps = z[:, P + P * N :]
    y = beta_g[:, 0, None] * x[:, 0]
    for k in range(1, P):  # left-to-right sum, as the thread writes it
        y = y + beta_g[:, k, None] * x[:, k]
    y = y + sigma * eps
    names = predictor_names(P)
    frame = pd.DataFrame({"group": np.repeat(np.arange(G), N), "y": y.ravel()})
    for k, name in enumerate(names):
        frame[name] = x[:, k].ravel()
    truth = Truth(beta=beta, tau=tau, sigma=float(sigma), beta_g=beta_g, predictors=names)
    return frame, truth


def simulate_scenario(scenario: dict, rep: int) -> tuple[pd.DataFrame, Truth]:
    """Simulate replicate ``rep`` of a scenario given as its config mapping.

    With ``truth: prior`` the truths are drawn from the intended model's prior first
    (``zsneq.simulation.prior``); otherwise they are the scenario's ``beta``, ``tau`` and ``sigma``.
    """
    if scenario.get("truth", "fixed") == "prior":
        return simulate_from_prior(
            groups=scenario["groups"],
            rows_per_group=scenario["rows_per_group"],
            predictors=scenario["predictors"],
            rng=replicate_rng(int(scenario["seed"]), rep),
        )
    return simulate(
        groups=scenario["groups"],
        rows_per_group=scenario["rows_per_group"],
        beta=scenario["beta"],
        tau=scenario["tau"],
        sigma=scenario["sigma"],
        rng=replicate_rng(int(scenario["seed"]), rep),
    )
