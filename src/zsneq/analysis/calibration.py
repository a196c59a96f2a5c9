"""Calibration across replicates: coverage of central intervals and simulation-based calibration.

One dataset cannot tell bad luck from a wrong model; many replicates can.

- **Per replicate** (``zsneq.analysis.replicates``, read from the fits with the summaries): for every fit and top-level parameter, the central
  (equal-tailed) posterior intervals at each level, the bulk ESS, and the rank of the truth among the
  fit's draws thinned to about independent ones (``fit_ranks``). Ranks of autocorrelated draws are
  not uniform even for a correct model (draws that move together pile the truth's rank at the ends;
  Talts et al. 2018, "Validating Bayesian inference algorithms with simulation-based calibration",
  on autocorrelation), so each fit is thinned to its effective draws: ``L_i = min(L, floor(ESS))``
  draws (column ``ranked_draws``; ``L`` is ``rank_draws``) with stride ``total // L_i`` through the
  chains laid end to end, at least ``total / ESS`` draws apart. ESS is ArviZ's bulk ESS of that
  parameter in that fit (``zsneq.analysis.ess.ess_bulk_array``). A well-mixed fit keeps ``L``
  draws; none is left out for low ESS.
- **Coverage** (``coverage_table``): per scenario, variant, parameter and level, the share of
  replicates whose central interval contains the truth, with a 95% Clopper-Pearson interval. beta is
  scored against two truths: the *target* (the mean of the simulated groups' slopes, which is what a
  model with zero-sum group offsets estimates) and the *population* mean the generator drew the
  groups around; tau and sigma have one truth, the simulated value.
- **Simulation-based calibration** (``sbc_table``), for scenarios whose truths are drawn from the
  intended model's prior (``truth: prior``): if a variant implements that model, the rank of each
  truth among ``L_i`` independent posterior draws is uniform on ``0..L_i``. Ranks become PIT values
  ``u = (rank + U) / (L_i + 1)`` with ``U ~ Uniform(0, 1)`` (randomized, so ``u`` is exactly uniform
  under calibration whatever ``L_i``: fits ranked among different numbers of draws share one scale).
  ``U`` is seeded by the replicate and the variant (``fit_jitter``), so a fit's PIT values depend on
  that fit alone. Their ECDF is scored by the statistic ArviZ's simultaneous band is built on
  (``arviz_stats.ecdf_utils.ecdf_pit``): ``T``, the smallest binomial tail probability of the ECDF
  over the evaluation points ``i / n``. Its null distribution for ``n`` replicates is simulated once
  (``N_NULL`` uniform PIT sets, fixed seed) and gives a p-value ``p_ecdf``; the simultaneous band of
  probability ``prob`` (``sbc_band``, drawn in the figures) is exactly the set of ECDFs with
  ``p_ecdf > 1 - prob``, so leaving the band and a small p-value are the same event. (ArviZ's own band
  from 1000 simulations let 1.3% of uniform PIT sets out at ``prob = 0.99``.)

  **Rule**: a parameter *fails* when ``p_ecdf <= alpha / K``, where ``K`` is the number of top-level
  parameters (Bonferroni, so a calibrated variant fails on some parameter with probability at most
  ``alpha``); a variant passes when none of its parameters fails. Fewer than
  ``MIN_SBC_REPLICATES`` successful fits give no verdict. ``low_ess`` counts the replicates ranked
  among fewer than ``L`` draws.
- **Differential SBC** (``sbc_paired_table``): every variant is fitted to the same datasets as the
  reference, so a bad set of datasets affects both alike. Per replicate, the variant's and the
  reference's PIT values of the same truth are paired (PIT, not ranks: the two fits may be ranked
  among different numbers of draws); two Wilcoxon signed-rank tests ask whether the variant's sit
  lower or higher (``u - u_ref``: location) or further out in the tails
  (``|u - 1/2| - |u_ref - 1/2|``: over- or underconfidence) than the reference's. ``p_paired`` is
  the smaller p-value times two (Bonferroni over the two tests); ``paired_differs`` when
  ``p_paired <= alpha / K``. Every replicate both fitted enters, also those where a sampler mixed
  badly (thinned further, counted in ``n_low_ess``): leaving them out let each sampler choose its own
  pairs, and the datasets left out (for a hierarchical model, the small-tau ones a tau-prior error
  shows on) were those that matter.

  **Measured** (``tests/test_calibration.py``; conjugate normal model, exact posterior, samplers
  simulated as AR(1) chains, fits ranked by ``fit_ranks`` and tested by ``paired_pit_test`` and
  ``ecdf_pvalues`` as here): over 2000 simulated studies of 20 replicates and 3 parameters, a
  reference sampling independently (ranked among 50 draws) against the same posterior sampled with
  autocorrelation 0.9 (bulk ESS about 13 of 200 draws), the family-wise false-alarm rate at
  ``alpha = 0.05`` is 0.052 for the paired test and 0.047 / 0.055 for the two absolute SBCs (binomial
  standard error 0.005). Power against a variant whose posterior sd is 1.5 times too wide, sampled
  with autocorrelation 0.9, paired test: 0.25 / 0.62 / 0.95 of studies flagged at 20 / 50 / 100
  replicates with 2 chains of 100 draws (ranks among about 13 draws), 0.95 at 20 when the variant
  draws independently, 1.0 at 50 with 4 chains of 500 draws (0.985 for an sd 1.2 times too wide;
  the variant's absolute SBC: 0.09); 200-400 studies each. Thinning does not rescue chains whose
  ESS is only 2 or 3 draws: the ESS estimate itself is then too high, and the ranks still pile at
  the ends.
"""

from __future__ import annotations

import zlib
from functools import cache

import numpy as np
import pandas as pd

from zsneq.analysis.replicates import DEFAULTS as SCORING
from zsneq.analysis.replicates import level_name, sorted_rows
from zsneq.core.vocabulary import has_two_truths

DEFAULTS = {**SCORING, "alpha": 0.05}
MIN_SBC_REPLICATES = 10
N_NULL = 100_000  # simulated uniform PIT sets behind the null distribution of the ECDF statistic
NULL_SEED = 20_251  # fixed: p-values and bands are the same in every run
NULL_CHUNK = 10_000
JITTER_SEED = 20_252  # with (rep, variant): the U of a fit's PIT values
CI = 0.95  # binomial interval of a coverage


def clopper_pearson(covered: int, n: int, ci: float = CI) -> tuple[float, float]:
    """Exact binomial interval of a proportion (NaN, NaN when ``n == 0``)."""
    from scipy.stats import binomtest

    if n == 0:
        return float("nan"), float("nan")
    interval = binomtest(int(covered), int(n)).proportion_ci(ci, method="exact")
    return float(interval.low), float(interval.high)


TRUTH_KINDS = {"target": "target", "population": "truth"}


def coverage_table(replicates: pd.DataFrame, levels) -> pd.DataFrame:
    """Share of replicates whose central interval contains the truth, per scenario, variant, parameter, level.

    ``truth_kind`` is ``target`` (what the model estimates; for beta the simulated groups' mean
    slope) or ``population`` (beta only: the mean the groups were drawn around); ``targeted`` marks
    the one the model targets. ``se`` is the binomial standard error, ``ci_lower``/``ci_upper`` the
    95% Clopper-Pearson interval.
    """
    rows = []
    for (scenario, variant, parameter), sub in replicates.groupby(["scenario", "variant", "parameter"], sort=False):
        kinds = ["target", "population"] if has_two_truths(parameter) else ["target"]
        for kind in kinds:
            truth = sub[TRUTH_KINDS[kind]].to_numpy()
            for level in levels:
                name = level_name(level)
                inside = (sub[f"lower_{name}"].to_numpy() <= truth) & (truth <= sub[f"upper_{name}"].to_numpy())
                n, covered = len(sub), int(inside.sum())
                share = covered / n if n else float("nan")
                lo, hi = clopper_pearson(covered, n)
                rows.append({
                    "scenario": scenario, "variant": variant, "parameter": parameter, "truth_kind": kind,
                    "targeted": kind == "target", "level": float(level), "n": n, "covered": covered,
                    "coverage": share, "se": float(np.sqrt(share * (1 - share) / n)) if n else float("nan"),
                    "ci_lower": lo, "ci_upper": hi,
                })
    columns = ["scenario", "variant", "parameter", "truth_kind", "targeted", "level", "n", "covered", "coverage",
               "se", "ci_lower", "ci_upper"]
    if not rows:
        return pd.DataFrame(columns=columns)
    return sorted_rows(pd.DataFrame(rows, columns=columns), ["scenario", "variant", "parameter", "truth_kind", "level"])


def pit_values(ranks, ranked_draws, jitter) -> np.ndarray:
    """Randomized PIT of ranks on ``0..L_i``: ``(rank + U) / (L_i + 1)``, exactly uniform under calibration
    whatever ``L_i``; ``jitter`` holds the ``U ~ Uniform(0, 1)``."""
    return (np.asarray(ranks, dtype=float) + jitter) / (np.asarray(ranked_draws, dtype=float) + 1)


def fit_jitter(reps, variants) -> np.ndarray:
    """The ``U`` of each fit (replicate, variant): seeded by the two, so a fit's PIT values depend on that fit
    alone, and two variants' on the same replicate are independent."""
    keys = pd.DataFrame({"rep": np.asarray(reps, dtype=int), "variant": np.asarray(variants, dtype=str)})
    unique = keys.drop_duplicates()
    draws = {(r, v): np.random.default_rng([JITTER_SEED, r, zlib.crc32(v.encode())]).uniform()
             for r, v in unique.itertuples(index=False)}
    return np.array([draws[k] for k in keys.itertuples(index=False, name=None)])


def replicate_pits(replicates: pd.DataFrame) -> np.ndarray:
    """PIT value of each row of ``replicates`` (``rank`` among ``ranked_draws``, or among ``rank_draws``
    in tables without it), with the fit's ``fit_jitter``."""
    kept = replicates["ranked_draws"] if "ranked_draws" in replicates else replicates["rank_draws"]
    return pit_values(replicates["rank"].to_numpy(), kept.to_numpy(),
                      fit_jitter(replicates["rep"].to_numpy(), replicates["variant"].to_numpy()))


@cache
def _tail_table(n: int) -> np.ndarray:
    """``(n - 1, n + 1)``: at evaluation point ``i / n`` and ECDF count ``c``, the smaller binomial tail
    probability ``min(P(X <= c), P(X >= c))`` of ``X ~ Binomial(n, i / n)`` (the uniform ECDF's count)."""
    from scipy.special import bdtr

    points = np.arange(1, n) / n
    counts = np.arange(n + 1)
    lower = bdtr(counts[None, :], n, points[:, None])
    upper = 1 - bdtr(counts[None, :] - 1, n, points[:, None])
    upper[:, 0] = 1.0
    return np.minimum(lower, upper)


def ecdf_counts(pits: np.ndarray) -> np.ndarray:
    """ECDF counts ``#{u <= i / n}`` at ``i = 1..n-1`` of each row of ``pits`` (sets of ``n`` PIT values)."""
    pits = np.atleast_2d(np.asarray(pits, dtype=float))
    sets, n = pits.shape
    bins = np.clip(np.ceil(pits * n).astype(int) - 1, 0, n - 1)  # u in ((b) / n, (b + 1) / n] -> b
    flat = np.bincount((bins + n * np.arange(sets)[:, None]).ravel(), minlength=sets * n).reshape(sets, n)
    return np.cumsum(flat, axis=1)[:, :-1]


def ecdf_statistics(pits: np.ndarray) -> np.ndarray:
    """``T`` of each row of ``pits``: the smallest binomial tail probability of its ECDF (small: far from uniform)."""
    counts = ecdf_counts(pits)
    table = _tail_table(counts.shape[1] + 1)
    return table[np.arange(counts.shape[1])[None, :], counts].min(axis=1)


@cache
def null_statistics(n: int) -> np.ndarray:
    """Sorted ``T`` of ``N_NULL`` sets of ``n`` uniform PIT values (fixed seed)."""
    rng = np.random.default_rng([NULL_SEED, n])
    parts = [ecdf_statistics(rng.uniform(size=(min(NULL_CHUNK, N_NULL - i), n))) for i in range(0, N_NULL, NULL_CHUNK)]
    return np.sort(np.concatenate(parts))


def ecdf_pvalues(pits: np.ndarray) -> np.ndarray:
    """P-value of each row of ``pits`` under uniformity: ``(1 + #{T_null <= T}) / (N_NULL + 1)``."""
    stats = ecdf_statistics(pits)
    null = null_statistics(np.atleast_2d(pits).shape[1])
    return (1 + np.searchsorted(null, stats, side="right")) / (len(null) + 1)


def _threshold(n: int, prob: float) -> float:
    """The largest ``t`` with p-value ``(1 + #{T_null <= t}) / (N + 1) <= 1 - prob`` (-1: none)."""
    null = null_statistics(n)
    k = int(np.floor((1 - prob) * (len(null) + 1))) - 1  # at most k null values may lie at or below t
    if k < 0:
        return -1.0
    return float(np.nextafter(null[k], -np.inf)) if k < len(null) else 1.0


def sbc_band(n: int, prob: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simultaneous band of probability ``prob`` for the ECDF of ``n`` uniform PIT values.

    Returns ``(points, lower, upper)`` at ``0, 1/n, ..., 1``: an ECDF stays inside (``lower <= ecdf <=
    upper`` everywhere) exactly when its ``p_ecdf > 1 - prob``.
    """
    table, t = _tail_table(n), _threshold(n, prob)
    allowed = table > t
    counts = np.arange(n + 1)
    lower = np.where(allowed, counts[None, :], n + 1).min(axis=1) / n
    upper = np.where(allowed, counts[None, :], -1).max(axis=1) / n
    points = np.arange(n + 1) / n
    return points, np.concatenate(([0.0], lower, [1.0])), np.concatenate(([0.0], upper, [1.0]))


def ecdf_band(pit: np.ndarray, prob: float) -> dict:
    """PIT ECDF against the simultaneous band of probability ``prob``: p-value, where and how far it leaves it."""
    pit = np.asarray(pit, dtype=float)
    n = len(pit)
    points, lower, upper = sbc_band(n, prob)
    ecdf = np.concatenate(([0.0], ecdf_counts(pit)[0] / n, [1.0]))
    below, above = np.clip(lower - ecdf, 0, None), np.clip(ecdf - upper, 0, None)
    return {
        "p_ecdf": float(ecdf_pvalues(pit)[0]),
        "points_outside": int(((below > 0) | (above > 0)).sum()),
        "max_excess": float(max(below.max(), above.max())),
        "max_abs_ecdf_diff": float(np.abs(ecdf - points).max()),
    }


def family_false_alarm_rate(n_sets: int, n: int, n_params: int, alpha: float, seed: int = 0) -> float:
    """Share of ``n_sets`` calibrated variants (``n_params`` independent uniform PIT sets of ``n`` each)
    that ``sbc_table``'s rule fails on some parameter: the measured family-wise false-alarm rate."""
    rng = np.random.default_rng(seed)
    chunk = max(1, NULL_CHUNK // n_params)
    alarms = 0
    for start in range(0, n_sets, chunk):
        size = min(chunk, n_sets - start)
        p = ecdf_pvalues(rng.uniform(size=(size * n_params, n))).reshape(size, n_params)
        alarms += int((p <= alpha / n_params).any(axis=1).sum())
    return alarms / n_sets


def sbc_table(replicates: pd.DataFrame, scenarios, alpha: float) -> pd.DataFrame:
    """Pass/fail per (scenario, variant, parameter) of simulation-based calibration (see module docstring).

    ``scenarios``: the scenarios whose truths are drawn from the prior. Columns: ``n`` successful
    fits, ``rank_draws`` L, ``band_prob``, ``p_ecdf`` (graded: the smaller, the less uniform the
    ranks), ``points_outside`` the band, ``max_excess`` beyond it, ``max_abs_ecdf_diff``,
    ``mean_pit`` (below 0.5: the truth tends to lie low in the posterior, i.e. the parameter is
    overestimated), ``low_ess`` replicates with bulk ESS below L (ranked among fewer draws, ``L_i < L``),
    ``divergent`` replicates, and ``passes`` (NA without a verdict).
    """
    columns = ["scenario", "variant", "parameter", "n", "rank_draws", "band_prob", "p_ecdf", "points_outside",
               "max_excess", "max_abs_ecdf_diff", "mean_pit", "low_ess", "divergent", "passes"]
    rows = []
    sub_all = replicates[replicates["scenario"].isin(list(scenarios))]
    for (scenario, variant), fits in sub_all.groupby(["scenario", "variant"], sort=False):
        n_params = fits["parameter"].nunique()
        prob = 1 - alpha / n_params
        for parameter, sub in fits.groupby("parameter", sort=False):
            sub = sub.sort_values("rep")
            L = int(sub["rank_draws"].iloc[0])
            pit = replicate_pits(sub)
            row = {"scenario": scenario, "variant": variant, "parameter": parameter, "n": len(sub), "rank_draws": L,
                   "band_prob": prob, "mean_pit": float(pit.mean()), "low_ess": int(_low_ess(sub).sum()),
                   "divergent": int((sub["divergences"] > 0).sum())}
            if len(sub) >= MIN_SBC_REPLICATES:
                row |= ecdf_band(pit, prob)
                row["passes"] = row["p_ecdf"] > 1 - prob
            else:
                row |= {"p_ecdf": float("nan"), "points_outside": None, "max_excess": float("nan"),
                        "max_abs_ecdf_diff": float("nan"), "passes": None}
            rows.append(row)
    if not rows:
        return pd.DataFrame(columns=columns)
    out = pd.DataFrame(rows, columns=columns)
    out["passes"] = out["passes"].astype("boolean")
    out["points_outside"] = out["points_outside"].astype("Int64")
    return sorted_rows(out, ["scenario", "variant", "parameter"])


def _low_ess(replicates: pd.DataFrame) -> np.ndarray:
    """Rows ranked among fewer than ``L`` draws (their bulk ESS below ``L``)."""
    if "ranked_draws" in replicates:
        return (replicates["ranked_draws"] < replicates["rank_draws"]).to_numpy()
    return np.zeros(len(replicates), dtype=bool)


PAIRED_COLUMNS = ["scenario", "variant", "reference", "parameter", "n_pairs", "n_low_ess", "mean_pit_diff",
                  "p_location", "mean_spread_diff", "p_spread", "p_paired", "paired_differs"]


def paired_pit_test(pit, pit_ref) -> dict:
    """Paired comparison of a variant's PIT values with the reference's on the same datasets (differential SBC).

    ``pit``, ``pit_ref``: shape ``(..., n)``, pairs along the last axis (tested row by row).
    ``mean_pit_diff``/``p_location``: Wilcoxon signed-rank test of ``u - u_ref`` (the variant's posterior
    sits higher or lower). ``mean_spread_diff``/``p_spread``: of ``|u - 1/2| - |u_ref - 1/2|`` (positive: the
    truth lies further out in the variant's posterior, i.e. it is overconfident).
    ``p_paired = min(1, 2 * min(p_location, p_spread))``. Pairs with no difference carry no information and
    are dropped (Wilcoxon's ``zero_method='wilcox'``); no pair at all gives p-values of 1.
    """
    from scipy.stats import wilcoxon

    pit, pit_ref = np.asarray(pit, dtype=float), np.asarray(pit_ref, dtype=float)
    diffs = {"location": pit - pit_ref, "spread": np.abs(pit - 0.5) - np.abs(pit_ref - 0.5)}
    out = {"n_pairs": pit.shape[-1]}
    for name, d in diffs.items():
        key = "mean_pit_diff" if name == "location" else "mean_spread_diff"
        informative = np.count_nonzero(d, axis=-1) > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            out[key] = d.mean(axis=-1) if d.shape[-1] else np.full(d.shape[:-1], np.nan)
            p = wilcoxon(np.where(informative[..., None], d, 1.0), zero_method="wilcox", axis=-1).pvalue
        out[f"p_{name}"] = np.where(informative, p, 1.0)
    out["p_paired"] = np.minimum(1.0, 2 * np.minimum(out["p_location"], out["p_spread"]))
    return out


def sbc_paired_table(replicates: pd.DataFrame, scenarios, reference: str, alpha: float) -> pd.DataFrame:
    """Differential SBC per (scenario, variant, parameter): the variant's PIT values against the reference's on
    the same replicates (``paired_pit_test``), over every replicate both fitted; ``n_low_ess`` counts the pairs
    where either fit was ranked among fewer than ``L`` draws (bulk ESS below ``L``: thinned further, not left
    out). ``paired_differs`` (NA with fewer than ``MIN_SBC_REPLICATES`` pairs) when ``p_paired <= alpha / K``,
    K the number of top-level parameters, as in ``sbc_table``."""
    rows = []
    sub_all = replicates[replicates["scenario"].isin(list(scenarios))]
    sub_all = sub_all.assign(pit=replicate_pits(sub_all), low=_low_ess(sub_all))
    ref_all = sub_all[sub_all["variant"] == reference][["scenario", "rep", "parameter", "pit", "low"]]
    for (scenario, variant), fits in sub_all[sub_all["variant"] != reference].groupby(["scenario", "variant"],
                                                                                       sort=False):
        pairs = fits.merge(ref_all, on=["scenario", "rep", "parameter"], suffixes=("", "_ref"))
        n_params = fits["parameter"].nunique()
        for parameter, sub in pairs.groupby("parameter", sort=False):
            sub = sub.sort_values("rep")
            test = {k: (v.item() if isinstance(v, np.ndarray) else v)
                    for k, v in paired_pit_test(sub["pit"].to_numpy(), sub["pit_ref"].to_numpy()).items()}
            decided = len(sub) >= MIN_SBC_REPLICATES
            rows.append({"scenario": scenario, "variant": variant, "reference": reference, "parameter": parameter,
                         **test, "n_low_ess": int((sub["low"] | sub["low_ref"]).sum()),
                         "paired_differs": (test["p_paired"] <= alpha / n_params) if decided else None})
    if not rows:
        return pd.DataFrame(columns=PAIRED_COLUMNS)
    out = pd.DataFrame(rows, columns=PAIRED_COLUMNS)
    out["paired_differs"] = out["paired_differs"].astype("boolean")
    return sorted_rows(out, ["scenario", "variant", "parameter"])


SBC_VARIANT_COLUMNS = ["scenario", "variant", "n", "passes", "failing", "min_p_ecdf", "reference", "min_p_paired",
                       "paired_differs", "paired_differing"]


def sbc_variants(sbc: pd.DataFrame, paired: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (scenario, variant): passes when every parameter passes; lists the failing ones.

    ``min_p_ecdf``: the smallest per-parameter p-value (to compare with ``alpha / K``). With ``paired``
    (``sbc_paired_table``), also the differential SBC beside it: ``min_p_paired``, ``paired_differs``
    (some parameter's ranks differ from the reference's; NA for the reference or without a verdict) and
    the parameters that differ.
    """
    rows = []
    for (scenario, variant), sub in sbc.groupby(["scenario", "variant"], sort=False):
        failing = sub.loc[sub["passes"].fillna(True) == False, "parameter"].tolist()  # noqa: E712
        verdict = pd.NA if sub["passes"].isna().any() else not failing
        row = {"scenario": scenario, "variant": variant, "n": int(sub["n"].min()), "passes": verdict,
               "failing": ", ".join(failing), "min_p_ecdf": float(sub["p_ecdf"].min()), "reference": None,
               "min_p_paired": float("nan"), "paired_differs": pd.NA, "paired_differing": ""}
        pair = None if paired is None else paired[(paired["scenario"] == scenario) & (paired["variant"] == variant)]
        if pair is not None and len(pair):
            differing = pair.loc[pair["paired_differs"].fillna(False).astype(bool), "parameter"].tolist()
            row |= {"reference": pair["reference"].iloc[0], "min_p_paired": float(pair["p_paired"].min()),
                    "paired_differs": pd.NA if pair["paired_differs"].isna().any() else bool(differing),
                    "paired_differing": ", ".join(differing)}
        rows.append(row)
    out = pd.DataFrame(rows, columns=SBC_VARIANT_COLUMNS)
    out["passes"] = out["passes"].astype("boolean")
    out["paired_differs"] = out["paired_differs"].astype("boolean")
    return out


def batching_table(replicates: pd.DataFrame) -> pd.DataFrame:
    """Compile time per (scenario, variant): compiles, swaps, and the compile seconds batching saved.

    ``saved_seconds`` estimates what the swapped fits would have cost compiled from scratch (their
    number times the mean fresh compile of that variant and scenario) minus what swapping cost.
    """
    per_fit = replicates.drop_duplicates(["scenario", "rep", "variant"])
    rows = []
    for (scenario, variant), sub in per_fit.groupby(["scenario", "variant"], sort=False):
        fresh, swapped = sub[~sub["compile_reused"]], sub[sub["compile_reused"]]
        mean_fresh = float(fresh["compile_seconds"].mean()) if len(fresh) else float("nan")
        rows.append({
            "scenario": scenario, "variant": variant, "fits": len(sub), "compiles": len(fresh),
            "compile_seconds": float(fresh["compile_seconds"].sum()), "mean_compile_seconds": mean_fresh,
            "swap_seconds": float(swapped["compile_seconds"].sum()),
            "saved_seconds": len(swapped) * mean_fresh - float(swapped["compile_seconds"].sum()) if len(swapped) else 0.0,
        })
    return pd.DataFrame(rows, columns=["scenario", "variant", "fits", "compiles", "compile_seconds",
                                       "mean_compile_seconds", "swap_seconds", "saved_seconds"])
