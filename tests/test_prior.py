"""The NumPy simulator of simulation-based calibration follows the reference variant's generative story.

The simulator shares no code with the variants; these tests compare its draws with prior predictive
draws of the reference model (same predictors) by two-sample Kolmogorov-Smirnov tests, and check
the zero-sum structure and its (G - 1) / G marginal variance directly.
"""

import numpy as np
import pymc as pm
import pytest
from scipy.stats import ks_2samp

from zsneq.core.dataset import RegressionData
from zsneq.models.variants import get_variant
from zsneq.simulation.generator import replicate_rng, simulate_scenario
from zsneq.simulation.prior import draw_top_level, simulate_from_prior, zero_sum_offsets

G, N, P = 4, 3, 2
DRAWS = 4000
P_MIN = 1e-3  # with fixed seeds the outcome is deterministic; this only guards against a wrong distribution


@pytest.fixture(scope="module")
def design() -> RegressionData:
    frame, _ = simulate_from_prior(G, N, P, np.random.default_rng(0))
    return RegressionData.from_frame(frame)


@pytest.fixture(scope="module")
def reference_draws(design):
    """Prior predictive draws of the reference model (nonvectorized) on the design's predictors."""
    model = get_variant("nonvectorized").build_model(design)
    names = ["sigma", "beta1", "beta2", "tau1", "tau2", "epsilon_beta1_g", "y_obs"]
    idata = pm.sample_prior_predictive(draws=DRAWS, model=model, var_names=names, random_seed=1)
    prior = idata["prior"].to_dataset().stack(s=("chain", "draw"))
    pred = idata["prior_predictive"].to_dataset().stack(s=("chain", "draw"))
    return {
        "beta": prior["beta1"].values, "tau": prior["tau1"].values, "sigma": prior["sigma"].values,
        "offset": prior["epsilon_beta1_g"].values[0], "y": pred["y_obs"].values[0],
    }


@pytest.fixture(scope="module")
def numpy_draws(design):
    """The same quantities from the NumPy simulator, with the design's predictors for y."""
    rng = np.random.default_rng(2)
    out = {k: [] for k in ("beta", "tau", "sigma", "offset", "y")}
    for _ in range(DRAWS):
        beta, tau, sigma = draw_top_level(P, rng)
        offsets = zero_sum_offsets(G, P, rng)
        slopes = beta + tau * offsets
        g0, x0 = design.group_idx[0], design.x[0]
        out["beta"].append(beta[0])
        out["tau"].append(tau[0])
        out["sigma"].append(sigma)
        out["offset"].append(offsets[0, 0])
        out["y"].append(slopes[g0] @ x0 + sigma * rng.standard_normal())
    return {k: np.array(v) for k, v in out.items()}


@pytest.mark.parametrize("quantity", ["beta", "tau", "sigma", "offset", "y"])
def test_numpy_simulator_matches_reference_prior(reference_draws, numpy_draws, quantity):
    assert ks_2samp(reference_draws[quantity], numpy_draws[quantity]).pvalue > P_MIN


def test_offsets_sum_to_zero_over_groups_with_variance_g_minus_1_over_g():
    offsets = np.stack([zero_sum_offsets(5, 3, np.random.default_rng(i)) for i in range(4000)])
    assert np.allclose(offsets.sum(axis=1), 0.0)
    assert offsets.var(axis=0) == pytest.approx(np.full((5, 3), 4 / 5), rel=0.08)
    pymc_offsets = pm.draw(pm.ZeroSumNormal.dist(shape=5), draws=4000, random_seed=3)
    assert ks_2samp(offsets[:, 0, 0], pymc_offsets[:, 0]).pvalue > P_MIN


def test_prior_scenario_replicates_are_reproducible_and_distinct():
    scenario = {"truth": "prior", "groups": 6, "rows_per_group": 4, "predictors": 2, "seed": 9}
    frame_a, truth_a = simulate_scenario(scenario, 3)
    frame_b, truth_b = simulate_scenario(scenario, 3)
    _, truth_other = simulate_scenario(scenario, 4)
    assert frame_a.equals(frame_b) and truth_a.top_level() == truth_b.top_level()
    assert truth_a.top_level() != truth_other.top_level()
    assert list(frame_a.columns) == ["group", "y", "x1", "x2"] and len(frame_a) == 24
    # zero-sum offsets: beta is the mean of the groups' slopes, so target and truth coincide
    assert truth_a.targets() == pytest.approx(truth_a.top_level(), abs=1e-12)
    assert simulate_from_prior(6, 4, 2, replicate_rng(9, 3))[0].equals(frame_a)
