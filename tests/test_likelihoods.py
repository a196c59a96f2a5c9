"""Likelihood and parametrization axes: names, sufficient statistics, the exact marginal likelihood."""

import math

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest
from conftest import TINY_SAMPLER

from zsneq.analysis.checks import _logp_fn, logp_equivalence, run_checks
from zsneq.analysis.summarize import summarize_fit
from zsneq.core.dataset import RegressionData
from zsneq.models import marginal
from zsneq.models.fit import fit
from zsneq.models.fit_file import read_fit, write_fit
from zsneq.models.sufficient import GroupStats
from zsneq.models.variants import Spec, VariantError, get_variant, parse_variant
from zsneq.simulation.generator import simulate

FAST = ["vectorized_fixed+sufficient", "vectorized_fixed+sufficient+centered", "vectorized_fixed+marginal"]
AXIS_COMBINATIONS = ["vectorized_fixed+centered", *FAST]
SUFFICIENT = ["vectorized_fixed+sufficient", "vectorized_as_posted+sufficient"]
DIMS_SUFFICIENT = "vectorized_dims+sufficient"  # the same likelihood up to a constant (observed pymc.dims terms)


# --- names --------------------------------------------------------------------------------------

def test_names_parse_to_module_and_axis_values():
    assert parse_variant("vectorized_fixed") == Spec("vectorized_fixed", "rowwise", "noncentered")
    assert parse_variant("vectorized_fixed+sufficient+centered") == Spec("vectorized_fixed", "sufficient", "centered")
    assert parse_variant("vectorized_fixed+centered+sufficient") == Spec("vectorized_fixed", "sufficient", "centered")
    assert parse_variant("vectorized_fixed+marginal") == Spec("vectorized_fixed", "marginal", None)
    assert parse_variant("vectorized_fixed+rowwise+noncentered").name == "vectorized_fixed"
    assert parse_variant("vectorized_fixed+centered+sufficient").name == "vectorized_fixed+sufficient+centered"
    assert parse_variant("nonvectorized") == Spec("nonvectorized")


BAD_NAMES = {
    "bogus+sufficient": "unknown variant 'bogus'; known variants: nonvectorized",
    "vectorized_fixed+fast": "unknown axis value 'fast' (known values: likelihood: rowwise, sufficient, marginal; "
                             "parametrization: noncentered, centered)",
    "vectorized_fixed+sufficient+marginal": "likelihood given twice (sufficient, marginal)",
    "vectorized_fixed+marginal+centered": "integrates the group slopes out, so it takes no parametrization",
    "vectorized_as_posted+marginal": "module vectorized_as_posted does not support likelihood 'marginal' "
                                     "(it supports: rowwise, sufficient)",
    "vectorized_dims+marginal": "module vectorized_dims does not support likelihood 'marginal' "
                                "(it supports: rowwise, sufficient)",
    "nonvectorized+centered": "does not support parametrization 'centered' (it supports: noncentered)",
}


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_names_say_what_is_wrong(name):
    with pytest.raises(VariantError) as info:
        parse_variant(name)
    assert BAD_NAMES[name] in str(info.value)


def test_bound_variant_describes_its_axes():
    variant = get_variant("vectorized_fixed+sufficient+centered")
    assert variant.DESCRIPTION.endswith("; sufficient likelihood; centered group slopes")
    assert variant.__file__.endswith("vectorized_fixed.py")


# --- sufficient statistics ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def ragged():
    """Unbalanced groups; the first has fewer rows than predictors."""
    frame, _ = simulate(6, 4, [1.0, 1.2, 0.8], [1.0, 1.5, 0.8], 1.0, np.random.default_rng(1))
    return RegressionData.from_frame(frame.drop(index=[0, 1]).reset_index(drop=True))


def test_group_stats_give_every_group_s_sum_of_squares(ragged):
    stats = GroupStats.from_data(ragged)
    slopes = np.random.default_rng(0).normal(size=(ragged.n_groups, ragged.n_predictors))
    resid = ragged.y - np.sum(ragged.x * slopes[ragged.group_idx], axis=1)
    direct = np.bincount(ragged.group_idx, weights=resid**2)
    np.testing.assert_allclose(stats.sum_of_squares(slopes), direct, rtol=1e-12)
    np.testing.assert_array_equal(stats.n, np.bincount(ragged.group_idx))
    np.testing.assert_allclose(stats.xtx[:, :, 0], ragged.x[ragged.group_idx == 0].T @ ragged.x[ragged.group_idx == 0],
                               atol=1e-12)


def _stats_group_by_group(data):
    """Each group's reduced QR on its own rows: R (P, P, G), Q'y (P, G), residual sum of squares (G,)."""
    G, P = data.n_groups, data.n_predictors
    r, c, rss = np.zeros((P, P, G)), np.zeros((P, G)), np.zeros(G)
    for g in range(G):
        xg, yg = data.x[data.group_idx == g], data.y[data.group_idx == g]
        if len(yg):
            q, rg = np.linalg.qr(xg)
            r[: rg.shape[0], :, g], c[: rg.shape[0], g] = rg, q.T @ yg
            rss[g] = np.sum((yg - q @ (q.T @ yg)) ** 2)
    return r, c, rss


@pytest.mark.parametrize("batch_rows", [1, 64, 2**20])
def test_group_stats_are_each_group_s_own_qr_however_groups_are_batched(monkeypatch, batch_rows):
    """Unsorted rows, groups of 0, 1, 2 (fewer than the predictors) up to 90 rows, stacked in batches of
    similar sizes padded with zero rows: R exactly each group's own, Q'y and the residuals to rounding."""
    from zsneq.models import sufficient

    rng = np.random.default_rng(5)
    sizes = np.concatenate([[0, 1, 2, 0], rng.integers(3, 90, 40)])
    group_idx = rng.permutation(np.repeat(np.arange(len(sizes)), sizes))
    data = RegressionData(group_idx=group_idx, x=rng.normal(size=(len(group_idx), 3)),
                          y=rng.normal(size=len(group_idx)) * 5, groups=np.arange(len(sizes)),
                          predictors=["x1", "x2", "x3"])
    monkeypatch.setattr(sufficient, "BATCH_ROWS", batch_rows)
    stats = GroupStats._compute(data)
    r, c, rss = _stats_group_by_group(data)
    np.testing.assert_array_equal(stats.r, r)
    np.testing.assert_allclose(stats.c, c, rtol=0, atol=1e-12)
    np.testing.assert_allclose(stats.rss, rss, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(stats.n, sizes)


def test_group_stats_are_computed_once_per_dataset_object():
    frame, _ = simulate(5, 4, [1.0, 1.2, 0.8], [1.0, 1.5, 0.8], 1.0, np.random.default_rng(2))
    data = RegressionData.from_frame(frame)
    assert GroupStats.from_data(data) is GroupStats.from_data(data)
    other = RegressionData.from_frame(frame)  # equal values, another object: computed again
    assert GroupStats.from_data(other) is not GroupStats.from_data(data)
    np.testing.assert_array_equal(GroupStats.from_data(other).r, GroupStats.from_data(data).r)


# --- the marginal likelihood, against dense linear algebra on the whole dataset ------------------

def _dense_marginal(data, beta, tau, sigma):
    """log N(y; X beta, sigma^2 I + sum_k tau_k^2 Z_k (I - J/G) Z_k'): group slopes integrated out by brute force."""
    N, G = len(data.y), data.n_groups
    cov = sigma**2 * np.eye(N)
    for k in range(data.n_predictors):
        Z = np.zeros((N, G))
        Z[np.arange(N), data.group_idx] = data.x[:, k]
        cov += tau[k] ** 2 * Z @ (np.eye(G) - 1.0 / G) @ Z.T
    r = data.y - data.x @ beta
    return -0.5 * (N * np.log(2 * np.pi) + np.linalg.slogdet(cov)[1] + r @ np.linalg.solve(cov, r))


def _dense_conditional(data, beta, tau, sigma):
    """Mean and covariance of the zero-sum offsets (group-major, flattened) given the data."""
    N, G, P = len(data.y), data.n_groups, data.n_predictors
    A = np.zeros((N, G * P))
    for k in range(P):
        A[np.arange(N), data.group_idx * P + k] = data.x[:, k] * tau[k]
    prior = np.kron(np.eye(G) - 1.0 / G, np.eye(P))
    cov_y = sigma**2 * np.eye(N) + A @ prior @ A.T
    gain = prior @ A.T @ np.linalg.inv(cov_y)
    return gain @ (data.y - data.x @ beta), prior - gain @ A @ prior


def _points(P, n=3, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=P), rng.gamma(2.0, 1.0, size=P), float(rng.gamma(2.0, 1.0))) for _ in range(n)]


@pytest.mark.parametrize("point", range(3))
def test_marginal_loglik_equals_dense_gaussian_density(ragged, point):
    beta, tau, sigma = _points(ragged.n_predictors)[point]
    value = marginal.loglik(beta, tau, sigma, GroupStats.from_data(ragged))
    assert value == pytest.approx(_dense_marginal(ragged, beta, tau, sigma), rel=1e-12, abs=1e-10)


def test_marginal_gradient_matches_finite_differences(ragged):
    stats = GroupStats.from_data(ragged)
    P = ragged.n_predictors
    for beta, tau, sigma in _points(P):
        _, g_beta, g_tau, g_sigma = marginal.loglik_and_grad(beta, tau, np.array(sigma), *marginal._data(stats))
        h = 1e-6
        for k in range(P):
            step = h * np.eye(P)[k]
            fd_b = (marginal.loglik(beta + step, tau, sigma, stats) - marginal.loglik(beta - step, tau, sigma, stats))
            fd_t = (marginal.loglik(beta, tau + step, sigma, stats) - marginal.loglik(beta, tau - step, sigma, stats))
            assert g_beta[k] == pytest.approx(fd_b / (2 * h), abs=1e-6)
            assert g_tau[k] == pytest.approx(fd_t / (2 * h), abs=1e-6)
        fd_s = marginal.loglik(beta, tau, sigma + h, stats) - marginal.loglik(beta, tau, sigma - h, stats)
        assert float(g_sigma) == pytest.approx(fd_s / (2 * h), abs=1e-6)


def _fisher_gradient(stats, beta, tau, sigma):
    """The gradient by Fisher's identity, group by group in NumPy, unexpanded: each group's constrained
    moments ``mu_g = m_g - V_g W^-1 sum_h m_h`` and ``C_g = V_g - V_g W^-1 V_g`` formed first."""
    P, G = stats.c.shape
    s = tau / sigma
    d = [stats.c[:, g] - stats.r[:, :, g] @ beta for g in range(G)]
    e = [stats.r[:, :, g].T @ d[g] for g in range(G)]
    K = [stats.xtx[:, :, g] for g in range(G)]
    V = [np.linalg.inv(np.eye(P) + np.outer(s, s) * K[g]) for g in range(G)]
    m = [V[g] @ (s * e[g] / sigma) for g in range(G)]
    Winv = np.linalg.inv(sum(V))
    lam = Winv @ sum(m)
    g_beta, g_tau = np.zeros(P), np.zeros(P)
    quad = stats.rss.sum() + sum(dg @ dg for dg in d)
    for g in range(G):
        mu = m[g] - V[g] @ lam
        second = V[g] - V[g] @ Winv @ V[g] + np.outer(mu, mu)  # E[eps_g eps_g' | y] under the constraint
        g_beta += e[g] - K[g] @ (tau * mu)
        g_tau += mu * e[g] - (K[g] * second) @ tau
        quad += -2.0 * tau @ (mu * e[g]) + tau @ (K[g] * second) @ tau
    return g_beta / sigma**2, g_tau / sigma**2, -stats.n.sum() / sigma + quad / sigma**3


@pytest.mark.parametrize("shift", [0.0, 30.0])
def test_marginal_gradient_equals_fishers_identity_group_by_group(ragged, shift):
    """The one-pass kernel's expanded gradient equals the group-by-group formula, near the data and with
    beta far from it."""
    stats = GroupStats.from_data(ragged)
    for beta, tau, sigma in _points(ragged.n_predictors):
        beta = beta + shift * tau
        got = marginal.loglik_and_grad(beta, tau, np.array(sigma), *marginal._data(stats))[1:]
        for a, b in zip(got, _fisher_gradient(stats, beta, tau, sigma)):
            np.testing.assert_allclose(a, b, rtol=1e-10)


def test_op_gradient_in_a_pytensor_graph(ragged):
    stats = GroupStats.from_data(ragged)
    beta, tau, sigma = pt.dvector("beta"), pt.dvector("tau"), pt.dscalar("sigma")
    value = marginal.marginal_loglik_op(beta, tau, sigma, *marginal._data(stats))[0]
    fn = pytensor.function([beta, tau, sigma], [value, *pytensor.grad(value, [beta, tau, sigma])])
    b, t, s = _points(ragged.n_predictors)[0]
    expected = marginal.loglik_and_grad(b, t, np.array(s), *marginal._data(stats))
    for got, want in zip(fn(b, t, s), expected):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_conditional_draws_are_exact(ragged):
    """Offsets sum to zero over groups; mean and covariance match the dense conditional (Monte Carlo error)."""
    stats = GroupStats.from_data(ragged)
    beta, tau, sigma = _points(ragged.n_predictors)[1]
    D = 20_000
    slopes = marginal.draw_group_slopes(np.tile(beta, (D, 1)), np.tile(tau, (D, 1)), np.full(D, sigma), stats,
                                        np.random.default_rng(5))
    offsets = (slopes - beta) / tau
    assert np.abs(offsets.sum(axis=1)).max() < 1e-12
    mean, cov = _dense_conditional(ragged, beta, tau, sigma)
    flat = offsets.reshape(D, -1)
    sd = np.sqrt(np.diag(cov))
    assert np.abs(flat.mean(axis=0) - mean).max() < 5 * sd.max() / np.sqrt(D)
    assert np.abs(np.cov(flat.T) - cov).max() < 6 * cov.diagonal().max() * np.sqrt(2 / D)


def test_conditional_draws_do_not_depend_on_batching(ragged, monkeypatch):
    """Draws are made in batches of parameter values; the batch size must not change a single bit."""
    stats = GroupStats.from_data(ragged)
    rng = np.random.default_rng(4)
    D, P = 7, ragged.n_predictors
    beta, tau, sigma = rng.normal(size=(D, P)), rng.gamma(4.0, size=(D, P)), rng.gamma(4.0, size=D)
    whole = marginal.draw_group_slopes(beta, tau, sigma, stats, np.random.default_rng(1))
    monkeypatch.setattr(marginal, "_BATCH_ELEMENTS", 1)  # one draw per batch
    one_by_one = marginal.draw_group_slopes(beta, tau, sigma, stats, np.random.default_rng(1))
    np.testing.assert_array_equal(one_by_one, whole)
    assert not np.array_equal(whole[0], whole[1])


def test_joint_is_marginal_times_conditional(ragged):
    """log p(y, offsets | theta) = log p(y | theta) + log p(offsets | y, theta) exactly, at any zero-sum offsets."""
    stats = GroupStats.from_data(ragged)
    G = ragged.n_groups
    rng = np.random.default_rng(2)
    for beta, tau, sigma in _points(ragged.n_predictors):
        offsets = rng.normal(size=(G, ragged.n_predictors))
        offsets -= offsets.mean(axis=0)
        zero_sum_prior = -0.5 * np.sum(offsets**2) - 0.5 * (G - 1) * ragged.n_predictors * np.log(2 * np.pi)
        resid = ragged.y - np.sum(ragged.x * (beta + tau * offsets)[ragged.group_idx], axis=1)
        likelihood = -0.5 * np.sum(resid**2) / sigma**2 - len(resid) * np.log(sigma * np.sqrt(2 * np.pi))
        joint = zero_sum_prior + likelihood
        split = marginal.loglik(beta, tau, sigma, stats) + marginal.conditional_logp(beta, tau, sigma, stats, offsets)
        assert split == pytest.approx(joint, rel=1e-12, abs=1e-10)


# --- the models: same log density at random points, zero-sum structure, slope draws -------------

@pytest.mark.parametrize("variant", AXIS_COMBINATIONS)
@pytest.mark.parametrize("reference", ["nonvectorized", "vectorized_fixed+centered"])
def test_log_density_equal_across_axes(variant, reference, tiny_data):
    """Each combination's joint log density equals the reference's at random points, constants included."""
    result = logp_equivalence(variant, reference, tiny_data, n_points=6, seed=3)
    assert result["status"] == "equivalent", result
    assert abs(result["constant"]) <= result["tolerance"]  # constants included: not just parallel, equal


@pytest.mark.parametrize("variant", SUFFICIENT)
def test_sufficient_likelihood_is_its_modules_rowwise_likelihood(variant, tiny_data):
    """Every module that takes ``sufficient`` gives its own row-wise log density, constants included
    (the wrong model stays wrong, only faster)."""
    rowwise = variant.split("+")[0]
    result = logp_equivalence(variant, rowwise, tiny_data, n_points=6, seed=4)
    assert result["status"] == "equivalent", result
    assert abs(result["constant"]) <= result["tolerance"]
    model = get_variant(variant).build_model(tiny_data)
    assert {"n_g", "rss_g", "r_g", "c_g"} <= set(model.named_vars) and not model.observed_RVs


def test_dims_sufficient_likelihood_is_rowwise_up_to_a_constant(ragged):
    """vectorized_dims+sufficient's joint log density minus vectorized_dims's is one constant at random points,
    on groups of unequal sizes, one with fewer rows than predictors. The constant depends on the data only:
    ``a log(pi) + (a - 1) log(RSS) - lgamma(a)`` with ``a = (N - P G) / 2`` (the Gamma term's normalisation
    and the 2 pi's the QR rows do not account for)."""
    fast, fast_dtypes = _logp_fn(DIMS_SUFFICIENT, ragged)
    slow, slow_dtypes = _logp_fn("vectorized_dims", ragged)
    assert fast_dtypes == slow_dtypes
    variant = get_variant(DIMS_SUFFICIENT)
    G, P = ragged.n_groups, ragged.n_predictors
    rng = np.random.default_rng(6)
    diffs, scale = [], 1.0
    for beta, tau, sigma in _points(P, n=5, seed=6):
        offsets = rng.normal(size=(G, P))
        point = {"beta": beta, "tau": tau, "sigma": sigma, "offsets": offsets - offsets.mean(axis=0)}
        inputs = {k: np.asarray(v, dtype=fast_dtypes[k])
                  for k, v in variant.from_common(point, ragged.predictors).items()}
        rowwise = float(slow(inputs))
        diffs.append(float(fast(inputs)) - rowwise)
        scale = max(scale, abs(rowwise))
    assert np.ptp(diffs) <= 1e-9 * scale, diffs
    stats = GroupStats.from_data(ragged)
    a = (stats.n.sum() - P * G) / 2
    assert diffs[0] == pytest.approx(a * np.log(np.pi) + (a - 1) * np.log(stats.rss.sum()) - math.lgamma(a),
                                     rel=1e-9, abs=1e-9 * scale)
    model = variant.build_model(ragged)
    assert {"n_g", "rss_g", "r_g", "c_g"} <= set(model.named_vars)
    assert {"g", "x", "y"}.isdisjoint(model.named_vars)  # no per-row data in the model
    assert [v.name for v in model.observed_RVs] == ["c_obs", "rss_obs"]


def test_dims_sufficient_needs_more_rows_than_predictors_times_groups():
    frame, _ = simulate(4, 3, [1.0, 1.2, 0.8], [1.0, 1.5, 0.8], 1.0, np.random.default_rng(1))  # N = 12 = P G
    with pytest.raises(ValueError, match=r"vectorized_dims\+sufficient needs more rows than predictors x groups: "
                                         r"N = 12 rows, P x G = 3 x 4 = 12"):
        get_variant(DIMS_SUFFICIENT).build_model(RegressionData.from_frame(frame))


@pytest.mark.parametrize("variant", [*FAST, DIMS_SUFFICIENT])
def test_structural_checks_of_fast_variants(variant, tiny_data):
    result = run_checks(variant, "nonvectorized", tiny_data)
    assert result["zero_sum_dims"] == ["group"] and result["zero_sum_ok"]
    assert result["logp"]["status"] == "equivalent", result["logp"]


def test_fast_models_keep_every_data_array_in_named_pm_data(tiny_data):
    for variant in FAST:
        model = get_variant(variant).build_model(tiny_data)
        assert {"n_g", "rss_g", "r_g", "c_g"} <= set(model.named_vars), variant
        assert not model.observed_RVs, variant  # the likelihood is a function of pm.Data only
    assert "xtx_g" in get_variant("vectorized_fixed+marginal").build_model(tiny_data).named_vars


def test_as_posted_with_sufficient_likelihood_samples_its_own_wrong_model(tiny_data):
    """Faster, still wrong: its offsets sum to zero across predictors within each group."""
    tree = fit(tiny_data, "vectorized_as_posted+sufficient", **TINY_SAMPLER)
    offsets = tree["posterior"]["epsilon_beta_g"]
    assert float(abs(offsets.sum("predictor")).max()) < 1e-8
    assert float(abs(offsets.sum("group")).max()) > 1e-3


def test_dims_sufficient_samples_like_the_other_sufficient_likelihood(tiny_data):
    """Same posterior as vectorized_fixed+sufficient within Monte Carlo error: 2 x 100 draws of each leave
    a difference of means with a standard error of about 0.1-0.2 posterior sd; allowed: 1 sd."""
    trees = {v: fit(tiny_data, v, **TINY_SAMPLER) for v in (DIMS_SUFFICIENT, "vectorized_fixed+sufficient")}
    assert trees[DIMS_SUFFICIENT].attrs["status"] == "ok"
    assert int(trees[DIMS_SUFFICIENT]["sample_stats"]["diverging"].sum()) == 0
    dims, fixed = (trees[v]["posterior"].to_dataset() for v in trees)
    assert dims["epsilon_beta_g"].dims == ("chain", "draw", "group", "predictor")
    assert float(abs(dims["epsilon_beta_g"].sum("group")).max()) < 1e-8
    for name in ("beta", "tau", "sigma"):
        sd = fixed[name].std(("chain", "draw"))
        gap = abs(dims[name].mean(("chain", "draw")) - fixed[name].mean(("chain", "draw")))
        assert bool((gap < sd).all()), (name, gap.values, sd.values)


@pytest.mark.parametrize("variant", ["vectorized_fixed+sufficient+centered", "vectorized_fixed+marginal"])
def test_fast_variant_samples_and_reports_group_slopes(variant, tiny_data, tiny_truth, tmp_path):
    tree = fit(tiny_data, variant, **TINY_SAMPLER, attrs={"scenario": "tiny", "rep": 0})
    path = tmp_path / "fit.nc"
    write_fit(tree, path)
    back = read_fit(path)
    module = get_variant(variant)
    slopes = module.group_slopes(back["posterior"].to_dataset(), tiny_data.predictors)
    assert slopes.dims == ("chain", "draw", "group", "predictor")
    assert slopes.shape == (2, 100, tiny_data.n_groups, tiny_data.n_predictors)
    assert list(slopes["predictor"].values) == tiny_data.predictors
    beta = back["posterior"]["beta"]
    assert float(abs(slopes.mean("group") - beta).max()) < 1e-10  # zero-sum offsets: beta is the groups' mean
    table = summarize_fit(back, tiny_truth)
    assert abs(table.set_index("parameter").loc["sigma", "mean"] - 1.0) < 0.3


def test_marginal_blocks_give_the_one_block_value_and_gradient(ragged):
    """More groups than a block: the blocks (zero padding past the last group included) give
    the value and gradient of the whole-array computation to rounding."""
    stats = GroupStats.from_data(ragged)
    assert ragged.n_groups % 4 != 0, "the test needs a partial last block"
    for beta, tau, sigma in _points(ragged.n_predictors):
        whole = marginal.loglik_and_grad(beta, tau, np.array(sigma), *marginal._data(stats))
        for block in (1, 4):
            blocked = marginal.loglik_and_grad(beta, tau, np.array(sigma), *marginal._data(stats), block)
            for a, b in zip(blocked, whole):
                np.testing.assert_allclose(a, b, rtol=1e-12)


def test_the_compiled_kernel_is_keyed_by_its_source(monkeypatch):
    """The compile cache keys the marginal kernel by a hash of marginal.py, so an edited kernel is
    never loaded from a warm cache."""
    import hashlib
    from pathlib import Path

    from pytensor.link.numba.dispatch.basic import numba_funcify_and_cache_key

    source = Path(marginal.__file__).read_bytes()
    assert marginal.KERNEL_VERSION == int(hashlib.sha256(source).hexdigest()[:15], 16)
    _, key = numba_funcify_and_cache_key(marginal.marginal_loglik_op)
    monkeypatch.setattr(marginal, "KERNEL_VERSION", marginal.KERNEL_VERSION + 1)  # as if the file were edited
    _, edited = numba_funcify_and_cache_key(marginal.marginal_loglik_op)
    assert key is not None and edited is not None and edited != key
