"""Calibration across replicates: coverage of central intervals and simulation-based calibration.

One dataset cannot tell bad luck from a wrong model; many replicates can.

- **Per replicate** (``replicate_rows``): for every fit and top-level parameter, the central
  (equal-tailed) posterior intervals at each level, the rank of the truth among ``L`` thinned
  posterior draws, and the bulk ESS.
- **Coverage** (``coverage_table``): per scenario, variant, parameter and level, the share of
  replicates whose central interval contains the truth, with a 95% Clopper-Pearson interval. beta is
  scored against two truths: the *target* (the mean of the simulated groups' slopes, which is what a
  model with zero-sum group offsets estimates) and the *population* mean the generator drew the
  groups around; tau and sigma have one truth, the simulated value.
- **Simulation-based calibration** (``sbc_table``), for scenarios whose truths are drawn from the
  intended model's prior (``truth: prior``): if a variant implements that model, the rank of each
  truth among ``L`` independent posterior draws is uniform on ``0..L``. Ranks become PIT values
  ``u = (rank + U) / (L + 1)`` with ``U ~ Uniform(0, 1)`` (randomized, so ``u`` is exactly uniform
  under calibration), and their ECDF is compared with ArviZ's simultaneous band
  (``arviz_stats.ecdf_utils.ecdf_pit``, the band ``arviz_plots.plot_ecdf_pit`` draws).

  **Rule**: a parameter *fails* when its PIT ECDF leaves the simultaneous band of probability
  ``1 - alpha / K`` anywhere, where ``K`` is the number of top-level parameters (Bonferroni, so a
  calibrated variant fails on some parameter with probability at most ``alpha``); a variant passes
  when none of its parameters fails. Fewer than ``MIN_SBC_REPLICATES`` successful fits give no
  verdict.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from zsneq.core.dataset import Truth
from zsneq.core.vocabulary import parameter_order
from zsneq.models.fit import fit_attrs

DEFAULTS = {"levels": [0.5, 0.8, 0.94], "rank_draws": 100, "alpha": 0.05}
MIN_SBC_REPLICATES = 10
N_SIMULATIONS = 1000  # simulations behind the simultaneous band (arviz_plots' default)
CI = 0.95  # binomial interval of a coverage

KEYS = ["scenario", "rep", "variant", "parameter"]


def level_name(level: float) -> str:
    """``0.94`` -> ``"94"``, ``0.995`` -> ``"99.5"`` (column suffix and label)."""
    return f"{100 * level:.10g}"


def thinned(draws: np.ndarray, n: int) -> np.ndarray:
    """``n`` draws evenly thinned from ``draws`` (chain, draw, ...), chains one after another."""
    flat = draws.reshape(-1, *draws.shape[2:])
    if n > len(flat):
        raise ValueError(f"cannot keep {n} thinned draws from {len(flat)} posterior draws")
    return flat[:: len(flat) // n][:n]


def replicate_rows(posterior: xr.Dataset, truth: Truth, levels, rank_draws: int) -> pd.DataFrame:
    """One row per top-level parameter of one fit: central intervals, rank of the truth, bulk ESS.

    ``posterior`` is in the common vocabulary (``beta``, ``tau`` with dim ``predictor``; ``sigma``).
    """
    import arviz_stats as azs

    ess = azs.ess(posterior, method="bulk")
    population, target = truth.top_level(), truth.targets()
    rows = []
    for name, da in posterior.data_vars.items():
        da = da.transpose("chain", "draw", ...)
        labels = [str(p) for p in da.coords["predictor"].values] if "predictor" in da.dims else [None]
        values = da.values.reshape(da.sizes["chain"], da.sizes["draw"], len(labels))
        kept = thinned(values, rank_draws)
        flat = values.reshape(-1, len(labels))
        ess_values = np.atleast_1d(ess[name].values)
        for k, label in enumerate(labels):
            param = f"{name}[{label}]" if label is not None else name
            row = {
                "parameter": param,
                "truth": population[param],
                "target": target[param],
                "mean": float(flat[:, k].mean()),
                "rank": int((kept[:, k] < population[param]).sum()),
                "rank_draws": int(rank_draws),
                "ess_bulk": float(ess_values[k]),
            }
            for level in levels:
                lo, hi = np.quantile(flat[:, k], [(1 - level) / 2, (1 + level) / 2])
                row[f"lower_{level_name(level)}"] = float(lo)
                row[f"upper_{level_name(level)}"] = float(hi)
            rows.append(row)
    return pd.DataFrame(rows)


def fit_rows(tree: xr.DataTree, truth: Truth, levels, rank_draws: int) -> pd.DataFrame:
    """``replicate_rows`` of one successful fit, keyed by scenario, rep and variant, with its fit facts."""
    from zsneq.analysis.summarize import common_posterior

    attrs = fit_attrs(tree)
    frame = replicate_rows(common_posterior(tree), truth, levels, rank_draws)
    frame.insert(0, "scenario", str(attrs.get("scenario", "")))
    frame.insert(1, "rep", int(attrs.get("rep", 0)))
    frame.insert(2, "variant", str(attrs["variant"]))
    frame["divergences"] = int(tree["sample_stats"]["diverging"].sum())
    frame["compile_seconds"] = float(attrs["compile_seconds"])
    frame["compile_reused"] = bool(attrs.get("compile_reused", 0))
    return frame


def combine(frames) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=[*KEYS, "truth", "target", "mean", "rank", "rank_draws", "ess_bulk",
                                     "divergences", "compile_seconds", "compile_reused"])
    out = pd.concat(frames, ignore_index=True)
    return _sorted(out, ["scenario", "variant", "parameter", "rep"])


def _sorted(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    rank = {p: i for i, p in enumerate(parameter_order(frame["parameter"]))}
    cols = [c if c != "parameter" else "_rank" for c in by]
    return (frame.assign(_rank=frame["parameter"].map(rank)).sort_values(cols, kind="stable")
            .drop(columns="_rank").reset_index(drop=True))


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
        kinds = ["target", "population"] if parameter.startswith("beta") else ["target"]
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
    return _sorted(pd.DataFrame(rows, columns=columns), ["scenario", "variant", "parameter", "truth_kind", "level"])


def pit_values(ranks: np.ndarray, rank_draws: int, seed: int = 0) -> np.ndarray:
    """Randomized PIT of ranks on ``0..L``: ``(rank + U) / (L + 1)``, exactly uniform under calibration."""
    jitter = np.random.default_rng(seed).uniform(size=len(ranks))
    return (np.asarray(ranks, dtype=float) + jitter) / (rank_draws + 1)


def ecdf_band(pit: np.ndarray, prob: float) -> dict:
    """PIT ECDF against ArviZ's simultaneous band of probability ``prob``: where and how far it leaves it."""
    from arviz_stats.ecdf_utils import ecdf_pit

    points, ecdf, lower, upper = ecdf_pit(np.asarray(pit), prob, N_SIMULATIONS)
    below, above = np.clip(lower - ecdf, 0, None), np.clip(ecdf - upper, 0, None)
    return {
        "points_outside": int(((below > 0) | (above > 0)).sum()),
        "max_excess": float(max(below.max(), above.max())),
        "max_abs_ecdf_diff": float(np.abs(ecdf - points).max()),
    }


def sbc_table(replicates: pd.DataFrame, scenarios, alpha: float) -> pd.DataFrame:
    """Pass/fail per (scenario, variant, parameter) of simulation-based calibration (see module docstring).

    ``scenarios``: the scenarios whose truths are drawn from the prior. Columns: ``n`` successful
    fits, ``rank_draws`` L, ``band_prob``, ``points_outside`` the band, ``max_excess`` beyond it,
    ``max_abs_ecdf_diff``, ``mean_pit`` (below 0.5: the truth tends to lie low in the posterior,
    i.e. the parameter is overestimated), ``low_ess`` replicates with bulk ESS below L (their
    thinned draws may be autocorrelated), ``divergent`` replicates, and ``passes`` (NA without a
    verdict).
    """
    columns = ["scenario", "variant", "parameter", "n", "rank_draws", "band_prob", "points_outside", "max_excess",
               "max_abs_ecdf_diff", "mean_pit", "low_ess", "divergent", "passes"]
    rows = []
    sub_all = replicates[replicates["scenario"].isin(list(scenarios))]
    for (scenario, variant), fits in sub_all.groupby(["scenario", "variant"], sort=False):
        n_params = fits["parameter"].nunique()
        prob = 1 - alpha / n_params
        for parameter, sub in fits.groupby("parameter", sort=False):
            sub = sub.sort_values("rep")
            L = int(sub["rank_draws"].iloc[0])
            pit = pit_values(sub["rank"].to_numpy(), L)
            row = {"scenario": scenario, "variant": variant, "parameter": parameter, "n": len(sub), "rank_draws": L,
                   "band_prob": prob, "mean_pit": float(pit.mean()),
                   "low_ess": int((sub["ess_bulk"] < L).sum()), "divergent": int((sub["divergences"] > 0).sum())}
            if len(sub) >= MIN_SBC_REPLICATES:
                row |= ecdf_band(pit, prob)
                row["passes"] = row["points_outside"] == 0
            else:
                row |= {"points_outside": None, "max_excess": float("nan"), "max_abs_ecdf_diff": float("nan"),
                        "passes": None}
            rows.append(row)
    if not rows:
        return pd.DataFrame(columns=columns)
    out = pd.DataFrame(rows, columns=columns)
    out["passes"] = out["passes"].astype("boolean")
    out["points_outside"] = out["points_outside"].astype("Int64")
    return _sorted(out, ["scenario", "variant", "parameter"])


def sbc_variants(sbc: pd.DataFrame) -> pd.DataFrame:
    """One row per (scenario, variant): passes when every parameter passes; lists the failing ones."""
    rows = []
    for (scenario, variant), sub in sbc.groupby(["scenario", "variant"], sort=False):
        failing = sub.loc[sub["passes"].fillna(True) == False, "parameter"].tolist()  # noqa: E712
        verdict = pd.NA if sub["passes"].isna().any() else not failing
        rows.append({"scenario": scenario, "variant": variant, "n": int(sub["n"].min()), "passes": verdict,
                     "failing": ", ".join(failing)})
    out = pd.DataFrame(rows, columns=["scenario", "variant", "n", "passes", "failing"])
    out["passes"] = out["passes"].astype("boolean")
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
