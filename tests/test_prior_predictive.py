"""Prior-predictive equivalence: same models written differently pass, different models are flagged.

The models are plain PyMC builders taking a DataFrame (``group, y, x1..xP``), as a user file would
give them; their priors are scaled to the tiny design (30 groups x 10 rows) so that group structure
shows in the data (slope noise sigma / sqrt(10) well below the spread tau of group slopes). The user
files of ``tests/data/thread_models`` keep the thread's priors, under which the slopes' least-squares
noise is larger than their spread (sigma ~ HalfNormal(200), tau ~ Gamma(mu=10, sigma=5)).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pymc as pm
import pymc.dims as pmd
import pytest

from zsneq.analysis.checks import logp_equivalence
from zsneq.analysis.prior_predictive import (
    CANNOT_DRAW,
    DRAWS,
    MAX_DRAWS,
    alternatives,
    compare_prior_predictive,
    compare_variants,
    design_of,
    draw_statistics,
    draws_for,
    estimate_power,
    forward_form,
    holm,
    ks_distances,
    max_ks_test,
    named_parameters,
    permutations_for,
    power_text,
    slope_statistics,
    variant_builder,
)
from zsneq.core.dataset import RegressionData
from zsneq.core.userfile import load_function
from zsneq.simulation.generator import simulate

THREAD_MODELS = Path(__file__).parent / "data" / "thread_models"

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
TEST_DRAWS = 400  # fewer than the cost rule gives this design (2000): the pairs here differ plainly


def _compare(builder, design, **kwargs):
    return compare_prior_predictive(builder, per_predictor, design, n_comparisons=N_PAIRS, seed=11,
                                    **{"draws": TEST_DRAWS} | kwargs)


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


def test_a_fast_likelihood_is_drawn_in_its_rowwise_form_only_where_its_log_density_check_says_equivalent(design):
    """A variant whose likelihood forward draws cannot use is drawn as the same module with the row-wise
    likelihood where its log-density check against the reference says equivalent, and the result says
    so; where the check says anything else, or there is none, the pair is not compared, with the reason."""
    assert forward_form("vectorized_fixed+sufficient+centered") == "vectorized_fixed+centered"
    assert forward_form("vectorized_fixed+marginal") == "vectorized_fixed"
    assert forward_form("vectorized_dims+sufficient") == "vectorized_dims"
    assert forward_form("nonvectorized") == "nonvectorized"
    entry = {"name": "mine", "file": "model.py"}
    assert forward_form(entry) is entry
    logp = logp_equivalence("vectorized_fixed+marginal", "nonvectorized", RegressionData.from_frame(design))
    assert logp["status"] == "equivalent", logp["reason"]  # what rule check_variant writes for it
    result = compare_variants("vectorized_fixed+marginal", "nonvectorized", design, logp=logp, draws=40,
                              permutations=99)
    assert result["status"] == "no_difference" and result["drawn_as"] == {"variant": "vectorized_fixed"}
    assert "(the variant drawn in its row-wise form vectorized_fixed (its log density" in result["sentence"]
    different = {"status": "different", "reason": "log density differences vary by 3.2 nats"}
    for check in (different, {"status": "no_map", "reason": "no map"}, None):
        skipped = compare_variants("vectorized_fixed+marginal", "nonvectorized", design, logp=check, draws=40)
        assert skipped["status"] == "not_compared" and skipped["flagged"] is None and skipped["p_value"] is None
        assert skipped["reason"].startswith("the variant's +marginal likelihood has no forward draws and its log "
                                            "density was not shown equal to the reference's"), skipped["reason"]
        assert {"power", "power_note", "threshold", "sentence"} <= set(skipped)
    assert "vary by 3.2 nats" in compare_variants("vectorized_fixed+marginal", "nonvectorized", design,
                                                  logp=different)["reason"]


def test_a_fast_reference_is_drawn_in_its_rowwise_form_only_where_that_forms_check_says_equivalent(design):
    """The reference takes the same certificate: the check of its row-wise form against it."""
    unchecked = compare_variants("vectorized_as_posted", "vectorized_fixed+sufficient", design, draws=100)
    assert unchecked["status"] == "not_compared"
    assert unchecked["reason"].startswith("the reference's +sufficient likelihood has no forward draws")
    logp = logp_equivalence("vectorized_fixed", "vectorized_fixed+sufficient", RegressionData.from_frame(design))
    posted = compare_variants("vectorized_as_posted", "vectorized_fixed+sufficient", design, reference_logp=logp,
                              draws=100, seed=1)
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


def _ks_by_definition(column: np.ndarray, first: np.ndarray, second: np.ndarray) -> float:
    """Largest gap of the two samples' empirical distribution functions, in floats, at each distinct value."""
    order = np.argsort(column, kind="stable")
    below_first, below_second = np.cumsum(first[order]), np.cumsum(second[order])
    ends = np.append(column[order][1:] != column[order][:-1], True)
    return float(np.max(np.abs(below_first / first.sum() - below_second / second.sum())[ends]))


@pytest.mark.parametrize("case", ["continuous", "ties", "subsamples of a pool"])
def test_ks_distances_are_bit_for_bit_the_largest_gap_of_the_distribution_functions(case):
    """The compiled pass (integer steps) gives, bit for bit, the float gap taken by its definition: with
    samples of different sizes, with ties (gaps only at the end of a run of equal values), and with rows
    in neither sample."""
    rng = np.random.default_rng(5)
    n, labellings = 301, 40
    values = rng.normal(size=(n, 3))
    if case == "ties":
        values = np.round(values, 1)
        values[:, 2] = 0.0  # one column with every value tied
    first = np.stack([rng.permutation(np.arange(n) < 120) for _ in range(labellings)])
    second = ~first
    if case == "subsamples of a pool":
        second = second & (rng.random((labellings, n)) < 0.6)
        first = first & (rng.random((labellings, n)) < 0.8)
    got = ks_distances(values, first, None if case != "subsamples of a pool" else second)
    expected = np.array([[_ks_by_definition(values[:, k], first[r], second[r]) for k in range(values.shape[1])]
                         for r in range(labellings)])
    assert np.array_equal(got, expected)
    if case == "ties":
        assert np.all(got[:, 2] == 0.0)


def test_holm():
    adjusted = holm({"a": 0.01, "b": 0.04, "c": 0.03})
    assert adjusted == pytest.approx({"a": 0.03, "c": 0.06, "b": 0.06})


def test_permutations_let_the_smallest_p_value_reach_the_threshold_of_many_comparisons(design):
    """With 999 permutations no p-value is below 0.001, so beyond 50 comparisons nothing could be flagged."""
    assert permutations_for(0.05, 1) == 999
    assert permutations_for(0.05, 60) == 24_000  # ceil(20 x 60 / 0.05)
    result = compare_prior_predictive(wrong_axis, per_predictor, design, n_comparisons=60, draws=100, seed=11)
    assert result["permutations"] == 24_000
    assert result["status"] == "differs" and result["p_value"] <= 0.05 / 60


def test_draws_follow_the_cost_rule():
    assert draws_for(200_000) == DRAWS  # the seed study's 1000 groups x 200 rows
    assert draws_for(40_000) == 1000
    assert draws_for(12_000) == draws_for(300) == MAX_DRAWS


def test_mean_slope_minus_beta_in_noise_units_is_pivotal_under_zero_sum_offsets(design):
    """Offsets that sum to zero over groups leave least-squares noise only: about N(0, 1) per predictor
    and chi-square with P = 3 degrees of freedom over them, whatever the priors; iid offsets add to it."""
    grid = design_of(design)
    names = ["beta[x1]", "beta[x2]", "beta[x3]"]
    zero_sum = draw_statistics(per_predictor(design), grid, names, 400, seed=2)
    free = draw_statistics(no_zero_sum(design), grid, names, 400, seed=2)
    z = zero_sum["slope mean over group - beta, in noise sds [x2]"]
    assert abs(z.mean()) < 0.15 and 0.88 < z.std() < 1.12
    assert 2.5 < zero_sum["slope mean over group - beta: squared noise distance"].mean() < 3.5
    assert free["slope mean over group - beta, in noise sds [x2]"].std() > 2


def test_statistics_are_bitwise_the_same_whatever_the_chunk_of_datasets(design, monkeypatch):
    """Small designs turn many datasets into statistics at once (``CHUNK_ROWS``): each dataset's statistics
    are the same, bit for bit, as one dataset at a time, and the draws follow the same stream."""
    import zsneq.analysis.prior_predictive as prior_predictive

    grid = design_of(design)
    names = ["beta[x1]", "beta[x2]", "beta[x3]", "tau[x1]"]
    tables = []
    for rows in (grid.n_rows, 7 * grid.n_rows, 1000 * grid.n_rows):  # 1, 7 and all 150 datasets at once
        monkeypatch.setattr(prior_predictive, "CHUNK_ROWS", rows)
        tables.append(draw_statistics(per_predictor(design), grid, names, 150, seed=4))
    assert all(table.equals(tables[0]) for table in tables[1:])


def _thread_model(name):
    return load_function(THREAD_MODELS / f"{name}.py", "build_model")


@pytest.fixture(scope="module")
def thread_design() -> pd.DataFrame:
    frame, _ = simulate(40, 10, [1.0, 1.2, 0.8], [10.0, 12.0, 8.0], 100.0, np.random.default_rng(3))
    return frame


@pytest.mark.parametrize(("name", "named"), [
    ("shared_tau", "one spread shared by all predictors in this variant?"),
    ("no_zero_sum", "its offsets sum to zero over group, in this variant they do not"),
])
def test_structural_differences_in_user_files_are_flagged_with_room_to_spare(name, named, thread_design):
    """One tau shared by all predictors, and offsets without zero-sum, written as a user would with the
    thread's priors, against the thread's model as a user writes it: flagged at the default draws, with
    the p-value at most a fifth of the threshold (not borderline; the smallest possible is a 20th)."""
    result = compare_prior_predictive(_thread_model(name), _thread_model("reference"), thread_design,
                                      n_comparisons=5, seed=0)
    assert result["status"] == "differs", result["sentence"]
    assert result["p_value"] <= result["threshold"] / 5, result["sentence"]
    assert named in result["sentence"], result["sentence"]


def test_the_same_model_in_a_user_file_is_not_flagged(thread_design):
    result = compare_prior_predictive(_thread_model("transposed"), _thread_model("reference"), thread_design,
                                      n_comparisons=5, seed=0)
    assert result["status"] == "no_difference", result["sentence"]


def test_power_against_known_alternatives_is_estimated_for_the_design_and_stated(design):
    """With the thread's priors, 10 rows per group leave the slopes mostly noise: only a wider tau prior
    is seen at 60 draws; with 100 rows per group the structural alternatives are seen too."""
    power = estimate_power("nonvectorized", design, draws=60, n_comparisons=2, subsamples=50)
    assert set(power["power"]) == set(alternatives())
    assert power["power"]["a tau prior 2x as wide"] >= 0.9, power["power"]
    assert power["power"]["zero-sum along predictor instead of group"] <= 0.5, power["power"]
    rich, _ = simulate(30, 100, [1.0, 1.2, 0.8], [10.0, 12.0, 8.0], 100.0, np.random.default_rng(3))
    rich_power = estimate_power("nonvectorized", rich, draws=60, n_comparisons=2, subsamples=50)["power"]
    assert rich_power["zero-sum along predictor instead of group"] >= 0.9, rich_power
    assert rich_power["one tau shared by predictors"] >= 0.9, rich_power
    result = compare_variants("vectorized_fixed", "nonvectorized", design, draws=60, n_comparisons=2, power=power)
    assert result["status"] == "no_difference" and result["power"] == power["power"]
    assert "; power at this design and threshold: 1.00 against a tau prior 2x as wide, " in result["sentence"]
    other = compare_variants("vectorized_fixed", "nonvectorized", design, draws=80, n_comparisons=2, power=power)
    assert other["power"] is None and "the estimate given is for 60 draws" in other["power_note"]


def test_power_is_not_estimated_for_a_user_reference(design):
    power = estimate_power({"name": "mine", "file": "model.py"}, design, draws=60)
    assert power["power"] is None and power["power_note"].startswith("power not estimated: the reference 'mine'")


def test_power_between_01_and_09_is_stated_as_rough():
    """The pools' Monte Carlo error is large there (estimate_power): one decimal and "~"."""
    text = power_text({"offsets without zero-sum": 1.0, "one tau shared by predictors": 0.6, "x": 0.05})
    assert text == ("power at this design and threshold: 1.00 against offsets without zero-sum, ~0.6 against "
                    "one tau shared by predictors, 0.05 against x")


def poisson_per_predictor(frame):
    """A count outcome (Poisson, log link) with the reference's group structure and no sigma."""
    coords, predictors = _coords(frame)
    g = pd.factorize(frame["group"], sort=True)[0]
    with pm.Model(coords=coords) as model:
        eta = 0.0
        for k, name in enumerate(predictors, start=1):
            beta = pm.Normal(f"beta{k}", 0.0, 0.3)
            tau = pm.HalfNormal(f"tau{k}", 0.3)
            eta = eta + (beta + tau * pm.ZeroSumNormal(f"eps{k}", dims=GROUP))[g] * frame[name].to_numpy()
        pm.Poisson("y", mu=pm.math.exp(eta), observed=np.zeros(len(frame), dtype=int))
    return model


def test_gaussian_noise_statistics_are_left_out_for_a_count_outcome_and_said_so(design):
    """Statistics in least-squares noise units mean nothing for a Poisson outcome: not computed, and the
    result names them and the families; a Gaussian pair keeps them."""
    counts = compare_prior_predictive(poisson_per_predictor, poisson_per_predictor, design, draws=100, seed=1)
    names = {s["statistic"] for s in counts["statistics"]}
    assert counts["outcome"] == {"variant": "poisson", "reference": "poisson"}
    assert not any("noise" in n or "/ sigma" in n for n in names), names
    assert {"slope mean over group - beta [x1]", "residual sd"} <= names
    assert "a poisson outcome does not have" in counts["not_applicable"]["reason"]
    gaussian = compare_prior_predictive(transposed, per_predictor, design, draws=100, seed=1)
    assert gaussian["not_applicable"] is None and gaussian["outcome"]["reference"] == "normal"
    assert "slope mean over group - beta, in noise sds [x1]" in {s["statistic"] for s in gaussian["statistics"]}
