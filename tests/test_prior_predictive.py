"""Prior-predictive equivalence: same models written differently pass, different models are flagged.

The models are plain PyMC builders taking a DataFrame (``group, y, x1..xP``), as a user file would
give them; their priors are scaled to the tiny design (30 groups x 10 rows) so that group structure
shows in the data (slope noise sigma / sqrt(10) well below the spread tau of group slopes).
"""

import numpy as np
import pandas as pd
import pymc as pm
import pymc.dims as pmd
import pytest

from zsneq.analysis.prior_predictive import (
    CANNOT_DRAW,
    compare_prior_predictive,
    compare_variants,
    design_of,
    forward_form,
    holm,
    max_ks_test,
    named_parameters,
    slope_statistics,
    variant_builder,
)
from zsneq.simulation.generator import simulate

GROUP, PREDICTOR = "group", "predictor"
BETA_SD, TAU_MU, TAU_SD, SIGMA_SD = 1.0, 2.0, 1.0, 0.5


@pytest.fixture(scope="module")
def design() -> pd.DataFrame:
    frame, _ = simulate(30, 10, [1.0, 1.2, 0.8], [1.0, 1.5, 0.8], 1.0, np.random.default_rng(3))
    return frame


def _coords(frame):
    predictors = [c for c in frame.columns if c.startswith("x")]
    return {GROUP: np.unique(frame["group"]), PREDICTOR: predictors, "obs": np.arange(len(frame))}, predictors


def _vector_model(frame, slopes, tau_prior=None):
    """beta and tau over predictors, group slopes from ``slopes(beta, tau)`` (group, predictor), row-wise y."""
    coords, predictors = _coords(frame)
    g = pd.factorize(frame["group"], sort=True)[0]
    with pm.Model(coords=coords) as model:
        x = pm.Data("x", frame[predictors].to_numpy(), dims=("obs", PREDICTOR))
        beta = pm.Normal("beta", 0.0, BETA_SD, dims=PREDICTOR)
        tau = tau_prior() if tau_prior else pm.Gamma("tau", mu=TAU_MU, sigma=TAU_SD, dims=PREDICTOR)
        sigma = pm.HalfNormal("sigma", SIGMA_SD)
        b = slopes(beta, tau)
        pm.Normal("outcome", (b[g] * x).sum(axis=1), sigma, observed=frame["y"].to_numpy(), dims="obs")
    return model


def per_predictor(frame):
    """The thread's reference: one beta_k, tau_k and ZeroSumNormal(dims='group') offset per predictor."""
    coords, predictors = _coords(frame)
    g = pd.factorize(frame["group"], sort=True)[0]
    with pm.Model(coords=coords) as model:
        sigma = pm.HalfNormal("sigma", SIGMA_SD)
        mu = 0.0
        for k, name in enumerate(predictors, start=1):
            beta = pm.Normal(f"beta{k}", 0.0, BETA_SD)
            tau = pm.Gamma(f"tau{k}", mu=TAU_MU, sigma=TAU_SD)
            eps = pm.ZeroSumNormal(f"eps{k}", dims=GROUP)
            mu = mu + (beta + tau * eps)[g] * frame[name].to_numpy()
        pm.Normal("y", mu, sigma, observed=frame["y"].to_numpy())
    return model


# --- the same model, written differently -----------------------------------------------------------

def transposed(frame):
    """The forum's fix: ZeroSumNormal(dims=[predictor, group]).T."""
    return _vector_model(frame, lambda beta, tau: beta + tau * pm.ZeroSumNormal("eps", dims=[PREDICTOR, GROUP]).T)


def centered(frame):
    return _vector_model(
        frame, lambda beta, tau: beta + pm.ZeroSumNormal("delta", sigma=tau[:, None], dims=[PREDICTOR, GROUP]).T
    )


def mean_subtracted(frame):
    """Zero sum over group by subtracting the group mean of iid normal offsets (same law as ZeroSumNormal)."""
    def slopes(beta, tau):
        z = pm.Normal("z", 0.0, 1.0, dims=[GROUP, PREDICTOR])
        return beta + tau * (z - z.mean(axis=0))
    return _vector_model(frame, slopes)


def named_dims(frame):
    """pymc.dims: the zero-sum axis named, not positional."""
    coords, predictors = _coords(frame)
    g = pd.factorize(frame["group"], sort=True)[0]
    with pm.Model(coords=coords) as model:
        gi = pmd.Data("g", g, dims="obs")
        x = pmd.Data("x", frame[predictors].to_numpy(), dims=("obs", PREDICTOR))
        beta = pmd.Normal("beta", 0.0, BETA_SD, dims=PREDICTOR)
        tau = pmd.Gamma("tau", mu=TAU_MU, sigma=TAU_SD, dims=PREDICTOR)
        sigma = pmd.HalfNormal("sigma", SIGMA_SD)
        b = beta + tau * pmd.ZeroSumNormal("eps", core_dims=GROUP, dims=(GROUP, PREDICTOR))
        mu = (b.isel({GROUP: gi}) * x).sum(PREDICTOR)
        pmd.Normal("y", mu=mu, sigma=sigma, observed=pmd.Data("y_data", frame["y"].to_numpy(), dims="obs"))
    return model


# --- different models --------------------------------------------------------------------------------

def wrong_axis(frame):
    """The thread's bug: ZeroSumNormal(dims=[group, predictor]) zero-sums predictor."""
    return _vector_model(frame, lambda beta, tau: beta + tau * pm.ZeroSumNormal("eps", dims=[GROUP, PREDICTOR]))


def shared_spread(frame):
    """One tau for every predictor."""
    return _vector_model(frame, lambda beta, tau: beta + tau * pm.ZeroSumNormal("eps", dims=[PREDICTOR, GROUP]).T,
                         tau_prior=lambda: pm.Gamma("tau", mu=TAU_MU, sigma=TAU_SD))


def no_zero_sum(frame):
    return _vector_model(frame, lambda beta, tau: beta + tau * pm.Normal("eps", 0.0, 1.0, dims=[GROUP, PREDICTOR]))


def other_tau_family(frame):
    """tau ~ Exponential with the intended prior mean instead of the intended Gamma."""
    return _vector_model(frame, lambda beta, tau: beta + tau * pm.ZeroSumNormal("eps", dims=[PREDICTOR, GROUP]).T,
                         tau_prior=lambda: pm.Exponential("tau", scale=TAU_MU, dims=PREDICTOR))


def tau_as_variance(frame):
    """A scale's prior given where the model means a variance: slopes spread by sqrt(tau), not tau."""
    return _vector_model(
        frame, lambda beta, tau: beta + pm.math.sqrt(tau) * pm.ZeroSumNormal("eps", dims=[PREDICTOR, GROUP]).T
    )


SAME = [transposed, centered, mean_subtracted, named_dims]
DIFFERENT = [wrong_axis, shared_spread, no_zero_sum, other_tau_family, tau_as_variance]
N_PAIRS = len(SAME) + len(DIFFERENT)  # the Bonferroni family of this test


def _compare(builder, design, **kwargs):
    return compare_prior_predictive(builder, per_predictor, design, n_comparisons=N_PAIRS, seed=11, **kwargs)


@pytest.mark.parametrize("builder", SAME, ids=lambda f: f.__name__)
def test_same_model_written_differently_is_not_flagged(builder, design):
    result = _compare(builder, design)
    assert result["status"] == "no_difference", result["sentence"]
    assert result["p_value"] > result["threshold"]
    assert {"beta[x1]", "tau[x3]", "sigma"} <= set(result["shared_parameters"])


@pytest.mark.parametrize("builder", DIFFERENT, ids=lambda f: f.__name__)
def test_different_model_is_flagged(builder, design):
    result = _compare(builder, design)
    assert result["status"] == "differs", result["sentence"]
    assert result["p_value"] <= result["threshold"]
    assert result["sentence"].startswith("prior predictive differs")


def test_wrong_axis_is_named_in_the_sentence(design):
    """The thread's bug shows as slope deviations cancelling over predictors within a group."""
    result = _compare(wrong_axis, design)
    assert "sum to zero over predictor" in result["sentence"], result["sentence"]
    assert result["variant_summary"]["median"] < result["reference_summary"]["median"]


def test_named_parameters_are_matched_by_name(design):
    predictors = ["x1", "x2", "x3"]
    by_vector = named_parameters(transposed(design), predictors)
    by_scalar = named_parameters(per_predictor(design), predictors)
    assert set(by_vector) == set(by_scalar) == {*(f"{f}[{p}]" for f in ("beta", "tau") for p in predictors), "sigma"}
    assert by_vector["tau[x2]"] == ("tau", 1) and by_scalar["tau[x2]"] == ("tau2", None)
    assert "tau" in named_parameters(shared_spread(design), predictors)  # a scalar tau is not tau[x1]


@pytest.mark.parametrize(("variant", "why"), [("vectorized_fixed+sufficient", "Potential"),
                                              ("vectorized_dims+sufficient", "one value per row")])
def test_models_without_observed_rows_cannot_draw(variant, why, design):
    """A likelihood written as a Potential, or observed on per-group statistics, has no prior predictive
    data to draw: reported, not raised."""
    result = compare_prior_predictive(variant_builder(variant), variant_builder("nonvectorized"), design,
                                      draws=20, permutations=19)
    assert result["status"] == "cannot_draw" and result["flagged"] is None
    assert result["reason"].startswith(CANNOT_DRAW) and why in result["reason"], result["reason"]


def test_fast_likelihood_variants_are_drawn_in_their_rowwise_form(design):
    """Built-in variants whose likelihood forward draws cannot use are drawn as the same module with the
    row-wise likelihood (the same joint law), and the result says so; the others are drawn as they are."""
    assert forward_form("vectorized_fixed+sufficient+centered") == "vectorized_fixed+centered"
    assert forward_form("vectorized_fixed+marginal") == "vectorized_fixed"
    assert forward_form("vectorized_dims+sufficient") == "vectorized_dims"
    assert forward_form("nonvectorized") == "nonvectorized"
    entry = {"name": "mine", "file": "model.py"}
    assert forward_form(entry) is entry
    result = compare_variants("vectorized_fixed+marginal", "nonvectorized", design, draws=40, permutations=99)
    assert result["status"] == "no_difference" and result["drawn_as"] == {"variant": "vectorized_fixed"}
    assert result["sentence"].endswith("(the variant drawn in its row-wise form vectorized_fixed, the same joint law)")
    posted = compare_variants("vectorized_as_posted", "vectorized_fixed+sufficient", design, draws=100, seed=1)
    assert posted["status"] == "differs" and posted["drawn_as"] == {"reference": "vectorized_fixed"}


def test_builtin_as_posted_is_flagged_against_the_reference():
    frame, _ = simulate(40, 20, [1.0, 1.2, 0.8], [10.0, 12.0, 8.0], 20.0, np.random.default_rng(0))
    result = compare_prior_predictive(variant_builder("vectorized_as_posted"), variant_builder("nonvectorized"),
                                      frame, draws=100, seed=1)
    assert result["status"] == "differs", result["sentence"]


def test_slopes_are_per_group_least_squares():
    """Batch slopes equal lstsq per group, rows in any order and groups of unequal size."""
    rng = np.random.default_rng(5)
    group = rng.permutation(np.repeat([7, 3, 5], [6, 9, 4]))
    frame = pd.DataFrame({"group": group, "x1": rng.normal(size=19), "x2": rng.normal(size=19)})
    y = rng.normal(size=(2, 19))
    stats = slope_statistics(y, design_of(frame))
    x = frame[["x1", "x2"]].to_numpy()
    slopes = np.array([[np.linalg.lstsq(x[group == g], y[d, group == g], rcond=None)[0] for g in (3, 5, 7)]
                       for d in range(2)])
    np.testing.assert_allclose(stats["slope mean over group [x2]"], slopes[:, :, 1].mean(axis=1))
    np.testing.assert_allclose(stats["slope sd over group [x1]"], slopes[:, :, 0].std(axis=1))
    rss = sum(((y[:, group == g] - slopes[:, i] @ x[group == g].T) ** 2).sum(axis=1) for i, g in enumerate((3, 5, 7)))
    np.testing.assert_allclose(stats["residual sd"], np.sqrt(rss / (19 - 3 * 2)))


def test_max_ks_test_exact_null_and_power():
    """Same law: p is not small; a shifted column among many is found, and named."""
    rng = np.random.default_rng(0)
    a = pd.DataFrame(rng.normal(size=(100, 5)), columns=list("abcde"))
    b = pd.DataFrame(rng.normal(size=(100, 5)), columns=list("abcde"))
    assert max_ks_test(a, b, permutations=199, seed=1)["p_value"] > 0.05
    shifted = max_ks_test(a, b.assign(d=b["d"] + 1.0), permutations=199, seed=1)
    assert shifted["p_value"] == pytest.approx(1 / 200)
    top = max(shifted["statistics"], key=lambda s: s["ks"])
    assert top["statistic"] == "d"


def test_holm():
    adjusted = holm({"a": 0.01, "b": 0.04, "c": 0.03})
    assert adjusted == pytest.approx({"a": 0.03, "c": 0.06, "b": 0.06})
