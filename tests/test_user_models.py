"""User variants from plain PyMC files: loading, name matching, zero-sum structure, per-group
log-likelihood, and ArviZ-native fit files (the thread's own files in examples/thread)."""

import json
from pathlib import Path

import arviz as az
import h5py
import numpy as np
import pymc as pm
import pytest
import xarray as xr
from conftest import TINY_SAMPLER
from pymc.model.transform.conditioning import remove_value_transforms

from zsneq.analysis.structure import zero_sum_report
from zsneq.analysis.summarize import common_posterior
from zsneq.core.dataset import RegressionData
from zsneq.core.matching import compare_matchings
from zsneq.core.userfile import UserModelError
from zsneq.models.fit import fit
from zsneq.models.fit_file import fit_attrs, read_fit, write_fit
from zsneq.models.loglik import model_group_expected_response, model_group_log_likelihood
from zsneq.models.user import data_frame, model_matching
from zsneq.models.variants import get_variant, variant_problems
from zsneq.simulation.user_data import user_frame

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "examples" / "thread" / "models"
THREAD = {
    "thread_nonvectorized": "nonvectorized.py",
    "thread_vectorized": "vectorized.py",
    "thread_transposed": "vectorized_transposed.py",
}
TOP_LEVEL = {f"{f}[x{k}]" for f in ("beta", "tau") for k in (1, 2, 3)} | {"sigma"}


def entry(name: str, **extra) -> dict:
    return {"name": name, "file": str(MODELS / THREAD[name]), "function": "make_model", **extra}


@pytest.fixture(scope="module")
def thread_data() -> RegressionData:
    frame = user_frame({"generator": {"file": str(MODELS / "generate_data.py"), "function": "generate_data",
                                      "args": {"num_groups": 20, "num_samples_per_group": 10}}})
    return RegressionData.from_frame(frame)


@pytest.fixture(scope="module")
def thread_models(thread_data):
    return {name: get_variant(entry(name)).build_model(thread_data) for name in THREAD}


def test_the_frame_given_to_user_functions_is_the_data(thread_data):
    frame = data_frame(thread_data)
    assert list(frame.columns) == ["group", "y", "x1", "x2", "x3"]
    assert frame["group"].tolist() == thread_data.group_idx.tolist()
    assert np.array_equal(frame[["x1", "x2", "x3"]].to_numpy(), thread_data.x)


@pytest.mark.parametrize("name", THREAD)
def test_thread_files_build_and_their_parameters_match_by_name(thread_models, thread_data, name):
    model = thread_models[name]
    assert [rv.name for rv in model.observed_RVs] == ["y_obs"]
    matching = model_matching(model, thread_data.predictors)
    assert set(matching.quantities) == TOP_LEVEL
    assert all(v.startswith("epsilon_beta") for v in matching.unmatched), matching.unmatched


def test_comparison_of_the_two_posted_models_names_shared_and_own_quantities(thread_models, thread_data):
    first = model_matching(thread_models["thread_nonvectorized"], thread_data.predictors)
    second = model_matching(thread_models["thread_vectorized"], thread_data.predictors)
    comparison = compare_matchings(first, second)
    assert set(comparison.matched) == TOP_LEVEL
    assert comparison.only_first == comparison.only_second == []
    assert comparison.unmatched_first == ["epsilon_beta1_g", "epsilon_beta2_g", "epsilon_beta3_g"]
    assert comparison.unmatched_second == ["epsilon_beta_g"]
    assert first.quantities["tau[x2]"].variable == "tau2"
    assert second.quantities["tau[x2]"].selection == (("predictor", "x2"),)


def test_rename_and_quantities_only_one_model_has(thread_data):
    with pm.Model(coords={"predictor": [0, 1, 2]}) as model:  # predictors by position
        pm.Normal("b", dims="predictor")
        pm.HalfNormal("noise")
        pm.Normal("obs", observed=np.zeros(3))
    plain = model_matching(model, thread_data.predictors)
    assert plain.quantities == {} and plain.unmatched == ["b", "noise"]
    renamed = model_matching(model, thread_data.predictors, rename={"b": "beta", "noise": "sigma"})
    assert set(renamed.quantities) == {"beta[x1]", "beta[x2]", "beta[x3]", "sigma"}
    comparison = compare_matchings(renamed, model_matching(pm.Model(), thread_data.predictors))
    assert comparison.only_first == ["beta[x1]", "beta[x2]", "beta[x3]", "sigma"] and comparison.matched == []


def test_zero_sum_axes_read_from_the_graph(thread_models, thread_data):
    expected = {
        "thread_nonvectorized": [f"epsilon_beta{k}_g sums to zero over group" for k in (1, 2, 3)],
        "thread_vectorized": [("epsilon_beta_g sums to zero over predictor "
                               "(group offsets that should sum to zero over group only)")],
        "thread_transposed": ["epsilon_beta_g sums to zero over group"],
    }
    for name, model in thread_models.items():
        records, sentences = zero_sum_report(model)
        assert sentences == expected[name], name
        assert [r["flagged"] for r in records] == [name == "thread_vectorized"] * len(records)
    records, _ = zero_sum_report(get_variant("vectorized_dims").build_model(thread_data))  # pymc.dims
    assert [(r["variable"], r["zero_sum_dims"], r["flagged"]) for r in records] == [("epsilon_beta_g", ["group"], False)]


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    "body, function, message",
    [
        (None, "make_model", "model file of variant 'mine' does not exist"),
        ("def other(frame):\n    pass\n", "make_model", "no function 'make_model' (functions in the file: other)"),
        ("def make_model(frame):\n    raise RuntimeError('bad\\nprior')\n", "make_model", "RuntimeError: bad prior"),
        ("import pymc as pm\ndef make_model(frame):\n    with pm.Model() as m:\n        pm.Normal('a')\n    return m\n",
         "make_model", "without an observed variable"),
        ("def make_model(frame):\n    return frame['x4']\n", "make_model", "asks for column 'x4', which the dataset lacks"),
        ("def make_model(frame):\n    return 1\n", "make_model", "returned int, not a pymc.Model"),
    ],
)
def test_user_model_errors_are_one_line_naming_the_file(tmp_path, thread_data, body, function, message):
    file = tmp_path / "mine.py"
    if body is not None:
        _write(file, body)
    with pytest.raises(UserModelError) as info:
        get_variant({"name": "mine", "file": str(file), "function": function}).build_model(thread_data)
    text = str(info.value)
    assert "\n" not in text and str(file.resolve()) in text and message in text, text


def test_a_fits_quantities_are_named_without_importing_the_model_file(tmp_path):
    """A user variant names a fit's beta, tau and sigma from the posterior's variable names alone: the
    file (which would fail on import here) is read only when its model or description is asked for."""
    file = _write(tmp_path / "mine.py", "raise RuntimeError('imported')\ndef make_model(frame):\n    pass\n")
    variant = get_variant({"name": "mine", "file": file, "function": "make_model"})
    posterior = xr.Dataset({"beta": (("chain", "draw", "predictor"), np.ones((1, 2, 2))),
                            "sigma": (("chain", "draw"), np.ones((1, 2)))}, coords={"predictor": ["x1", "x2"]})
    common = variant.common_quantities(posterior, ["x1", "x2"])
    assert set(common.data_vars) == {"beta", "sigma"}
    with pytest.raises(UserModelError, match="RuntimeError: imported"):
        variant.DESCRIPTION


def test_config_entries_are_checked(tmp_path):
    file = _write(tmp_path / "m.py", "def build_model(frame):\n    pass\n")
    problems = variant_problems(["nonvectorized", {"name": "nonvectorized", "file": file},
                                 {"name": "mine", "file": str(tmp_path / "missing.py")}])
    assert any("taken by built-in variants" in p for p in problems)
    assert any("missing.py: model file of variant 'mine' does not exist" in p for p in problems)
    assert variant_problems(["nonvectorized", {"name": "mine", "file": file}]) == []


def test_per_group_log_likelihood_from_the_graph_equals_the_sufficient_formula(thread_data):
    variant = get_variant("vectorized_fixed")
    model = variant.build_model(thread_data)
    prior = pm.sample_prior_predictive(draws=6, model=model, var_names=[rv.name for rv in model.free_RVs],
                                       random_seed=3)["prior"].to_dataset()
    from_graph = model_group_log_likelihood(model, prior, thread_data)
    from_stats = variant.group_log_likelihood(prior, thread_data)
    assert from_graph.dims == ("chain", "draw", "group") and from_graph.sizes["group"] == thread_data.n_groups
    np.testing.assert_allclose(from_graph.values, from_stats.values, rtol=1e-9)
    # summed over groups: the model's whole log-likelihood at each draw, as PyMC computes it
    constrained = remove_value_transforms(model)
    total = constrained.compile_logp(vars=constrained.observed_RVs, jacobian=False)
    for draw in range(prior.sizes["draw"]):
        point = {v.name: prior[v.name].isel(chain=0, draw=draw).values for v in constrained.value_vars}
        np.testing.assert_allclose(float(from_graph.isel(chain=0, draw=draw).sum()), float(total(point)), rtol=1e-9)


def test_expected_response_from_the_graph_equals_the_slopes_formula(thread_data):
    """Each group's expected response: the mean of the observed variable averaged over the group's rows
    (any model's graph) against xbar_g . b_g from the group slopes (built-in variants)."""
    variant = get_variant("nonvectorized")
    model = variant.build_model(thread_data)
    prior = pm.sample_prior_predictive(draws=6, model=model, var_names=[rv.name for rv in model.free_RVs],
                                       random_seed=4)["prior"].to_dataset()
    from_graph = model_group_expected_response(model, prior, thread_data)
    from_slopes = variant.group_expected_response(prior, thread_data)
    assert from_graph.dims == ("chain", "draw", "group") and from_graph.sizes["group"] == thread_data.n_groups
    np.testing.assert_allclose(from_graph.values, from_slopes.values, rtol=1e-10, atol=1e-10)
    # the thread's own file (no slope variable of its own) gives the same at the same parameter values
    user = get_variant(entry("thread_nonvectorized"))
    np.testing.assert_allclose(user.group_expected_response(prior, thread_data).values, from_slopes.values,
                               rtol=1e-10, atol=1e-10)


def test_expected_response_needs_a_likelihood_with_a_known_mean(thread_data):
    with pm.Model(coords={"obs": np.arange(len(thread_data.y))}) as model:
        s = pm.HalfNormal("s")
        pm.Potential("loglik", pm.logp(pm.Normal.dist(0, s), thread_data.y).sum())
    with pytest.raises(ValueError, match="expected one observed variable, found 0"):
        model_group_expected_response(model, xr.Dataset({"s": (("chain", "draw"), np.ones((1, 2)))}), thread_data)


@pytest.fixture(scope="module")
def written_fits(thread_data, tmp_path_factory):
    """Two tiny fits written as fit files: a user file (the thread's fix) and a built-in variant."""
    out = tmp_path_factory.mktemp("fits")
    paths = {}
    for variant in (entry("thread_transposed"), "nonvectorized"):
        tree = fit(thread_data, variant, **TINY_SAMPLER)
        name = variant["name"] if isinstance(variant, dict) else variant
        paths[name] = out / f"{name}.nc"
        write_fit(tree, paths[name])
    return paths


def test_fit_files_are_arviz_native_and_compressed(written_fits, thread_data):
    tree = read_fit(written_fits["thread_transposed"])
    assert set(tree.children) == {"posterior", "sample_stats", "log_likelihood", "observed_data"}
    for group in ("posterior", "sample_stats", "log_likelihood"):
        attrs = tree[group].attrs
        assert attrs["inference_library"] == "nutpie" and attrs["inference_library_version"]
        assert attrs["created_at"] and attrs["sampling_time"] > 0
    assert tree["log_likelihood"]["y"].dims == ("chain", "draw", "group")
    assert tree["log_likelihood"]["y"].sizes == {"chain": 2, "draw": 100, "group": thread_data.n_groups}
    assert tree["posterior"]["expected_y_g"].dims == ("chain", "draw", "group")  # from the observed node's mean
    np.testing.assert_array_equal(tree["observed_data"]["y"].values, thread_data.y)
    spec = fit_attrs(tree)["variant_spec"]
    assert spec["name"] == "thread_transposed" and spec["function"] == "make_model"
    with h5py.File(written_fits["thread_transposed"]) as h5:
        data = h5["posterior/epsilon_beta_g"]
        assert data.compression == "gzip" and data.shuffle and data.chunks[0] == 1
    common = common_posterior(tree)  # the summary path resolves the user file from the stored entry
    assert set(common.data_vars) == {"beta", "tau", "sigma"} and common["beta"].sizes["predictor"] == 3
    assert json.loads(tree.attrs["predictors"]) == ["x1", "x2", "x3"]


def test_loo_and_compare_open_written_fits(written_fits, thread_data):
    fits = {name: read_fit(path) for name, path in written_fits.items()}
    loo = az.loo(fits["thread_transposed"])
    assert np.isfinite(loo.elpd) and loo.n_data_points == thread_data.n_groups
    table = az.compare(fits)
    assert set(table.index) == set(written_fits) and np.isfinite(table["elpd"]).all()
