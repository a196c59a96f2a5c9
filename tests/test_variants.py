"""Every variant builds, names its parameters in the common vocabulary, and samples."""

import numpy as np
import pymc as pm
import pytest
from conftest import TINY_SAMPLER

from zsneq.analysis.summarize import common_posterior, summarize_fit
from zsneq.models.fit import fit
from zsneq.models.fit_file import read_fit, write_fit
from zsneq.models.variants import VARIANTS, get_variant, parse_variant

ZERO_SUM_DIM = {  # along which dim each shipped variant's group offsets sum to zero
    "nonvectorized": "group",
    "vectorized_as_posted": "predictor",
    "vectorized_fixed": "group",
    "vectorized_dims": "group",
    "vectorized_shared_tau": "group",
}


def test_registry_lists_every_shipped_variant():
    assert set(VARIANTS) == set(ZERO_SUM_DIM)
    with pytest.raises(KeyError, match="known variants: nonvectorized"):
        get_variant("no_such_variant")


@pytest.mark.parametrize("variant", [*VARIANTS, "vectorized_dims+sufficient"])
def test_zero_sum_axis_of_prior_draws(variant, tiny_data):
    module = get_variant(variant)
    model = module.build_model(tiny_data)
    prior = pm.sample_prior_predictive(draws=20, model=model, random_seed=0)["prior"].to_dataset()
    slopes = module.group_slopes(prior, tiny_data.predictors)
    common = module.to_common(prior, tiny_data.predictors)
    offsets = (slopes - common["beta"]) / common["tau"]
    assert offsets.sizes["group"] == tiny_data.n_groups
    for dim in ("group", "predictor"):
        sums_to_zero = bool(np.allclose(offsets.sum(dim), 0.0, atol=1e-8))
        assert sums_to_zero == (dim == ZERO_SUM_DIM[parse_variant(variant).module]), (variant, dim)


@pytest.mark.parametrize("variant", VARIANTS)
def test_variant_samples_and_round_trips(variant, tiny_data, tiny_truth, tmp_path):
    tree = fit(tiny_data, variant, **TINY_SAMPLER, attrs={"scenario": "tiny", "rep": 0})
    assert tree.attrs["variant"] == variant
    assert tree.attrs["compile_seconds"] > 0 and tree.attrs["sampling_seconds"] > 0
    assert '"pymc"' in tree.attrs["package_versions"]
    assert "diverging" in tree["sample_stats"].data_vars
    path = tmp_path / "fit.nc"
    write_fit(tree, path)
    back = read_fit(path)
    common = common_posterior(back)
    assert common["beta"].dims == ("chain", "draw", "predictor")
    assert list(common["beta"]["predictor"].values) == tiny_data.predictors
    assert common["sigma"].sizes == {"chain": 2, "draw": 100}
    table = summarize_fit(back, tiny_truth)
    assert set(table["parameter"]) == {"beta[x1]", "beta[x2]", "beta[x3]", "tau[x1]", "tau[x2]", "tau[x3]", "sigma"}
    assert table["truth"].notna().all()
    assert (table["hdi_3%"] < table["mean"]).all() and (table["mean"] < table["hdi_97%"]).all()
    # sigma is well identified even on tiny data: the truth (1.0) is recovered by every variant
    sigma = table.set_index("parameter").loc["sigma"]
    assert abs(sigma["mean"] - 1.0) < 0.3
