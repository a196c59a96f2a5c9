"""Coverage and simulation-based calibration on a conjugate normal model whose exact posterior is known.

Truth ``theta ~ Normal(0, 1)``, one observation ``y ~ Normal(theta, 1)``: the posterior is
``Normal(y / 2, 1 / 2)``. Draws from it are calibrated; draws from a posterior three times too narrow
(overconfident) or shifted by one sd are not, and must fail. Samplers are simulated too: AR(1) chains of
the exact posterior, so that thousands of studies of two samplers of one posterior measure the rules'
false-alarm rates through the same ranking and tests the workflow uses.
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
    ecdf_band,
    ecdf_counts,
    ecdf_pvalues,
    family_false_alarm_rate,
    paired_pit_test,
    pit_values,
    sbc_band,
    sbc_paired_table,
    sbc_table,
    sbc_variants,
)
from zsneq.analysis.replicates import fit_ranks, replicate_rows, thinned_ranks
from zsneq.core.dataset import Truth

LEVELS = [0.5, 0.8, 0.94]
RANK_DRAWS = 50


def ar1(rng, shape, rho: float) -> np.ndarray:
    """Standard normal AR(1) chains along the last axis of ``shape``, started in the stationary law:
    draws of ``Normal(0, 1)`` by a sampler with lag-one autocorrelation ``rho``."""
    z = np.empty(shape)
    z[..., 0] = rng.standard_normal(shape[:-1])
    for t in range(1, shape[-1]):
        z[..., t] = rho * z[..., t - 1] + np.sqrt(1 - rho**2) * rng.standard_normal(shape[:-1])
    return z


def conjugate_replicates(n_reps: int, *, scale: float = 1.0, shift: float = 0.0, seed: int = 0,
                         draw_seed: int | None = None, variant: str | None = None,
                         truth_shift: float = 0.0, sticky: int = 0) -> pd.DataFrame:
    """Replicate rows of a (possibly miscalibrated) exact posterior in the shape ``replicate_rows`` gives.

    ``draw_seed``: posterior draws from their own generator (the datasets then depend on ``seed``
    only, so two variants can be fitted to the same datasets). ``truth_shift``: truths drawn from
    ``Normal(truth_shift, 1)`` instead of the prior (an unlucky, shared set of datasets). ``sticky``:
    every ``sticky``-th replicate's beta draws come from chains that barely move (AR(1), 0.98: ESS about 4).
    """
    rng = np.random.default_rng(seed)
    draw_rng = rng if draw_seed is None else np.random.default_rng(draw_seed)
    frames = []
    for rep in range(n_reps):
        theta = truth_shift + rng.standard_normal(2)  # two "parameters" so the Bonferroni split is exercised
        y = theta + rng.standard_normal(2)
        sd = np.sqrt(0.5) * scale
        noise = draw_rng.standard_normal((2, 200, 2))  # (chain, draw, predictor)
        if sticky and rep % sticky == 0:
            noise = np.moveaxis(ar1(draw_rng, (2, 2, 200), 0.98), 1, 2)
        draws = y / 2 + shift * np.sqrt(0.5) + sd * noise
        posterior = xr.Dataset(
            {"beta": (("chain", "draw", "predictor"), draws),
             "tau": (("chain", "draw", "predictor"), np.abs(draws) + 1.0),
             "sigma": (("chain", "draw"), draws[..., 0] * 0 + 1.0 + 0.1 * draw_rng.standard_normal((2, 200)))},
            coords={"predictor": ["x1", "x2"]},
        )
        truth = Truth(beta=theta, tau=np.abs(theta) + 1.0, sigma=1.0 + 0.1 * rng.standard_normal(),
                      beta_g=np.vstack([theta, theta]), predictors=["x1", "x2"])
        rows = replicate_rows(posterior, truth, LEVELS, RANK_DRAWS)
        rows.insert(0, "scenario", "conj")
        rows.insert(1, "rep", rep)
        rows.insert(2, "variant", variant or ("exact" if scale == 1 and shift == 0 else "wrong"))
        rows["divergences"] = 0
        rows["compile_seconds"] = 1.0
        rows["compile_reused"] = rep > 0
        frames.append(rows)
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def calibrated():
    return conjugate_replicates(200)


def test_thinned_ranks_keep_evenly_spaced_draws_across_chains_and_fewer_when_ess_is_low():
    draws = np.arange(2 * 10).reshape(2, 10)
    rank, kept = thinned_ranks(draws, 8.5, 400.0, 5)  # among draws 0, 4, 8, 12, 16
    assert (rank, kept) == (3, 5)
    rank, kept = thinned_ranks(draws, 8.5, 2.7, 5)  # ESS 2.7: among 2 draws, 0 and 10
    assert (rank, kept) == (1, 2)
    ranks, kept = thinned_ranks(np.stack([draws, draws]), np.array([8.5, 19.5]), np.array([np.nan, 7.0]), 5)
    assert ranks.tolist() == [1, 5] and kept.tolist() == [1, 5]  # an undefined ESS: among one draw
    with pytest.raises(ValueError, match="cannot keep 30"):
        thinned_ranks(draws, 0.0, 400.0, 30)


def test_pit_values_are_uniform_for_uniform_ranks_whatever_the_draws_ranked_among():
    rng = np.random.default_rng(1)
    ranked = rng.choice([1, 7, RANK_DRAWS], size=20_000)
    pit = pit_values(rng.integers(0, ranked + 1), ranked, rng.uniform(size=ranked.size))
    assert 0 < pit.min() and pit.max() < 1
    assert np.histogram(pit, bins=10, range=(0, 1))[0] == pytest.approx(np.full(10, 2000), rel=0.1)


def test_replicate_rows_rank_and_intervals():
    draws = np.random.default_rng(0).permutation(np.linspace(-1, 1, 400)).reshape(2, 200)  # well mixed
    posterior = xr.Dataset({"sigma": (("chain", "draw"), draws)})
    truth = Truth(beta=np.array([]), tau=np.array([]), sigma=0.0, beta_g=np.zeros((2, 0)), predictors=[])
    row = replicate_rows(posterior, truth, [0.5], 100).iloc[0]
    assert row["ess_bulk"] > 100 and row["ranked_draws"] == 100
    assert row["rank"] == (draws.ravel()[::4] < 0).sum()  # among every 4th draw, chains end to end
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


def test_sbc_family_wise_false_alarm_rate_is_at_most_alpha():
    """100,000 calibrated variants, each 5 independent sets of 200 uniform PIT values (the band's worst case:
    Bonferroni is exact only for independent parameters): the rule fails between 3% and 5% of them."""
    rate = family_false_alarm_rate(100_000, 200, 5, 0.05, seed=2024)
    assert 0.03 <= rate <= 0.05, rate


def test_ecdf_counts_and_band_agree_with_the_p_value():
    pits = np.array([[0.05, 0.3, 0.3, 0.9]])
    assert ecdf_counts(pits).tolist() == [[1, 3, 3]]  # u <= 1/4, 2/4, 3/4
    rng = np.random.default_rng(5)
    sets = rng.uniform(size=(300, 100)) ** rng.uniform(0.6, 1.6, size=(300, 1))  # some far from uniform
    p = ecdf_pvalues(sets)
    outside = np.array([ecdf_band(x, 0.99)["points_outside"] > 0 for x in sets])
    assert 0.1 < outside.mean() < 0.9
    assert np.array_equal(outside, p <= 0.01)  # leaving the band is the same event as p <= 1 - prob
    points, lower, upper = sbc_band(100, 0.99)
    assert (lower <= points).all() and (points <= upper).all() and lower[0] == 0 and upper[-1] == 1


def test_differential_sbc_tells_a_shared_bad_set_of_datasets_from_a_wrong_variant():
    """Truths drawn off the prior fail the absolute SBC of every variant alike; the paired comparison with
    the reference on the same datasets does not flag an equivalent variant, and does flag a biased one that
    the absolute SBC lets pass on some parameter."""
    unlucky = {"n_reps": 200, "truth_shift": 0.5}
    ref = conjugate_replicates(**unlucky, draw_seed=1, variant="ref")
    same = conjugate_replicates(**unlucky, draw_seed=2, variant="same")
    reps = pd.concat([ref, same], ignore_index=True)
    sbc = sbc_table(reps, ["conj"], alpha=0.05)
    paired = sbc_paired_table(reps, ["conj"], "ref", alpha=0.05)
    verdict = sbc_variants(sbc, paired).set_index("variant")
    assert not verdict.loc["ref", "passes"] and not verdict.loc["same", "passes"]  # both fail the absolute SBC
    assert verdict.loc["same", "paired_differs"] == False and verdict.loc["same", "min_p_paired"] > 0.01  # noqa: E712
    assert pd.isna(verdict.loc["ref", "paired_differs"])

    fair = {"n_reps": 200}
    reps = pd.concat([conjugate_replicates(**fair, draw_seed=1, variant="ref"),
                      conjugate_replicates(**fair, draw_seed=3, variant="shifted", shift=0.3)], ignore_index=True)
    sbc = sbc_table(reps, ["conj"], alpha=0.05).set_index(["variant", "parameter"])
    paired = sbc_paired_table(reps, ["conj"], "ref", alpha=0.05).set_index("parameter")
    assert sbc.loc[("shifted", "beta[x2]"), "passes"]  # 0.3 posterior sd of bias: within the absolute band
    assert paired.loc["beta[x2]", "paired_differs"] and paired.loc["beta[x2]", "mean_pit_diff"] < 0
    assert paired.loc["beta[x2]", "p_paired"] < 1e-6


def test_chains_that_barely_moved_are_thinned_to_their_ess_not_left_out():
    """The same model sampled well by the variant and, in every fifth replicate, by chains that barely move
    in the reference (bulk ESS a few draws): those replicates' ranks are taken among as many draws as the
    ESS, and every pair enters. Neither the reference's SBC nor the paired comparison flags anything;
    the same chains ranked among all L thinned draws, as before, pile the truths' ranks at the ends."""
    ref = conjugate_replicates(200, seed=1, draw_seed=3, variant="ref", sticky=5)
    same = conjugate_replicates(200, seed=1, draw_seed=4, variant="same")
    sticky = (ref["rep"] % 5 == 0) & (ref["parameter"] != "sigma")  # beta and tau = |beta| + 1
    beta = sticky & ref["parameter"].str.startswith("beta")
    assert (ref.loc[beta, "ranked_draws"] < RANK_DRAWS).all() and ref.loc[beta, "ranked_draws"].median() < 10
    assert (ref.loc[~sticky, "ranked_draws"] == RANK_DRAWS).all()
    reps = pd.concat([ref, same], ignore_index=True)
    sbc = sbc_table(reps, ["conj"], alpha=0.05).set_index(["variant", "parameter"])
    assert sbc.loc[("ref", "beta[x1]"), "low_ess"] == 40 and sbc["passes"].all()
    paired = sbc_paired_table(reps, ["conj"], "ref", alpha=0.05).set_index("parameter")
    assert paired.loc["beta[x1]", "n_low_ess"] == 40 and paired.loc["beta[x1]", "n_pairs"] == 200
    assert not paired["paired_differs"].any()
    rng = np.random.default_rng(0)
    chains, truth, jitter = ar1(rng, (400, 2, 200), 0.98), rng.standard_normal(400), rng.uniform(size=400)
    among_all, _ = thinned_ranks(chains, truth, np.inf, RANK_DRAWS)
    assert np.mean((among_all == 0) | (among_all == RANK_DRAWS)) > 0.1  # 2 / 51 if uniform
    assert ecdf_pvalues(pit_values(among_all, RANK_DRAWS, jitter))[0] < 1e-4
    among_ess, kept, _ = fit_ranks(chains, truth, RANK_DRAWS)
    assert np.median(kept) < 10 and ecdf_pvalues(pit_values(among_ess, kept, jitter))[0] > 0.05


SAMPLED = {"reps": 20, "params": 3, "chains": 2, "draws": 100, "rank_draws": 50}  # a small SBC study


def sampled_pits(rng, studies: int, samplers, *, reps, params, chains, draws, rank_draws) -> list[np.ndarray]:
    """PIT values ``(studies, params, reps)`` of simulated SBC studies of the conjugate normal model, one array
    per sampler ``(rho, scale)``: every fit draws AR(1) chains of ``Normal(y / 2, scale^2 / 2)`` (the exact
    posterior when ``scale`` is 1) and is ranked as the workflow ranks a fit (``fit_ranks``: bulk ESS, thinning)
    and turned into PIT values with one ``U`` per fit (``pit_values``). Samplers fit the same datasets."""
    theta = rng.standard_normal((studies, params, reps))
    mean = (theta + rng.standard_normal(theta.shape)) / 2
    out = []
    for rho, scale in samplers:
        chains_ = mean[..., None, None] + np.sqrt(0.5) * scale * ar1(rng, (*mean.shape, chains, draws), rho)
        rank, kept, _ = fit_ranks(chains_, theta, rank_draws)
        out.append(pit_values(rank, kept, rng.uniform(size=(studies, 1, reps))))
    return out


def alarm_rates(samplers, studies: int, alpha: float, seed: int, chunk: int = 250, **study) -> dict:
    """Share of simulated studies in which the rules raise an alarm on some parameter (p <= alpha / K): the
    paired test of the second sampler against the first (``paired``), the absolute SBC of each (``absolute``)."""
    study = SAMPLED | study
    rng = np.random.default_rng(seed)
    threshold = alpha / study["params"]
    paired, absolute = 0, np.zeros(len(samplers), dtype=int)
    for start in range(0, studies, chunk):
        n = min(chunk, studies - start)
        pits = sampled_pits(rng, n, samplers, **study)
        paired += int((paired_pit_test(pits[1], pits[0])["p_paired"] <= threshold).any(axis=1).sum())
        for i, pit in enumerate(pits):
            p = ecdf_pvalues(pit.reshape(-1, study["reps"])).reshape(n, study["params"])
            absolute[i] += int((p <= threshold).any(axis=1).sum())
    return {"paired": paired / studies, "absolute": (absolute / studies).tolist()}


def test_family_wise_false_alarm_rates_of_an_equivalent_pair_sampled_differently_are_near_alpha():
    """2000 simulated studies (20 replicates, 3 parameters; exact posterior): the reference's sampler draws
    independently, the variant's mixes slowly (AR(1), 0.9: bulk ESS about 10 of 200 draws, so its fits are
    ranked among about 10 draws, the reference's among 50). Neither the paired test nor either absolute SBC
    may raise an alarm in more than alpha of the studies, nor in much fewer (a test that never fires has no
    power): each rate lies in [0.6 alpha, alpha], widened by two binomial standard errors (0.0049 at 2000
    studies) for the Monte Carlo error of the estimate."""
    alpha, studies = 0.05, 2000
    rates = alarm_rates([(0.0, 1.0), (0.9, 1.0)], studies, alpha, seed=11)
    print(f"family-wise false-alarm rates, alpha {alpha}: {rates}")
    tolerance = 2 * np.sqrt(alpha * (1 - alpha) / studies)
    for rate in [rates["paired"], *rates["absolute"]]:
        assert 0.6 * alpha - tolerance <= rate <= alpha + tolerance, rates


def test_paired_sbc_flags_a_posterior_one_and_a_half_times_too_wide():
    """The variant's posterior sd 1.5 times the exact one (underconfident), sampled slowly as above, in 200
    studies of 50 replicates: the paired test flags it in most (measured 0.62), the variant's absolute SBC
    in far fewer (0.26). Its power is bounded by the slow sampler's ranks among about 13 draws."""
    rates = alarm_rates([(0.0, 1.0), (0.9, 1.5)], 200, 0.05, seed=12, reps=50)
    print(f"alarm rates, posterior sd 1.5x, 50 replicates: {rates}")
    assert rates["paired"] >= 0.45 and rates["paired"] > rates["absolute"][1] + 0.2


def test_sbc_only_scores_prior_scenarios(calibrated):
    assert sbc_table(calibrated, ["other"], alpha=0.05).empty


def test_batching_table_counts_compiles_and_savings(calibrated):
    table = batching_table(calibrated).iloc[0]
    assert (table["fits"], table["compiles"]) == (200, 1)
    assert table["saved_seconds"] == pytest.approx(199 * 1.0 - 199 * 1.0)  # swaps cost as much as compiles here
