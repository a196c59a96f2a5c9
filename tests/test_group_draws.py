"""How fit files store group-level draws (``sampler.group_draws``): all, float32 or per-group summaries,
chosen by size with ``auto``; summaries and block-wise slope draws agree with the whole-array results."""

import numpy as np
import pytest
import xarray as xr
from conftest import TINY_SAMPLER

from zsneq.analysis.summarize import summarize_fit
from zsneq.core.vocabulary import EXPECTED_RESPONSE, GROUP, PREDICTOR
from zsneq.models import fit_file, group_draws, marginal
from zsneq.models.fit import fit
from zsneq.models.fit_file import read_fit, write_fit
from zsneq.models.group_draws import group_draws_groups, group_draws_mode, summarize_draws
from zsneq.models.sufficient import GroupStats
from zsneq.models.variants import SLOPES, get_variant

CHAINS, DRAWS = 3, 50


def posterior_of(data, offsets: bool = False, seed: int = 0) -> xr.Dataset:
    """A stand-in posterior near the tiny data's truth: beta, tau, sigma (and zero-sum offsets)."""
    rng = np.random.default_rng(seed)
    P, G = data.n_predictors, data.n_groups
    sample = {"chain": np.arange(CHAINS), "draw": np.arange(DRAWS)}
    out = xr.Dataset(
        {"beta": (("chain", "draw", PREDICTOR), 1.0 + 0.1 * rng.standard_normal((CHAINS, DRAWS, P))),
         "tau": (("chain", "draw", PREDICTOR), np.exp(0.1 * rng.standard_normal((CHAINS, DRAWS, P)))),
         "sigma": (("chain", "draw"), np.exp(0.05 * rng.standard_normal((CHAINS, DRAWS))))},
        coords=sample | {PREDICTOR: data.predictors},
    )
    if offsets:
        eps = rng.standard_normal((CHAINS, DRAWS, P, G))
        out["epsilon_beta_g"] = (("chain", "draw", PREDICTOR, GROUP), eps - eps.mean(axis=-1, keepdims=True))
        out = out.assign_coords({GROUP: data.groups})
    return out


def test_summaries_from_blocks_equal_numpy_over_whole_arrays(monkeypatch):
    """Blocks that straddle chain boundaries; a large mean does not cost the sd its precision."""
    monkeypatch.setattr(group_draws, "BLOCK_VALUES", 7 * 4)  # 7 draws of (4,) per block: 50 draws per chain
    values = 1e6 + np.random.default_rng(1).standard_normal((CHAINS, DRAWS, 4))
    var = xr.DataArray(values, dims=("chain", "draw", GROUP), coords={GROUP: list("abcd")})
    out = summarize_draws(group_draws.array_blocks(var), var, "x")
    flat = values.reshape(-1, 4)
    np.testing.assert_allclose(out["x"].sel(statistic="mean"), flat.mean(axis=0), rtol=1e-15)
    np.testing.assert_allclose(out["x"].sel(statistic="sd"), flat.std(axis=0, ddof=1), rtol=1e-9)
    np.testing.assert_allclose(out["x_chain_mean"], values.mean(axis=1), rtol=1e-15)
    assert out["x"].dims == ("statistic", GROUP) and list(out[GROUP].values) == list("abcd")


def test_block_wise_slope_draws_are_bitwise_the_whole_draw(tiny_data):
    post = posterior_of(tiny_data)
    beta = post["beta"].values.reshape(-1, 3)
    tau = post["tau"].values.reshape(-1, 3)
    sigma = post["sigma"].values.reshape(-1)
    stats = GroupStats.from_data(tiny_data)
    whole = marginal.draw_group_slopes(beta, tau, sigma, stats, np.random.default_rng(5))
    blocks = np.concatenate([b for _, b in marginal.iter_group_slopes(beta, tau, sigma, stats, np.random.default_rng(5))])
    assert np.array_equal(whole, blocks)


def test_auto_keeps_every_draw_then_float32_then_summarises():
    limit = group_draws.GROUP_DRAWS_MAX_VALUES
    assert group_draws_mode("auto", 4, 1000, limit // 12_000, 3) == "all"
    assert group_draws_mode("auto", 4, 1000, limit // 12_000 + 1, 3) == "float32"
    assert group_draws_mode("auto", 4, 8000, 1000, 3) == "float32"  # the seed study with 4 x 8000 draws
    assert group_draws_mode("auto", 4, 1000, group_draws.GROUP_DRAWS_MAX_FLOAT32 // 12_000 + 1, 3) == "summary"
    assert group_draws_mode("auto", 4, 1000, 100_000, 3) == "summary"  # the 100,000-group study
    assert group_draws_mode("float32", 1, 1, 1, 1) == "float32"
    with pytest.raises(ValueError, match="group_draws must be one of"):
        group_draws_mode("thin", 1, 1, 1, 1)


def test_integrated_slopes_all_float32_and_summary(tiny_data):
    """vectorized_fixed+marginal: ``all`` is what add_group_slopes and group_log_likelihood give;
    float32 is the same rounded; summary holds their mean and sd and no draws or log-likelihood."""
    module = get_variant("vectorized_fixed+marginal")
    post = posterior_of(tiny_data)
    base = {"posterior": post, "sample_stats": xr.Dataset()}
    expected = module.add_group_slopes(post, tiny_data, 3)
    loglik = module.group_log_likelihood(expected, tiny_data)
    got = {mode: group_draws_groups(module, base, tiny_data, 3, mode=mode, chains=CHAINS, draws=DRAWS)
           for mode in ("all", "float32", "summary")}

    groups, attrs = got["all"]
    assert attrs == {"group_draws": "all"}
    assert np.array_equal(groups["posterior"][SLOPES].values, expected[SLOPES].values)
    np.testing.assert_allclose(groups["log_likelihood"]["y"].values, loglik.values, rtol=1e-14)
    response = module.group_expected_response(expected, tiny_data)  # xbar_g . b_g, whole arrays
    np.testing.assert_allclose(groups["posterior"][EXPECTED_RESPONSE].values, response.values, rtol=1e-13, atol=1e-15)

    groups, attrs = got["float32"]
    assert groups["posterior"][SLOPES].dtype == np.float32 and groups["log_likelihood"]["y"].dtype == np.float32
    assert np.array_equal(groups["posterior"][SLOPES].values, expected[SLOPES].values.astype(np.float32))
    assert groups["posterior"]["beta"].dtype == np.float64  # population-level draws stay as sampled

    groups, attrs = got["summary"]
    assert attrs["group_draws"] == "summary" and "log_likelihood_omitted" in attrs
    assert SLOPES not in groups["posterior"] and "log_likelihood" not in groups
    summary = groups[group_draws.SUMMARY_GROUP]
    draws = expected[SLOPES]
    np.testing.assert_allclose(summary[SLOPES].sel(statistic="mean"), draws.mean(("chain", "draw")), rtol=1e-12)
    np.testing.assert_allclose(summary[SLOPES].sel(statistic="sd"), draws.std(("chain", "draw"), ddof=1), rtol=1e-9)
    np.testing.assert_allclose(summary[f"{SLOPES}_chain_mean"], draws.mean("draw"), rtol=1e-12)
    assert summary[SLOPES].dims == ("statistic", GROUP, PREDICTOR)
    np.testing.assert_allclose(summary[EXPECTED_RESPONSE].sel(statistic="mean"),
                               response.mean(("chain", "draw")), rtol=1e-12, atol=1e-15)


def test_sampled_offsets_are_summarised_and_population_draws_kept(tiny_data):
    module = get_variant("vectorized_fixed")
    post = posterior_of(tiny_data, offsets=True)
    groups, attrs = group_draws_groups(module, {"posterior": post, "sample_stats": xr.Dataset()}, tiny_data, 0,
                                       mode="summary", chains=CHAINS, draws=DRAWS)
    assert sorted(groups["posterior"].data_vars) == ["beta", "sigma", "tau"]
    summary = groups[group_draws.SUMMARY_GROUP]["epsilon_beta_g"]
    np.testing.assert_allclose(summary.sel(statistic="mean"), post["epsilon_beta_g"].mean(("chain", "draw")),
                               rtol=1e-12, atol=1e-15)
    assert summary.dims == ("statistic", PREDICTOR, GROUP)


def test_a_summarised_fit_is_written_read_and_summarised(tiny_data, tiny_truth, tmp_path):
    tree = fit(tiny_data, "vectorized_fixed+marginal", **TINY_SAMPLER, group_draws="summary")
    write_fit(tree, tmp_path / "fit.nc")
    back = read_fit(tmp_path / "fit.nc")
    assert back.attrs["group_draws"] == "summary" and "log_likelihood" not in back.children
    assert back[group_draws.SUMMARY_GROUP][SLOPES].sizes == {"statistic": 2, GROUP: 20, PREDICTOR: 3}
    table = summarize_fit(back, tiny_truth)
    assert table["parameter"].tolist()[:3] == ["beta[x1]", "beta[x2]", "beta[x3]"]
    assert np.isfinite(table["mean"]).all()


def test_chunks_hold_a_chain_of_small_variables_and_split_large_ones():
    """A chain per HDF5 chunk while it fits in CHUNK_MAX_BYTES; a 100,000-group chain is split by draws."""
    big = np.broadcast_to(np.zeros(()), (4, 1000, 100_000, 3))  # a view: nothing allocated
    tree = xr.DataTree.from_dict({"posterior": xr.Dataset(
        {"beta": (("chain", "draw", PREDICTOR), np.zeros((4, 1000, 3))),
         SLOPES: (("chain", "draw", GROUP, PREDICTOR), big)})})
    encoding = fit_file.compression_encoding(tree)["/posterior"]
    assert encoding["beta"]["chunksizes"] == (1, 1000, 3)
    chunks = encoding[SLOPES]["chunksizes"]
    assert chunks[0] == 1 and chunks[2:] == (100_000, 3)
    assert 8 * np.prod(chunks) <= fit_file.CHUNK_MAX_BYTES < 8 * np.prod(chunks) + 8 * 300_000
