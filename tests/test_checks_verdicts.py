"""Structural checks and verdicts find the thread's bug, and a new kind of mistake, on tiny data."""

import numpy as np
import pandas as pd
import pytest
from conftest import TINY_SAMPLER

from off_variants import OFF, as_variant

from zsneq.analysis.checks import logp_equivalence, run_checks, zero_sum_dims
from zsneq.analysis.summarize import combine, summarize_fit
from zsneq.analysis.verdicts import (
    Verdict,
    bonferroni_z,
    equivalence,
    group_slope_verdicts,
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
    verdicts, lower, upper, factor = equivalence([0.05, 0.5, 3.0, 0.19], [0.01, 0.5, 0.02, 0.0], 1.0, margin=0.2)
    assert list(verdicts) == ["agrees", "inconclusive", "disagrees", "agrees"]
    assert upper[0] == pytest.approx(0.05 + 3 * 0.01) and lower[2] == pytest.approx(3.0 - 3 * 0.02)
    # |delta| 0.5 is beyond the margin 0.2 by 0.3 = 3 * se / sqrt(k): k = (3 * 0.5 / 0.3) ** 2 = 25
    assert factor[1] == pytest.approx(25.0)
    assert np.isnan(factor[[0, 2, 3]]).all()


def test_verdict_rule_needs_the_margin_shown():
    rows = [
        _summary_row("ref", "tau[x1]", 10.0, 1.0, 0.01, 10.0),
        _summary_row("noise", "tau[x1]", 10.05, 1.0, 0.01, 10.0),  # z=3.5 but 0.05 + 3 * 0.014 < 0.2: agrees
        _summary_row("imprecise", "tau[x1]", 10.5, 1.0, 0.5, 10.0, mcse_sd=0.01),  # 0.5 sd, se 0.5: inconclusive
        _summary_row("off", "tau[x1]", 13.0, 1.0, 0.02, 10.0),
        _summary_row("wide", "tau[x1]", 10.0, 1.5, 0.01, 10.0),  # same mean, sd 50% larger: disagrees on sd
        _summary_row("troubled", "tau[x1]", 13.0, 1.0, 0.02, 10.0, div=3, r_hat=1.05, ess=100.0),
    ]
    params = parameter_verdicts(pd.DataFrame(rows), "ref").set_index("variant")
    assert params.loc["ref", "verdict"] == Verdict.REFERENCE
    assert params.loc["noise", "verdict"] == Verdict.AGREES
    assert params.loc["imprecise", "verdict"] == Verdict.INCONCLUSIVE
    assert params.loc["imprecise", "factor_mean"] == pytest.approx((3 * np.sqrt(0.5**2 + 0.01**2) / 0.3) ** 2)
    assert params.loc["off", "verdict"] == Verdict.DISAGREES
    assert params.loc["wide", "verdict_mean"] == Verdict.AGREES and params.loc["wide", "verdict_sd"] == Verdict.DISAGREES
    assert params.loc["wide", "verdict"] == Verdict.DISAGREES
    assert params.loc["troubled", "verdict"] == Verdict.UNRELIABLE
    lines = variant_verdicts(params.reset_index()).set_index("variant")
    assert lines.loc["noise", "verdict"] == "agrees"
    assert lines.loc["imprecise", "verdict"] == "inconclusive"
    factor = (3 * np.sqrt(0.5**2 + 0.01**2) / 0.3) ** 2  # mean and both quantiles need this many times the ESS
    assert lines.loc["imprecise", "ess_factor"] == pytest.approx(factor)
    assert (f"{factor:.1f}× the effective draws, about {np.ceil((factor - 1) * 1000):,.0f} more effective draws "
            "per fit would settle it") in lines.loc["imprecise", "statement"]
    assert lines.loc["off", "verdict"] == "disagrees"
    assert "disagrees with ref on tau[x1] (mean, 5% quantile, 95% quantile): at least 2.93 sd apart" in (
        lines.loc["off", "statement"])
    assert "Truth inside the 94% HDI for 0/1" in lines.loc["off", "statement"]
    assert "disagrees with ref on tau[x1] (sd, 5% quantile, 95% quantile)" in lines.loc["wide", "statement"]
    troubled = lines.loc["troubled"]
    assert troubled["verdict"] == "unreliable" and not troubled["healthy"]
    assert "3 divergences" in troubled["statement"] and "r_hat" in troubled["statement"]
    assert "ess < 400" in troubled["statement"]


def test_reference_trouble_makes_every_comparison_unreliable():
    rows = [_summary_row("ref", "sigma", 1.0, 0.1, 0.001, 1.0, r_hat=1.1), _summary_row("v", "sigma", 1.0, 0.1, 0.001, 1.0)]
    lines = variant_verdicts(parameter_verdicts(pd.DataFrame(rows), "ref")).set_index("variant")
    assert lines.loc["v", "verdict"] == Verdict.UNRELIABLE
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
    z_n = bonferroni_z(500)
    assert z_n > 4 and bonferroni_z(1) == pytest.approx(3.0)
    one_off = base.copy()
    one_off[7] += 0.2 + 3.5 * np.sqrt(2) * 0.01  # beyond the margin by 3.5 se: not enough among 500
    far_off = base.copy()
    far_off[7] += 0.2 + (z_n + 0.5) * np.sqrt(2) * 0.01  # beyond the corrected number of MCSEs
    slopes = pd.concat([
        _slopes("ref", base), _slopes("same", base + 0.01 * rng.normal(size=500)),
        _slopes("one_off", one_off), _slopes("far_off", far_off),
    ])
    table = group_slope_verdicts(slopes, "ref").set_index("variant")
    assert table.loc["same", "group_verdict"] == Verdict.AGREES
    assert table.loc["one_off", "group_verdict"] == Verdict.INCONCLUSIVE
    assert table.loc["far_off", "group_verdict"] == Verdict.DISAGREES
    assert table.loc["far_off", "worst_groups"].startswith("g7[x1] ")
    params = parameter_verdicts(pd.DataFrame([_summary_row(v, "sigma", 1.0, 0.1, 0.001, 1.0)
                                              for v in ("ref", "same", "one_off", "far_off")]), "ref")
    lines = variant_verdicts(params, groups=table.reset_index()).set_index("variant")
    assert lines.loc["same", "verdict"] == "agrees" and lines.loc["far_off", "verdict"] == "disagrees"
    assert "group slopes (500 compared) disagrees" in lines.loc["far_off", "statement"]
    assert verdict_counts(lines.reset_index()) == {"agrees": 1, "disagrees": 1, "inconclusive": 1,
                                                   "unreliable": 0, "unknown": 0}


def test_expected_responses_are_compared_group_by_group_and_decide_the_verdict():
    """A variant with no group slopes of its own is still compared group by group, on each group's
    expected response; a difference there makes the variant disagree."""
    rng = np.random.default_rng(1)
    base = rng.normal(size=200)
    off = base.copy()
    off[3] += 0.2 + (bonferroni_z(200) + 0.5) * np.sqrt(2) * 0.01
    table = pd.concat([_slopes(v, m).assign(quantity="expected_response", predictor="")
                       for v, m in (("ref", base), ("same", base), ("off", off))]
                      + [_slopes("ref", base).assign(quantity="slope")])  # slopes of the reference only
    assert group_slope_verdicts(table, "ref", quantity="slope").empty
    responses = group_slope_verdicts(table, "ref", quantity="expected_response")
    assert responses.set_index("variant").loc["off", "worst_groups"].startswith("g3 ")
    params = parameter_verdicts(pd.DataFrame([_summary_row(v, "sigma", 1.0, 0.1, 0.001, 1.0)
                                              for v in ("ref", "same", "off")]), "ref")
    lines = variant_verdicts(params, responses=responses).set_index("variant")
    assert lines.loc["same", "verdict"] == "agrees" and lines.loc["off", "verdict"] == "disagrees"
    assert "each group's expected response (200 compared) disagrees, largest differences g3 " in lines.loc["off", "statement"]
    assert lines.loc["off", "response_verdict"] == "disagrees"


def test_quantities_only_one_model_has_are_named_and_keep_agreement_from_being_claimed():
    """A user model with one spread for all predictors has no tau[x1], tau[x2]; its own scalar tau is not in
    the reference: the shared quantities are compared, the others listed, and the label is not 'agrees'."""
    rows = [_summary_row("ref", p, 1.0, 0.1, 0.001, 1.0) for p in ("beta[x1]", "tau[x1]", "tau[x2]", "sigma")]
    rows += [_summary_row("shared", p, 1.0, 0.1, 0.001, 1.0) for p in ("beta[x1]", "tau", "sigma")]
    rows += [_summary_row("same", p, 1.0, 0.1, 0.001, 1.0) for p in ("beta[x1]", "tau[x1]", "tau[x2]", "sigma")]
    lines = variant_verdicts(parameter_verdicts(pd.DataFrame(rows), "ref")).set_index("variant")
    assert lines.loc["same", "verdict"] == "agrees"
    statement = lines.loc["shared", "statement"]
    assert lines.loc["shared", "verdict"] == "inconclusive", statement
    assert statement.startswith("shared: inconclusive against ref: agrees on all compared 2 parameters"), statement
    assert "not compared: tau[x1], tau[x2] (no variable of this variant matches them by name" in statement
    assert "tau (not in ref)" in statement


def test_a_model_naming_no_parameter_alike_is_compared_on_group_quantities_only():
    base = np.linspace(-1, 1, 50)
    table = pd.concat([_slopes(v, base).assign(quantity="expected_response", predictor="") for v in ("ref", "anon")])
    responses = group_slope_verdicts(table, "ref", quantity="expected_response")
    params = parameter_verdicts(pd.DataFrame([_summary_row("ref", "sigma", 1.0, 0.1, 0.001, 1.0)]), "ref")
    lines = variant_verdicts(params, responses=responses).set_index("variant")
    assert lines.loc["anon", "verdict"] == "inconclusive"  # never 'agrees' without the parameters
    assert "no variable matches beta, tau or sigma by name" in lines.loc["anon", "statement"]
    assert "each group's expected response (50 compared) agrees" in lines.loc["anon", "statement"]


def test_verdict_sentence_names_the_axis():
    check = {"variant": "v", "reference": "ref", "zero_sum_dims": ["predictor"], "expected_zero_sum_dim": "group",
             "zero_sum_ok": False, "logp": {"status": "no_map", "reason": "outside support"}}
    rows = [_summary_row("ref", f"tau[x{k}]", 10.0, 0.3, 0.01, 10.0) for k in (1, 2, 3)]
    rows += [_summary_row("v", f"tau[x{k}]", 10.0 - 2 * k, 0.3, 0.01, 10.0) for k in (1, 2, 3)]
    lines = variant_verdicts(parameter_verdicts(pd.DataFrame(rows), "ref"), {("s", "v"): check})
    statement = lines.set_index("variant").loc["v", "statement"]
    assert "disagrees with ref on tau[x1..x3] (mean, 5% quantile, 95% quantile)" in statement
    assert "Δmean up to 20.00 sd" in statement
    assert "its group offsets sum to zero along `predictor`, not `group`" in statement


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
    assert lines.loc["vectorized_shared_tau", "verdict"] == "unreliable", statement
    assert "nonvectorized: tau[x" in statement and "as sampled it would read: disagrees" in statement
    assert "tau[x" in lines.loc["vectorized_shared_tau", "statement"]
    assert "one tau for all predictors" in lines.loc["vectorized_shared_tau", "statement"]
    assert lines.loc["vectorized_dims", "verdict"] == "unreliable"  # the reference fit's trouble, as above
    assert "as sampled it would read: disagrees" not in lines.loc["vectorized_dims", "statement"]
