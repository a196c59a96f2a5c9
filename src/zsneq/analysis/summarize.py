"""Tidy posterior summaries in the common parameter vocabulary, joined with the truth."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import arviz_stats as azs
import pandas as pd
import xarray as xr

from zsneq.core.dataset import Truth
from zsneq.core.vocabulary import parameter_order
from zsneq.models.fit import fit_attrs
from zsneq.models.variants import get_variant

log = logging.getLogger(__name__)

CI_PROB = 0.94
STAT_COLUMNS = ["mean", "sd", "hdi_3%", "hdi_97%", "ess_bulk", "ess_tail", "r_hat", "mcse_mean", "mcse_sd"]
KEY_COLUMNS = ["scenario", "rep", "variant", "parameter"]
COLUMNS = [
    *KEY_COLUMNS, *STAT_COLUMNS, "truth", "target", "divergences", "compile_seconds", "sampling_seconds",
]


def common_posterior(tree: xr.DataTree) -> xr.Dataset:
    """The fit's posterior of beta, tau (dims predictor) and sigma, whatever the variant."""
    attrs = fit_attrs(tree)
    module = get_variant(attrs.get("variant_spec", attrs["variant"]))  # a user variant: its stored entry
    return module.to_common(tree["posterior"].to_dataset(), attrs["predictors"])


def summarize_fit(tree: xr.DataTree, truth: Truth | None) -> pd.DataFrame:
    """One row per top-level parameter: ArviZ summary (94% HDI) plus truth and timings (truth and target
    NaN when the dataset's truth is not known: data of the user's own)."""
    attrs = fit_attrs(tree)
    stats = azs.summary(
        common_posterior(tree), ci_prob=CI_PROB, ci_kind="hdi", round_to="none"
    ).rename(columns={"hdi94_lb": "hdi_3%", "hdi94_ub": "hdi_97%"})
    stats.index.name = "parameter"
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
    from zsneq.models.fit import fit_status

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
