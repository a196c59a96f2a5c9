"""Coverage and simulation-based calibration on a conjugate normal model whose exact posterior is known.

Truth ``theta ~ Normal(0, 1)``, one observation ``y ~ Normal(theta, 1)``: the posterior is
``Normal(y / 2, 1 / 2)``. Draws from it are calibrated; draws from a posterior three times too narrow
(overconfident) or shifted by one sd are not, and must fail.
"""

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from zsneq.analysis.calibration import (
    MIN_SBC_REPLICATES,
    batching_table,
    clopper_pearson,
    coverage_table,
    pit_values,
    replicate_rows,
    sbc_table,
    sbc_variants,
    thinned,
)
from zsneq.core.dataset import Truth

LEVELS = [0.5, 0.8, 0.94]
RANK_DRAWS = 50


def conjugate_replicates(n_reps: int, *, scale: float = 1.0, shift: float = 0.0, seed: int = 0) -> pd.DataFrame:
    """Replicate rows of a (possibly miscalibrated) exact posterior in the shape ``replicate_rows`` gives."""
    rng = np.random.default_rng(seed)
    frames = []
    for rep in range(n_reps):
        theta = rng.standard_normal(2)  # two "parameters" so the Bonferroni split is exercised
        y = theta + rng.standard_normal(2)
        sd = np.sqrt(0.5) * scale
        draws = y / 2 + shift * np.sqrt(0.5) + sd * rng.standard_normal((2, 200, 2))  # (chain, draw, predictor)
        posterior = xr.Dataset(
            {"beta": (("chain", "draw", "predictor"), draws),
             "tau": (("chain", "draw", "predictor"), np.abs(draws) + 1.0),
             "sigma": (("chain", "draw"), draws[..., 0] * 0 + 1.0 + 0.1 * rng.standard_normal((2, 200)))},
            coords={"predictor": ["x1", "x2"]},
        )
        truth = Truth(beta=theta, tau=np.abs(theta) + 1.0, sigma=1.0 + 0.1 * rng.standard_normal(),
                      beta_g=np.vstack([theta, theta]), predictors=["x1", "x2"])
        rows = replicate_rows(posterior, truth, LEVELS, RANK_DRAWS)
        rows.insert(0, "scenario", "conj")
        rows.insert(1, "rep", rep)
        rows.insert(2, "variant", "exact" if scale == 1 and shift == 0 else "wrong")
        rows["divergences"] = 0
        rows["compile_seconds"] = 1.0
        rows["compile_reused"] = rep > 0
        frames.append(rows)
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def calibrated():
    return conjugate_replicates(200)


def test_thinned_keeps_evenly_spaced_draws_across_chains():
    draws = np.arange(2 * 10).reshape(2, 10)
    assert thinned(draws, 5).tolist() == [0, 4, 8, 12, 16]
    with pytest.raises(ValueError, match="cannot keep 30"):
        thinned(draws, 30)


def test_pit_values_are_uniform_for_uniform_ranks():
    ranks = np.random.default_rng(1).integers(0, RANK_DRAWS + 1, size=20_000)
    pit = pit_values(ranks, RANK_DRAWS)
    assert 0 < pit.min() and pit.max() < 1
    assert np.histogram(pit, bins=10, range=(0, 1))[0] == pytest.approx(np.full(10, 2000), rel=0.1)


def test_replicate_rows_rank_and_intervals():
    draws = np.linspace(-1, 1, 400).reshape(2, 200)
    posterior = xr.Dataset({"sigma": (("chain", "draw"), draws)})
    truth = Truth(beta=np.array([]), tau=np.array([]), sigma=0.0, beta_g=np.zeros((2, 0)), predictors=[])
    row = replicate_rows(posterior, truth, [0.5], 100).iloc[0]
    assert row["rank"] == 50  # half of the 100 thinned draws lie below 0
    assert row["lower_50"] == pytest.approx(-0.5, abs=0.01) and row["upper_50"] == pytest.approx(0.5, abs=0.01)


def test_clopper_pearson_matches_known_values():
    lo, hi = clopper_pearson(7, 10)
    assert (round(lo, 4), round(hi, 4)) == (0.3475, 0.9333)
    assert clopper_pearson(0, 10)[0] == 0.0 and clopper_pearson(10, 10)[1] == 1.0


def test_coverage_of_the_exact_posterior_is_nominal(calibrated):
    cov = coverage_table(calibrated, LEVELS)
    beta = cov[cov["parameter"].str.startswith("beta")]
    assert set(beta["truth_kind"]) == {"target", "population"}
    assert set(cov.loc[~cov["parameter"].str.startswith("beta"), "truth_kind"]) == {"target"}
    assert cov["targeted"].equals(cov["truth_kind"] == "target")
    target = beta[beta["truth_kind"] == "target"]
    assert ((target["ci_lower"] <= target["level"]) & (target["level"] <= target["ci_upper"])).all()
    assert (target["n"] == 200).all()
    assert target["se"].to_numpy() == pytest.approx(
        np.sqrt(target["coverage"] * (1 - target["coverage"]) / 200).to_numpy())


def test_coverage_of_an_overconfident_posterior_is_too_low():
    cov = coverage_table(conjugate_replicates(100, scale=1 / 3), LEVELS)
    beta = cov[cov["parameter"].str.startswith("beta") & cov["targeted"]]
    assert (beta["ci_upper"] < beta["level"]).all()


def test_sbc_passes_the_exact_posterior(calibrated):
    sbc = sbc_table(calibrated, ["conj"], alpha=0.05)
    beta = sbc[sbc["parameter"].str.startswith("beta")]
    assert beta["passes"].all()
    assert (sbc["band_prob"] == 1 - 0.05 / 5).all()  # Bonferroni over 5 parameters


@pytest.mark.parametrize(("kwargs", "why"), [({"scale": 1 / 3}, "overconfident"), ({"shift": 1.0}, "biased")])
def test_sbc_fails_a_miscalibrated_posterior(kwargs, why):
    sbc = sbc_table(conjugate_replicates(100, **kwargs), ["conj"], alpha=0.05)
    beta = sbc[sbc["parameter"].str.startswith("beta")]
    assert (beta["passes"] == False).all(), why  # noqa: E712
    assert (beta["points_outside"] > 0).all()
    verdict = sbc_variants(sbc)
    assert verdict["passes"].tolist() == [False]
    assert "beta[x1]" in verdict["failing"].iloc[0]
    if "shift" in kwargs:  # posterior too high: the truth ranks low
        assert (beta["mean_pit"] < 0.4).all()


def test_sbc_gives_no_verdict_on_too_few_replicates():
    sbc = sbc_table(conjugate_replicates(MIN_SBC_REPLICATES - 1), ["conj"], alpha=0.05)
    assert sbc["passes"].isna().all()
    assert sbc_variants(sbc)["passes"].isna().all()


def test_sbc_only_scores_prior_scenarios(calibrated):
    assert sbc_table(calibrated, ["other"], alpha=0.05).empty


def test_batching_table_counts_compiles_and_savings(calibrated):
    table = batching_table(calibrated).iloc[0]
    assert (table["fits"], table["compiles"]) == (200, 1)
    assert table["saved_seconds"] == pytest.approx(199 * 1.0 - 199 * 1.0)  # swaps cost as much as compiles here
