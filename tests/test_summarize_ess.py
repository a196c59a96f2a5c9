"""The vectorized ESS and MCSE of the mean (analysis.ess) against arviz_stats, quantity by quantity."""

import arviz_stats as azs
import numpy as np
import pytest
import xarray as xr

from zsneq.analysis.ess import ess_bulk_array, ess_mean, ess_mean_array, mcse_mean


def _ar1(rng, phi, chains, draws, n):
    x = np.empty((n, chains, draws))
    x[..., 0] = rng.normal(size=(n, chains))
    for t in range(1, draws):
        x[..., t] = phi[:, None] * x[..., t - 1] + rng.normal(size=(n, chains))
    return x


@pytest.mark.parametrize("chains,draws", [(4, 1000), (2, 100), (1, 57), (3, 4), (2, 5), (2, 7), (4, 8)])
def test_ess_of_the_mean_is_arviz_stats_one_quantity_at_a_time(chains, draws):
    rng = np.random.default_rng(chains * 1000 + draws)
    phi = np.linspace(-0.9, 0.97, 40)  # antithetic to strongly autocorrelated chains
    x = _ar1(rng, phi, chains, draws, len(phi))
    x[3] = 2.5  # a constant quantity
    x[7, 0, 1] = np.nan  # a quantity with a missing draw
    x[9, -1] += 30.0  # one chain far off: between-chain variance dominates
    ours = ess_mean_array(x)
    theirs = np.array([float(azs.ess(x[i], method="mean")) for i in range(len(x))])
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, equal_nan=True)
    assert np.isnan(ours[7]) and ours[3] == chains * 2 * (draws // 2)  # split chains drop an odd middle draw


def test_ess_and_mcse_keep_the_dims_and_coords_and_match_arviz():
    rng = np.random.default_rng(1)
    x = _ar1(rng, np.full(12, 0.6), 4, 300, 12).reshape(3, 4, 4, 300)
    draws = xr.DataArray(np.moveaxis(x, (2, 3), (0, 1)), dims=("chain", "draw", "group", "predictor"),
                         coords={"group": ["a", "b", "c"], "predictor": ["x1", "x2", "x3", "x4"]})
    ess = ess_mean(draws)
    assert ess.dims == ("group", "predictor") and list(ess.coords["group"].values) == ["a", "b", "c"]
    xr.testing.assert_allclose(ess, azs.ess(draws, method="mean"), rtol=1e-10)
    xr.testing.assert_allclose(mcse_mean(draws), azs.mcse(draws, method="mean"), rtol=1e-10)


def test_loo_relative_ess_is_arviz_stats_default():
    """``arviz_stats.loo`` with our relative ESS gives what it gives with its own default (reff=None)."""
    from arviz_stats.loo.loo_helper import _get_r_eff

    rng = np.random.default_rng(2)
    posterior = xr.Dataset({
        "beta": (("chain", "draw", "predictor"), rng.normal(size=(4, 200, 3)).cumsum(axis=1) * 0.1),
        "beta_g": (("chain", "draw", "group", "predictor"), rng.normal(size=(4, 200, 30, 3))),
        "sigma": (("chain", "draw"), rng.gamma(2.0, size=(4, 200))),
    })
    from zsneq.analysis.ess import loo_relative_ess

    assert loo_relative_ess(posterior) == pytest.approx(_get_r_eff(xr.DataTree.from_dict({"posterior": posterior}),
                                                                   4 * 200), rel=1e-10)


@pytest.mark.parametrize("chains,draws", [(4, 200), (2, 100), (1, 57), (3, 4), (2, 7)])
def test_bulk_ess_is_arviz_stats_one_quantity_at_a_time(chains, draws):
    rng = np.random.default_rng(chains * 100 + draws)
    phi = np.linspace(-0.9, 0.97, 30)
    x = np.exp(_ar1(rng, phi, chains, draws, len(phi)))  # skewed: the normal scores differ from the values
    x[3] = 2.5
    x[7, 0, 1] = np.nan
    x[11, 0, :2] = x[11, 0, 2]  # ties share an average rank
    ours = ess_bulk_array(x)
    theirs = np.array([float(azs.ess(x[i], method="bulk")) for i in range(len(x))])
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, equal_nan=True)
