"""Structural checks and verdicts find the thread's bug, and a new kind of mistake, on tiny data."""

import numpy as np
import pandas as pd
import pytest
from conftest import TINY_SAMPLER

from off_variants import OFF, as_variant

from zsneq.analysis.checks import (
    logp_equivalence,
    posterior_logp_check,
    run_checks,
    unrounded_offsets,
    zero_sum_dims,
)
from zsneq.analysis.summarize import combine, summarize_fit
from zsneq.analysis.rules import Model, Verdict, classify, draws_to_settle, upper_quantile, z_agree, z_disagree
from zsneq.analysis.statements import outcome_clause, unmatched_clause
from zsneq.analysis.verdicts import (
    choose_baselines,
    group_slope_verdicts,
    judge,
    parameter_verdicts,
    variant_verdicts,
    verdict_counts,
)
from zsneq.core.dataset import RegressionData
from zsneq.models.fit import fit
from zsneq.models.variants import VARIANTS
from zsneq.simulation.generator import simulate

EXPECTED = {
    "nonvectorized": (["group"], "equivalent"),
    "vectorized_as_posted": (["predictor"], "no_map"),
    "vectorized_fixed": (["group"], "equivalent"),
    # with float64 prior constants (with Python floats its tau prior's rate was rounded to float32 inside
    # pymc.dims' graph: about 1e-6 nats per point, beyond the floating-point error of the sums)
    "vectorized_dims": (["group"], "equivalent"),
    "vectorized_shared_tau": (["group"], "no_map"),
}


def test_every_shipped_variant_has_an_expectation():
    assert set(VARIANTS) == set(EXPECTED)


@pytest.mark.parametrize("variant", sorted(EXPECTED))
def test_structural_checks(variant, tiny_data):
    result = run_checks(variant, "nonvectorized", tiny_data)
    dims, status = EXPECTED[variant]
    assert result["zero_sum_dims"] == dims
    assert result["zero_sum_ok"] == (dims == ["group"])
    assert result["logp"]["status"] == status, result["logp"]
    assert result["outcome"] == {"family": "normal", "discrete": False}


@pytest.mark.parametrize("name", sorted(OFF))
def test_logp_check_flags_subtly_wrong_variants(name, tiny_data):
    result = logp_equivalence(as_variant(name), "nonvectorized", tiny_data)
    assert result["status"] == "different", result
    assert result["tolerance"] < 1e-6  # nats: the floating-point error of the sums, not a share of |log p|


@pytest.mark.parametrize("name", sorted(OFF))
def test_logp_check_has_power_at_the_seed_scenarios_size(name):
    """1000 groups x 200 rows x 3 predictors, as the seed scenario: a 2% error in beta's prior sd and iid
    offsets (which agree with the reference up to a constant on its support) are both flagged."""
    frame, _ = simulate(1000, 200, [1.0, 1.2, 0.8], [10.0, 12.0, 8.0], 100.0, np.random.default_rng(42))
    data = RegressionData.from_frame(frame)
    result = logp_equivalence(as_variant(name), "nonvectorized", data)
    assert result["status"] == "different", result
    if name == "iid_offsets":
        assert result["outside_reference_support"] > 0
    else:
        assert result["spread"] > 10 * result["tolerance"]


def test_logp_check_passes_an_equivalent_variant_with_fp_tolerance(tiny_data):
    result = logp_equivalence("vectorized_fixed+sufficient+centered", "nonvectorized", tiny_data)
    assert result["status"] == "equivalent", result
    assert result["spread"] <= result["tolerance"] < 1e-6
    assert result["n_points"] == 16 and result["outside_reference_support"] == 0


@pytest.mark.parametrize("n_pred", [1, 2, 4])
def test_checks_are_generic_in_predictor_count(n_pred):
    frame, _ = simulate(8, 3, [0.5] * n_pred, [1.0] * n_pred, 1.0, np.random.default_rng(3))
    data = RegressionData.from_frame(frame)
    fixed = logp_equivalence("vectorized_fixed", "nonvectorized", data)
    assert fixed["status"] == "equivalent"
    posted = run_checks("vectorized_as_posted", "nonvectorized", data)
    assert not posted["zero_sum_ok"]
    if n_pred == 1:  # a zero-sum over one predictor pins every offset to zero
        assert posted["offsets_all_zero"] and posted["zero_sum_dims"] == ["group", "predictor"]
    else:
        assert not posted["offsets_all_zero"] and posted["zero_sum_dims"] == ["predictor"]


def test_zero_sum_dims_detects_constraint():
    import xarray as xr

    rng = np.random.default_rng(0)
    raw = rng.normal(size=(1, 4, 6, 3))
    dims = ("chain", "draw", "group", "predictor")
    assert zero_sum_dims(xr.DataArray(raw - raw.mean(axis=2, keepdims=True), dims=dims)) == ["group"]
    assert zero_sum_dims(xr.DataArray(raw - raw.mean(axis=3, keepdims=True), dims=dims)) == ["predictor"]
    assert zero_sum_dims(xr.DataArray(raw, dims=dims)) == []


def _summary_row(variant, parameter, mean, sd, mcse, truth, **kw):
    """A summary row of a normal posterior: quantities, and their MCSE ``mcse`` unless given per quantity."""
    q5, q95 = kw.get("q5", mean - 1.645 * sd), kw.get("q95", mean + 1.645 * sd)
    return {"scenario": "s", "rep": 0, "variant": variant, "parameter": parameter, "mean": mean, "sd": sd,
            "hdi_3%": mean - 2 * sd, "hdi_97%": mean + 2 * sd, "ess_bulk": kw.get("ess", 1000.0),
            "ess_tail": kw.get("ess_tail", 1000.0), "r_hat": kw.get("r_hat", 1.0), "mcse_mean": mcse,
            "mcse_sd": kw.get("mcse_sd", mcse), "q5": q5, "q95": q95, "mcse_q5": kw.get("mcse_q", mcse),
            "mcse_q95": kw.get("mcse_q", mcse), "truth": truth, "target": truth, "divergences": kw.get("div", 0),
            "compile_seconds": 1.0, "sampling_seconds": 1.0}


def test_equivalence_rule_is_three_way():
    z_a, z_d = z_agree(0.05), z_disagree(0.05, 10)
    labels, lower, upper = classify([0.05, 0.5, 3.0, 0.19], [0.01, 0.5, 0.02, 0.0], 1.0, 0.2, z_a, z_d)
    assert list(labels) == ["agrees", "inconclusive", "disagrees", "agrees"]
    assert z_a == pytest.approx(1.6449, abs=1e-4) and z_d == pytest.approx(2.5758, abs=1e-4)
    assert upper[0] == pytest.approx(0.05 + z_a * 0.01) and lower[2] == pytest.approx(3.0 - z_d * 0.02)


def test_agreement_claim_is_wrong_at_most_alpha_at_the_margin():
    """A quantity whose true difference sits on the margin is called 'agrees' with probability <= alpha (TOST),
    and one whose difference is 0 is called 'disagrees' with probability <= alpha / K."""
    rng = np.random.default_rng(0)
    se, n = 0.05, 200_000
    on_margin = 0.2 + se * rng.normal(size=n)
    labels, _, _ = classify(on_margin, se, 1.0, 0.2, z_agree(0.05), z_disagree(0.05, 1))
    assert 0.04 < np.mean(labels == Verdict.AGREES) <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / n)
    beyond = 0.2 + se * rng.normal(size=n)  # on the margin from the other side: a false 'disagrees'
    labels, _, _ = classify(beyond, se, 1.0, 0.2, z_agree(0.05), z_disagree(0.05, 5))
    assert np.mean(labels == Verdict.DISAGREES) <= 0.05 / 5 + 3 * np.sqrt(0.01 / n)


@pytest.mark.parametrize("n", [1, 28, 500])
def test_more_draws_figure_settles_an_equal_pair_with_probability_0_9(n):
    """Scaling this fit's MCSEs by 1/sqrt(factor) makes all n quantities of an equal pair agree in at least 90%
    of simulated comparisons (Bonferroni: more for many quantities), and not in nearly all for one."""
    rng = np.random.default_rng(1)
    mcse, mcse_base, scale = rng.uniform(0.05, 0.2, n), np.full(n, 0.01), np.ones(n)
    factor, both = draws_to_settle(mcse, mcse_base, scale, 0.2, z_agree(0.05))
    assert not both and factor > 1
    se = np.sqrt(mcse**2 / factor + mcse_base**2)
    delta = se * rng.normal(size=(4000, n))
    labels, _, _ = classify(delta, se, scale, 0.2, z_agree(0.05), z_disagree(0.05, n))
    settled = (labels == Verdict.AGREES).all(axis=1).mean()
    assert settled >= 0.9 - 3 * np.sqrt(0.09 / 4000)
    if n == 1:
        assert settled < 0.93
    imprecise_base = draws_to_settle(mcse, np.full(n, 0.2), scale, 0.2, z_agree(0.05))
    assert imprecise_base[1]  # the baseline alone is too imprecise: both fits need more draws


def test_verdict_rule_needs_the_margin_shown():
    rows = [
        _summary_row("ref", "tau[x1]", 10.0, 1.0, 0.01, 10.0),
        _summary_row("noise", "tau[x1]", 10.05, 1.0, 0.01, 10.0),  # z=3.5 but 0.05 + 1.64 * 0.014 < 0.2: agrees
        _summary_row("imprecise", "tau[x1]", 10.5, 1.0, 0.5, 10.0, mcse_sd=0.01),  # 0.5 sd, se 0.5: inconclusive
        _summary_row("off", "tau[x1]", 13.0, 1.0, 0.02, 10.0),
        _summary_row("wide", "tau[x1]", 10.0, 1.5, 0.01, 10.0),  # same mean, sd 50% larger: disagrees on sd
        _summary_row("troubled", "tau[x1]", 13.0, 1.0, 0.02, 10.0, div=3, r_hat=1.05, ess=100.0),
    ]
    params = parameter_verdicts(pd.DataFrame(rows), "ref").set_index("variant")
    assert params.loc["ref", "verdict"] == Verdict.REFERENCE
    assert params.loc["noise", "verdict"] == Verdict.AGREES
    assert params.loc["imprecise", "verdict"] == Verdict.INCONCLUSIVE
    assert params.loc["off", "verdict"] == Verdict.DISAGREES
    assert params.loc["wide", "verdict_mean"] == Verdict.AGREES and params.loc["wide", "verdict_sd"] == Verdict.DISAGREES
    assert params.loc["wide", "verdict"] == Verdict.DISAGREES
    assert params.loc["troubled", "verdict"] == Verdict.UNRELIABLE
    assert params["k_compared"].iloc[0] == 5 * 4  # every quantity of every compared variant
    lines = variant_verdicts(params.reset_index()).set_index("variant")
    assert lines.loc["noise", "posterior_verdict"] == "agrees"
    assert lines.loc["imprecise", "posterior_verdict"] == "inconclusive"
    factor, _ = draws_to_settle([0.5, 0.01, 0.5, 0.5], [0.01] * 4, [1.0] * 4, 0.2, z_agree(0.05))
    assert lines.loc["imprecise", "ess_factor"] == pytest.approx(factor)
    assert f"{factor:.1f}× this fit's effective draws" in lines.loc["imprecise", "statement"]
    assert "would settle it with probability 0.9 if the two were equal" in lines.loc["imprecise", "statement"]
    assert "cannot be settled" not in " ".join(lines["statement"])
    assert lines.loc["off", "posterior_verdict"] == "disagrees"
    assert lines.loc["off", "model_verdict"] == "different model"  # no log-density proof: the posterior decides
    assert "posteriors disagree on these data with ref on tau[x1] (mean, 5% quantile, 95% quantile)" in (
        lines.loc["off", "statement"])
    assert "Truth inside the 94% HDI for 0/1" in lines.loc["off", "statement"]
    assert "on tau[x1] (sd, 5% quantile, 95% quantile)" in lines.loc["wide", "statement"]
    troubled = lines.loc["troubled"]
    assert troubled["posterior_verdict"] == "unreliable" and not troubled["healthy"]
    assert "3 divergences" in troubled["statement"] and "r_hat" in troubled["statement"]
    assert "ess < 400" in troubled["statement"]
    assert lines.loc["noise", "model_verdict"] == "not shown"  # agreeing posteriors alone never show the model


def test_reference_trouble_makes_every_comparison_unreliable():
    rows = [_summary_row("ref", "sigma", 1.0, 0.1, 0.001, 1.0, r_hat=1.1), _summary_row("v", "sigma", 1.0, 0.1, 0.001, 1.0)]
    lines = variant_verdicts(parameter_verdicts(pd.DataFrame(rows), "ref")).set_index("variant")
    assert lines.loc["v", "posterior_verdict"] == Verdict.UNRELIABLE
    assert "ref: sigma r_hat 1.1" in lines.loc["v", "statement"]


def test_margin_is_configurable():
    rows = [_summary_row("ref", "sigma", 1.0, 0.1, 0.0001, 1.0), _summary_row("v", "sigma", 1.03, 0.1, 0.0001, 1.0)]
    assert parameter_verdicts(pd.DataFrame(rows), "ref", margin=0.5)["verdict"].iloc[1] == Verdict.AGREES
    assert parameter_verdicts(pd.DataFrame(rows), "ref", margin=0.1)["verdict"].iloc[1] == Verdict.DISAGREES


def _slopes(variant, means, sd=1.0, mcse=0.01):
    groups = [f"g{i}" for i in range(len(means))]
    return pd.DataFrame({"scenario": "s", "rep": 0, "variant": variant, "group": groups, "predictor": "x1",
                         "mean": means, "sd": sd, "mcse_mean": mcse})


def test_group_slopes_compared_with_a_multiplicity_aware_rule():
    rng = np.random.default_rng(0)
    base = rng.normal(size=500)
    z_n = z_disagree(0.05, 3 * 500 + 3 * 4)  # every group of every compared variant, and sigma's quantities
    assert z_n > 3.9
    one_off = base.copy()
    one_off[7] += 0.2 + 3.0 * np.sqrt(2) * 0.01  # beyond the margin by 3 se: not enough among 1500
    far_off = base.copy()
    far_off[7] += 0.2 + (z_n + 0.5) * np.sqrt(2) * 0.01  # beyond the corrected number of MCSEs
    slopes = pd.concat([
        _slopes("ref", base), _slopes("same", base + 0.01 * rng.normal(size=500)),
        _slopes("one_off", one_off), _slopes("far_off", far_off),
    ])
    table = group_slope_verdicts(slopes, "ref", k=3 * 500 + 3 * 4).set_index("variant")
    assert table.loc["same", "group_verdict"] == Verdict.AGREES
    assert table.loc["one_off", "group_verdict"] == Verdict.INCONCLUSIVE
    assert table.loc["far_off", "group_verdict"] == Verdict.DISAGREES
    assert table.loc["far_off", "worst_groups"].startswith("g7[x1] ")
    params = parameter_verdicts(pd.DataFrame([_summary_row(v, "sigma", 1.0, 0.1, 0.001, 1.0)
                                              for v in ("ref", "same", "one_off", "far_off")]), "ref")
    lines = variant_verdicts(params, groups=table.reset_index()).set_index("variant")
    assert lines.loc["same", "posterior_verdict"] == "agrees" and lines.loc["far_off", "posterior_verdict"] == "disagrees"
    assert "group slopes (500 compared) disagrees" in lines.loc["far_off", "statement"]
    assert verdict_counts(lines.reset_index()) == {"agrees": 1, "disagrees": 1, "inconclusive": 1,
                                                   "unreliable": 0, "unknown": 0}
    assert verdict_counts(lines.reset_index(), "model_verdict") == {
        "same model": 0, "no difference found": 0, "different model": 1, "not shown": 2}


def test_expected_responses_are_compared_group_by_group_and_decide_the_verdict():
    """A variant with no group slopes of its own is still compared group by group, on each group's
    expected response; a difference there makes the variant disagree."""
    rng = np.random.default_rng(1)
    base = rng.normal(size=200)
    off = base.copy()
    off[3] += 0.2 + (z_disagree(0.05, 400) + 0.5) * np.sqrt(2) * 0.01
    table = pd.concat([_slopes(v, m).assign(quantity="expected_response", predictor="")
                       for v, m in (("ref", base), ("same", base), ("off", off))]
                      + [_slopes("ref", base).assign(quantity="slope")])  # slopes of the reference only
    assert group_slope_verdicts(table, "ref", quantity="slope").empty
    responses = group_slope_verdicts(table, "ref", quantity="expected_response")
    assert responses.set_index("variant").loc["off", "worst_groups"].startswith("g3 ")
    params = parameter_verdicts(pd.DataFrame([_summary_row(v, "sigma", 1.0, 0.1, 0.001, 1.0)
                                              for v in ("ref", "same", "off")]), "ref")
    lines = variant_verdicts(params, responses=responses).set_index("variant")
    assert lines.loc["same", "posterior_verdict"] == "agrees" and lines.loc["off", "posterior_verdict"] == "disagrees"
    assert "each group's expected response (200 compared) disagrees, largest differences g3 " in lines.loc["off", "statement"]
    assert lines.loc["off", "response_verdict"] == "disagrees"


def test_quantities_only_one_model_has_are_named_and_keep_agreement_from_being_claimed():
    """A user model with one spread for all predictors has no tau[x1], tau[x2]; its own scalar tau is not in
    the reference: the shared quantities are compared, the others listed, and the label is not 'agrees'."""
    rows = [_summary_row("ref", p, 1.0, 0.1, 0.001, 1.0) for p in ("beta[x1]", "tau[x1]", "tau[x2]", "sigma")]
    rows += [_summary_row("shared", p, 1.0, 0.1, 0.001, 1.0) for p in ("beta[x1]", "tau", "sigma")]
    rows += [_summary_row("same", p, 1.0, 0.1, 0.001, 1.0) for p in ("beta[x1]", "tau[x1]", "tau[x2]", "sigma")]
    lines = variant_verdicts(parameter_verdicts(pd.DataFrame(rows), "ref")).set_index("variant")
    assert lines.loc["same", "posterior_verdict"] == "agrees"
    statement = lines.loc["shared", "statement"]
    assert lines.loc["shared", "posterior_verdict"] == "inconclusive", statement
    assert "posterior inconclusive against ref: agrees on all compared 2 parameters" in statement, statement
    assert "not compared: tau[x1], tau[x2] (no variable of this variant matches them by name" in statement
    assert "tau (not in ref)" in statement


def test_a_model_naming_no_parameter_alike_is_compared_on_group_quantities_only():
    base = np.linspace(-1, 1, 50)
    table = pd.concat([_slopes(v, base).assign(quantity="expected_response", predictor="") for v in ("ref", "anon")])
    responses = group_slope_verdicts(table, "ref", quantity="expected_response")
    params = parameter_verdicts(pd.DataFrame([_summary_row("ref", "sigma", 1.0, 0.1, 0.001, 1.0)]), "ref")
    lines = variant_verdicts(params, responses=responses).set_index("variant")
    assert lines.loc["anon", "posterior_verdict"] == "inconclusive"  # never 'agrees' without the parameters
    assert "no variable matches beta, tau or sigma by name" in lines.loc["anon", "statement"]
    assert "each group's expected response (50 compared) agrees" in lines.loc["anon", "statement"]


def test_verdict_sentence_names_the_axis():
    check = {"variant": "v", "reference": "ref", "zero_sum_dims": ["predictor"], "expected_zero_sum_dim": "group",
             "zero_sum_ok": False, "logp": {"status": "no_map", "reason": "outside support"}}
    rows = [_summary_row("ref", f"tau[x{k}]", 10.0, 0.3, 0.01, 10.0) for k in (1, 2, 3)]
    rows += [_summary_row("v", f"tau[x{k}]", 10.0 - 2 * k, 0.3, 0.01, 10.0) for k in (1, 2, 3)]
    lines = variant_verdicts(parameter_verdicts(pd.DataFrame(rows), "ref"), {("s", "v"): check})
    statement = lines.set_index("variant").loc["v", "statement"]
    assert "posteriors disagree on these data with ref on tau[x1..x3] (mean, 5% quantile, 95% quantile)" in statement
    assert "Δmean up to 20.00 sd" in statement
    assert statement.startswith("v: different model (its group offsets sum to zero along `predictor`, not `group`")


@pytest.fixture(scope="module")
def spread_tau_fits():
    """Data where the predictors' spreads differ a lot, so one shared tau cannot fit it."""
    frame, truth = simulate(40, 10, [1.0, -1.0], [0.3, 3.0], 0.5, np.random.default_rng(11))
    data = RegressionData.from_frame(frame)
    sampler = {**TINY_SAMPLER, "tune": 300, "draws": 300}
    frames = [
        summarize_fit(fit(data, v, **sampler, attrs={"scenario": "s", "rep": 0}), truth)
        for v in ("nonvectorized", "vectorized_shared_tau", "vectorized_dims")
    ]
    return data, combine(frames)


def test_verdicts_flag_shared_tau_and_pass_dims(spread_tau_fits):
    data, summary = spread_tau_fits
    checks = {("s", v): {"scenario": "s", **run_checks(v, "nonvectorized", data)}
              for v in ("vectorized_shared_tau", "vectorized_dims")}
    lines = variant_verdicts(parameter_verdicts(summary, "nonvectorized"), checks).set_index("variant")
    # tau[x1] = 0.3 with 10 rows per group is a funnel: the reference fit itself mixes badly (even with 1000
    # draws), so the verdict is "unreliable" -- with the comparison it would have given -- never "disagrees"
    statement = lines.loc["vectorized_shared_tau", "statement"]
    assert lines.loc["vectorized_shared_tau", "posterior_verdict"] == "unreliable", statement
    assert "nonvectorized: tau[x" in statement and "as sampled it would read: posteriors disagree" in statement
    assert "tau[x" in lines.loc["vectorized_shared_tau", "statement"]
    assert "one tau for all predictors" in lines.loc["vectorized_shared_tau", "statement"]
    assert lines.loc["vectorized_dims", "posterior_verdict"] == "unreliable"  # the reference fit's trouble, as above
    assert lines.loc["vectorized_dims", "model_verdict"] == "same model"  # exact, whatever the sampler did
    assert "as sampled it would read: posteriors disagree" not in lines.loc["vectorized_dims", "statement"]


def _check(variant, status, dims=("group",)):
    return {"scenario": "s", "variant": variant, "reference": "ref", "zero_sum_dims": list(dims),
            "expected_zero_sum_dim": "group", "zero_sum_ok": list(dims) == ["group"],
            "logp": {"status": status, "reason": "test", "n_points": 16}}


def test_baseline_is_the_most_precise_healthy_fit_proven_identical():
    rows = [_summary_row("ref", "sigma", 1.0, 0.1, 0.004, 1.0, ess=800.0),
            _summary_row("fast", "sigma", 1.0, 0.1, 0.0005, 1.0, ess=50_000.0),
            _summary_row("unproven", "sigma", 1.0, 0.1, 0.0001, 1.0, ess=90_000.0),
            _summary_row("sick", "sigma", 1.0, 0.1, 0.0001, 1.0, ess=99_000.0, div=2)]
    summary = pd.DataFrame(rows)
    checks = {("s", "fast"): _check("fast", "equivalent"), ("s", "unproven"): _check("unproven", "no_map"),
              ("s", "sick"): _check("sick", "equivalent")}
    assert choose_baselines(summary, "ref", checks) == {("s", 0): "fast"}
    posterior = {("s", "fast"): {"logp": {"status": "different", "reason": "x"}}}
    assert choose_baselines(summary, "ref", checks, posterior) == {("s", 0): "ref"}
    params, lines = judge(summary, "ref", checks=checks)
    lines = lines.set_index("variant")
    assert (lines["baseline"] == "fast").all()
    assert lines.loc["fast", "posterior_verdict"] == "baseline" and lines.loc["fast", "model_verdict"] == "same model"
    assert lines.loc["ref", "model_verdict"] == "reference"
    assert lines.loc["ref", "posterior_verdict"] == "agrees"  # the reference compared with the baseline
    assert "with fast (the most precise fit of ref's model)" in lines.loc["unproven", "statement"]
    assert lines.loc["sick", "posterior_verdict"] == "unreliable"  # its own trouble; the baseline's health is fine


def test_a_different_model_never_reads_as_a_bare_agrees():
    """The prior predictive (or the log density) says 'different model'; the posteriors may still agree on one
    dataset, and the line says both."""
    rows = [_summary_row(v, "sigma", 1.0, 0.1, 0.001, 1.0) for v in ("ref", "wide_prior", "proven", "free")]
    pp = {("s", "wide_prior"): {"status": "differs", "p_value": 0.001, "sentence": "prior predictive differs (p = 0.001)"},
          ("s", "free"): {"status": "no_difference", "p_value": 0.41, "power": {"offsets without zero-sum": 0.97}}}
    checks = {("s", "wide_prior"): _check("wide_prior", "no_map"), ("s", "proven"): _check("proven", "equivalent"),
              ("s", "free"): _check("free", "no_map")}
    _, lines = judge(pd.DataFrame(rows), "ref", checks=checks, prior_predictive=pp)
    lines = lines.set_index("variant")
    wide = lines.loc["wide_prior"]
    assert wide["model_verdict"] == "different model" and wide["posterior_verdict"] == "agrees"
    assert wide["statement"].startswith("wide_prior: different model (prior predictive differs (p = 0.001)); "
                                        "posteriors agree on these data"), wide["statement"]
    assert lines.loc["proven", "model_verdict"] == "same model"
    assert "exact" in lines.loc["proven", "statement"]
    free = lines.loc["free"]
    assert free["model_verdict"] == "no difference found", free["statement"]
    assert "power 0.97 against offsets without zero-sum" in free["statement"]
    assert free["prior_predictive_power"] == pytest.approx(0.97)
    unpowered = {**pp, ("s", "free"): {"status": "no_difference", "p_value": 0.41}}
    _, lines = judge(pd.DataFrame(rows), "ref", checks=checks, prior_predictive=unpowered)
    assert lines.set_index("variant").loc["free", "model_verdict"] == "not shown"


def test_disagreement_is_corrected_over_every_quantity_of_the_study():
    """The same difference is 'disagrees' in a study of one variant and 'inconclusive' in a study of many:
    K counts every compared quantity of every variant."""
    def study(n_variants):
        rows = [_summary_row("ref", "sigma", 1.0, 0.1, 0.001, 1.0)]  # beyond the margin by 3 se (se = sqrt(2) mcse)
        rows += [_summary_row("off", "sigma", 1.0 + 0.1 * 0.2 + 3.0 * np.sqrt(2) * 0.001, 0.1, 0.001, 1.0)]
        rows += [_summary_row(f"same{i}", "sigma", 1.0, 0.1, 0.001, 1.0) for i in range(n_variants - 1)]
        _, lines = judge(pd.DataFrame(rows), "ref")
        return lines.set_index("variant").loc["off"]
    assert study(1)["posterior_verdict"] == "disagrees" and study(1)["k_compared"] == 4
    many = study(50)
    assert many["posterior_verdict"] == "inconclusive" and many["k_compared"] == 200


def test_a_log_density_that_differs_only_at_posterior_points_is_named_as_the_evidence():
    rows = [_summary_row(v, "sigma", 1.0, 0.1, 0.001, 1.0) for v in ("ref", "v")]
    checks = {("s", "v"): _check("v", "equivalent")}
    posterior = {("s", "v"): {"logp": {"status": "different", "reason": "spread 3 nats at 16 posterior points"}}}
    _, lines = judge(pd.DataFrame(rows), "ref", checks=checks, posterior_checks=posterior)
    line = lines.set_index("variant").loc["v"]
    assert line["model_verdict"] == "different model"
    assert "at posterior draws: spread 3 nats at 16 posterior points" in line["statement"], line["statement"]


def test_sigma_is_said_not_to_apply_to_a_count_or_binary_outcome():
    poisson, normal = {"family": "poisson", "discrete": True}, {"family": "normal", "discrete": False}
    assert outcome_clause(poisson, poisson, {"beta[x1]"}) == \
        "sigma: does not apply to a poisson outcome (it has no noise sd)"
    assert outcome_clause(poisson, poisson, {"beta[x1]", "sigma"}) == ""  # a parameter of its own named sigma
    assert outcome_clause(normal, normal, {"beta[x1]", "sigma"}) == outcome_clause(None, None, set()) == ""
    nb = {"family": "negative binomial", "discrete": True}
    assert outcome_clause(nb, poisson, set()).endswith("; its outcome is negative binomial, the reference's poisson")
    assert "its outcome" not in outcome_clause(nb, poisson, set(), is_reference=True)
    # a count model against a Gaussian baseline: its missing sigma is not a name to map but does not apply
    own, base = {"beta[x1]"}, {"beta[x1]", "sigma"}
    assert unmatched_clause(own, base, "ref", poisson) == "not compared: sigma (it does not apply to a poisson outcome)"
    assert "a rename:" in unmatched_clause(own, base, "ref", normal)
    assert outcome_clause(poisson, normal, own | base) == "its outcome is poisson, the reference's normal"


def test_offsets_from_float32_slopes_are_put_back_on_the_zero_sums_they_met():
    """Slopes rounded to float32 move each offset by up to eps32 |slope| / tau: an axis that summed to zero
    is snapped back (its mean subtracted), one that did not is left as it was."""
    rng = np.random.default_rng(0)
    beta, tau = np.array([1.0, 40.0]), np.array([0.01, 2.0])  # slopes far larger than tau: rounding matters
    for zero_axis in (-2, -1):  # along group (the intended model), along predictor (the thread's bug)
        z = rng.standard_normal((4, 200, 2))
        z -= z.mean(axis=zero_axis, keepdims=True)
        slopes = (beta + tau * z).astype(np.float32)
        offsets = (slopes.astype(float) - beta) / tau
        assert np.abs(offsets.mean(axis=zero_axis)).max() > 1e-9  # rounding broke the zero sum
        fixed = unrounded_offsets(offsets, np.abs(slopes).max(axis=-2), tau)
        assert np.abs(fixed.mean(axis=zero_axis)).max() < 1e-12
        other = -1 if zero_axis == -2 else -2
        assert np.abs(fixed.mean(axis=other)).max() > 0.01  # the other axis never summed to zero: not snapped
        assert np.abs(fixed - offsets).max() < 1e-5  # moved by rounding's size only


def test_posterior_log_density_check_passes_an_equivalent_pair_whose_group_draws_are_float32(tiny_data):
    """With ``group_draws: float32`` the offsets read back no longer sum to zero exactly; the check must
    still find the same model (and never call a point outside the support)."""
    fits = {v: fit(tiny_data, v, **TINY_SAMPLER, group_draws="float32") for v in ("nonvectorized", "vectorized_fixed")}
    assert any(v.dtype == np.float32 for v in fits["nonvectorized"]["posterior"].to_dataset().data_vars.values())
    result = posterior_logp_check("vectorized_fixed", "nonvectorized", tiny_data, fits["vectorized_fixed"],
                                  fits["nonvectorized"])
    assert result["status"] == "equivalent", result
    assert np.isfinite(result["spread"]) and result["spread"] <= result["tolerance"]


def test_upper_quantiles_are_scipy_stats_own_bit_for_bit():
    """``upper_quantile`` (scipy.special's ndtri) gives what ``scipy.stats.norm.isf`` gives, bit for bit,
    so no verdict depends on which of the two computed its margins."""
    from scipy.stats import norm

    levels = [*np.geomspace(1e-12, 0.5, 2001), *np.linspace(0.001, 0.999, 999), 0.05, 0.05 / 3, 0.1 / 2 / 7]
    assert [upper_quantile(p) for p in levels] == [float(norm.isf(p)) for p in levels]
    assert z_agree(0.05) == float(norm.isf(0.05)) and z_disagree(0.05, 12) == float(norm.isf(0.05 / 12))
