"""Structural checks and verdicts find the thread's bug, and a new kind of mistake, on tiny data."""

import numpy as np
import pandas as pd
import pytest
from conftest import TINY_SAMPLER

from zsneq.analysis.checks import logp_equivalence, run_checks, zero_sum_dims
from zsneq.analysis.summarize import combine, summarize_fit
from zsneq.analysis.verdicts import parameter_verdicts, variant_verdicts
from zsneq.core.dataset import RegressionData
from zsneq.models.fit import fit
from zsneq.models.variants import VARIANTS
from zsneq.simulation.generator import simulate

EXPECTED = {
    "nonvectorized": (["group"], "equivalent"),
    "vectorized_as_posted": (["predictor"], "no_map"),
    "vectorized_fixed": (["group"], "equivalent"),
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
    return {"scenario": "s", "rep": 0, "variant": variant, "parameter": parameter, "mean": mean, "sd": sd,
            "hdi_3%": mean - 2 * sd, "hdi_97%": mean + 2 * sd, "ess_bulk": kw.get("ess", 1000.0),
            "ess_tail": 1000.0, "r_hat": kw.get("r_hat", 1.0), "mcse_mean": mcse, "mcse_sd": mcse,
            "truth": truth, "target": truth, "divergences": kw.get("div", 0), "compile_seconds": 1.0, "sampling_seconds": 1.0}


def test_verdict_rule_needs_both_mcse_and_effect():
    rows = [
        _summary_row("ref", "tau[x1]", 10.0, 1.0, 0.01, 10.0),
        _summary_row("noise", "tau[x1]", 10.05, 1.0, 0.01, 10.0),  # z=3.5 but effect 0.05: agrees
        _summary_row("imprecise", "tau[x1]", 10.5, 1.0, 0.5, 10.0),  # effect 0.5 but z=0.9: agrees
        _summary_row("off", "tau[x1]", 13.0, 1.0, 0.02, 10.0, div=3, r_hat=1.05, ess=100.0),
    ]
    params = parameter_verdicts(pd.DataFrame(rows), "ref")
    agrees = params.set_index("variant")["agrees"]
    assert agrees["ref"] and agrees["noise"] and agrees["imprecise"] and not agrees["off"]
    lines = variant_verdicts(params).set_index("variant")
    assert lines.loc["off", "verdict"] == "disagrees"
    statement = lines.loc["off", "statement"]
    assert "disagrees with ref on tau[x1] by up to 3.0 sd" in statement
    assert "3 divergences" in statement and "r_hat > 1.01" in statement and "ess_bulk < 400" in statement
    assert "Truth inside the 94% HDI for 0/1" in statement
    assert lines.loc["noise", "verdict"] == "agrees"


def test_verdict_sentence_names_the_axis():
    check = {"variant": "v", "reference": "ref", "zero_sum_dims": ["predictor"], "expected_zero_sum_dim": "group",
             "zero_sum_ok": False, "logp": {"status": "no_map", "reason": "outside support"}}
    rows = [_summary_row("ref", f"tau[x{k}]", 10.0, 0.3, 0.01, 10.0) for k in (1, 2, 3)]
    rows += [_summary_row("v", f"tau[x{k}]", 10.0 - 2 * k, 0.3, 0.01, 10.0) for k in (1, 2, 3)]
    lines = variant_verdicts(parameter_verdicts(pd.DataFrame(rows), "ref"), {("s", "v"): check})
    statement = lines.set_index("variant").loc["v", "statement"]
    assert "disagrees with ref on tau[x1..x3] by up to 20.0 sd" in statement
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
    assert lines.loc["vectorized_shared_tau", "verdict"] == "disagrees"
    assert "tau[x" in lines.loc["vectorized_shared_tau", "statement"]
    assert "one tau for all predictors" in lines.loc["vectorized_shared_tau", "statement"]
    assert lines.loc["vectorized_dims", "verdict"] == "agrees"
    assert "same log density as the reference" in lines.loc["vectorized_dims", "statement"]
