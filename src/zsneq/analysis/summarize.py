"""Tidy posterior summaries in the common parameter vocabulary, joined with the truth."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import arviz_stats as azs
import numpy as np
import pandas as pd
import xarray as xr

from zsneq.analysis.ess import loo_relative_ess, mcse_mean
from zsneq.core.dataset import Truth
from zsneq.core.vocabulary import (
    EXPECTED_RESPONSE,
    GROUP,
    PREDICTOR,
    RESPONSE_QUANTITY,
    SLOPE_QUANTITY,
    parameter_order,
)
from zsneq.models.fit_file import fit_attrs
from zsneq.models.variants import get_variant

log = logging.getLogger(__name__)

CI_PROB = 0.94
TAIL_PROBS = {"q5": 0.05, "q95": 0.95}  # posterior quantiles compared between variants, with their MCSE
STAT_COLUMNS = ["mean", "sd", "hdi_3%", "hdi_97%", "ess_bulk", "ess_tail", "r_hat", "mcse_mean", "mcse_sd",
                "q5", "q95", "mcse_q5", "mcse_q95"]
KEY_COLUMNS = ["scenario", "rep", "variant", "parameter"]
COLUMNS = [
    *KEY_COLUMNS, *STAT_COLUMNS, "truth", "target", "divergences", "compile_seconds", "sampling_seconds",
]


def common_posterior(tree: xr.DataTree) -> xr.Dataset:
    """The fit's posterior of beta, tau (dims predictor) and sigma, whatever the variant; a user model's
    families that no variable matches by name are left out (``common_quantities``)."""
    attrs = fit_attrs(tree)
    module = get_variant(attrs.get("variant_spec", attrs["variant"]))  # a user variant: its stored entry
    return module.common_quantities(tree["posterior"].to_dataset(), attrs["predictors"])


def _flat(ds: xr.Dataset) -> pd.Series:
    """A Dataset of per-parameter scalars (``beta``/``tau`` by predictor, ``sigma``) as a Series by parameter name."""
    out = {}
    for name, da in ds.data_vars.items():
        if "predictor" in da.dims:
            out |= {f"{name}[{p}]": float(v) for p, v in zip(da.coords["predictor"].values, da.values, strict=True)}
        else:
            out[name] = float(da)
    return pd.Series(out)


def tail_quantiles(posterior: xr.Dataset) -> pd.DataFrame:
    """The 5% and 95% posterior quantiles of each parameter and their Monte Carlo standard errors.

    Columns ``q5``, ``q95``, ``mcse_q5``, ``mcse_q95``; index: parameter names of the common vocabulary.
    """
    columns = {}
    for name, prob in TAIL_PROBS.items():
        columns[name] = _flat(posterior.quantile(prob, dim=("chain", "draw")).drop_vars("quantile"))
        columns[f"mcse_{name}"] = _flat(azs.mcse(posterior, method="quantile", prob=prob))
    return pd.DataFrame(columns)


def summarize_fit(tree: xr.DataTree, truth: Truth | None) -> pd.DataFrame:
    """One row per top-level parameter: ArviZ summary (94% HDI), 5%/95% quantiles with MCSE, truth, timings
    (truth and target NaN when the dataset's truth is not known: data of the user's own)."""
    attrs = fit_attrs(tree)
    posterior = common_posterior(tree)
    if not posterior.data_vars:  # a user model naming none of beta, tau, sigma: compared map-free only
        log.warning("%s: no variable matches beta, tau or sigma by name; no parameter rows", attrs["variant"])
        return pd.DataFrame(columns=COLUMNS)
    stats = azs.summary(
        posterior, ci_prob=CI_PROB, ci_kind="hdi", round_to="none"
    ).rename(columns={"hdi94_lb": "hdi_3%", "hdi94_ub": "hdi_97%"})
    stats.index.name = "parameter"
    stats = stats.join(tail_quantiles(posterior))
    frame = stats[STAT_COLUMNS].reset_index()
    frame.insert(0, "scenario", attrs.get("scenario", ""))
    frame.insert(1, "rep", int(attrs.get("rep", 0)))
    frame.insert(2, "variant", attrs["variant"])
    frame["parameter"] = frame["parameter"].astype(str)
    frame["truth"] = frame["parameter"].map(truth.top_level() if truth else {}).astype(float)
    frame["target"] = frame["parameter"].map(truth.targets() if truth else {}).astype(float)
    frame["divergences"] = int(tree["sample_stats"]["diverging"].sum())
    frame["compile_seconds"] = float(attrs["compile_seconds"])
    frame["sampling_seconds"] = float(attrs["sampling_seconds"])
    return frame[COLUMNS]


SLOPE_COLUMNS = ["scenario", "rep", "variant", "quantity", "group", "predictor", "mean", "sd", "mcse_mean"]


def summarize_group_slopes(tree: xr.DataTree) -> pd.DataFrame:
    """Every group's slope per predictor (``quantity`` ``slope``) and every group's expected response
    (``expected_response``, ``EXPECTED_RESPONSE`` in the fit's posterior; ``predictor`` empty): posterior
    mean, sd and MCSE of the mean, one row each.

    ``results/summary/group_slopes.parquet`` holds these rows for every fit; the verdicts compare
    them between a variant and the reference group by group. A fit without group slopes (a user model
    that keeps none) or without stored expected responses simply has no rows of that quantity.
    """
    attrs = fit_attrs(tree)
    posterior = tree["posterior"].to_dataset()
    frames = []
    try:  # a user variant: its stored entry
        slopes = get_variant(attrs.get("variant_spec", attrs["variant"])).group_slopes(posterior, attrs["predictors"])
    except KeyError as exc:  # a user model that keeps no group slopes: nothing to compare slope by slope
        log.info("%s: no group slopes to summarize (%s)", attrs["variant"], exc)
    else:
        frames.append(_group_rows(slopes, SLOPE_QUANTITY))
    if EXPECTED_RESPONSE in posterior:
        frames.append(_group_rows(posterior[EXPECTED_RESPONSE], RESPONSE_QUANTITY))
    if not frames:
        return pd.DataFrame(columns=SLOPE_COLUMNS)
    frame = pd.concat(frames, ignore_index=True)
    frame.insert(0, "scenario", str(attrs.get("scenario", "")))
    frame.insert(1, "rep", int(attrs.get("rep", 0)))
    frame.insert(2, "variant", str(attrs["variant"]))
    return frame[SLOPE_COLUMNS]


def _group_rows(draws: xr.DataArray, quantity: str) -> pd.DataFrame:
    """Posterior mean, sd and MCSE of the mean of every non-sample coordinate of ``draws`` (float64 sums)."""
    draws = draws.astype(np.float64)
    ds = xr.Dataset({
        "mean": draws.mean(("chain", "draw")),
        "sd": draws.std(("chain", "draw"), ddof=1),
        "mcse_mean": mcse_mean(draws),  # ArviZ's estimator, all groups at once
    })
    frame = ds.to_dataframe().reset_index()
    if PREDICTOR not in frame:
        frame[PREDICTOR] = ""
    frame = frame[[GROUP, PREDICTOR, "mean", "sd", "mcse_mean"]]
    frame.insert(0, "quantity", quantity)
    frame[GROUP] = frame[GROUP].astype(str)
    frame[PREDICTOR] = frame[PREDICTOR].astype(str)
    return frame


LOO_COLUMNS = ["scenario", "rep", "variant", "group", "elpd_i", "pareto_k"]


def pointwise_elpd(tree: xr.DataTree) -> pd.DataFrame:
    """Leave-one-group-out PSIS-LOO of one fit (``arviz_stats.loo`` on its per-group ``log_likelihood``):
    one row per group with its expected log predictive density ``elpd_i`` and Pareto k. Empty for a fit
    file without a ``log_likelihood`` group."""
    import warnings

    attrs = fit_attrs(tree)
    if "log_likelihood" not in tree.children:
        return pd.DataFrame(columns=LOO_COLUMNS)
    with warnings.catch_warnings():  # high Pareto k is reported in the table, not as a warning
        warnings.simplefilter("ignore", UserWarning)
        loo = azs.loo(tree, pointwise=True, reff=loo_relative_ess(tree["posterior"].to_dataset()))
    frame = pd.DataFrame({"group": loo.elpd_i.coords["group"].values.astype(str),
                          "elpd_i": loo.elpd_i.values, "pareto_k": loo.pareto_k.values})
    frame.insert(0, "scenario", str(attrs.get("scenario", "")))
    frame.insert(1, "rep", int(attrs.get("rep", 0)))
    frame.insert(2, "variant", str(attrs["variant"]))
    return frame[LOO_COLUMNS]


def combine_loo(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate per-fit ``pointwise_elpd`` tables (an empty table with the columns when there are none)."""
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=LOO_COLUMNS)


def combine_group_slopes(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate per-fit group slope tables (an empty table with the columns when there are none)."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=SLOPE_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def combine(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    frames = list(frames)
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    rank = {p: i for i, p in enumerate(parameter_order(out["parameter"]))}
    out = out.assign(_rank=out["parameter"].map(rank))
    out = out.sort_values(["scenario", "rep", "variant", "_rank"], kind="stable")
    return out.drop(columns="_rank").reset_index(drop=True)


FIT_COLUMNS = ["scenario", "rep", "variant", "status", "error", "divergences", "compile_seconds",
               "sampling_seconds", "path"]


def fit_record(tree: xr.DataTree, path: str = "") -> dict:
    """One row of the fit table: which fit, whether it ran (``status``, ``error``), divergences, wall times."""
    from zsneq.models.fit_file import fit_status

    attrs = fit_attrs(tree)
    ok = fit_status(tree) == "ok"
    return {
        "scenario": str(attrs.get("scenario", "")),
        "rep": int(attrs.get("rep", 0)),
        "variant": str(attrs["variant"]),
        "status": fit_status(tree),
        "error": str(attrs.get("error", "")),
        "divergences": int(tree["sample_stats"]["diverging"].sum()) if ok else None,
        "compile_seconds": float(attrs.get("compile_seconds", float("nan"))),
        "sampling_seconds": float(attrs.get("sampling_seconds", float("nan"))),
        "path": str(path),
    }


def fit_table(records: Iterable[dict]) -> pd.DataFrame:
    """Every fit, succeeded or failed, one row each (``results/summary/fits.parquet``)."""
    table = pd.DataFrame(list(records), columns=FIT_COLUMNS)
    table["divergences"] = table["divergences"].astype("Int64")  # NA for failed fits
    return table.sort_values(["scenario", "rep", "variant"], kind="stable").reset_index(drop=True)
