"""Fit one model variant to one dataset with nutpie: :func:`fit` returns the fit as an ArviZ DataTree.

The parts it is put together from live beside it: compiling and reusing compiled models
(:mod:`zsneq.models.compilation`), progress lines while sampling (:mod:`zsneq.models.progress`), how
group-level draws are stored (:mod:`zsneq.models.group_draws`) and the fit file written and read
(:mod:`zsneq.models.fit_file`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from pathlib import Path

import xarray as xr

from zsneq.core.dataset import RegressionData
from zsneq.core.provenance import package_versions
from zsneq.models.compilation import ModelCache, compile_model
from zsneq.models.fit_file import KEEP_GROUPS, OBSERVED_MAX_ROWS, fit_attrs, fit_status, observed_data, standard_attrs
from zsneq.models.group_draws import group_draws_groups
from zsneq.models.progress import PROGRESS_SECONDS, ProgressLog, progress_rate_ms
from zsneq.models.variants import get_variant, variant_name

__all__ = ["fit", "fit_attrs", "fit_status"]  # the last two for modules that read fits through this one

log = logging.getLogger(__name__)


def fit(
    data: RegressionData,
    variant: str | Mapping,
    *,
    chains: int = 4,
    tune: int = 1000,
    draws: int = 1000,
    seed: int = 1,
    cores: int | None = None,
    attrs: dict | None = None,
    cache: ModelCache | None = None,
    numba_cache: bool = False,
    log_likelihood: bool = True,
    data_path: str | Path | None = None,
    progress_seconds: float | None = PROGRESS_SECONDS,
    group_draws: str = "auto",
) -> xr.DataTree:
    """Build ``variant`` on ``data``, compile it with nutpie and sample.

    The returned tree holds ``posterior`` and ``sample_stats``; its root attributes
    record the variant, wall times (compile, sampling), sampler settings and
    package versions, plus anything passed in ``attrs``. With a ``cache`` (several
    datasets fitted in one process), a model compiled for an earlier dataset of the
    same structure is reused with this dataset swapped in; ``compile_seconds`` is then
    the time to build the model and swap, and ``compile_reused`` is 1. ``numba_cache``:
    see :func:`compile_model` (a ``cache`` carries its own setting). ``variant``: a built-in name or a
    user variant's ``variants:`` mapping (``zsneq.models.user``). ``log_likelihood``: add the per-group
    ``log_likelihood`` group. ``data_path``: the dataset's file, recorded when ``observed_data`` is left out.
    ``progress_seconds``: log each chain's progress at most this often while sampling (:class:`ProgressLog`);
    None logs none.
    ``group_draws``: how the group-level draws are stored (:func:`group_draws_groups`).
    """
    from zsneq.models.nutpie_numba import import_nutpie

    nutpie = import_nutpie()
    module = get_variant(variant)
    spec = variant if isinstance(variant, Mapping) else None
    variant = variant_name(variant)
    t0 = time.perf_counter()
    if cache is None:
        compiled, reused = compile_model(module.build_model(data), numba_cache), False
    else:
        compiled, reused = cache.get(variant, data)
    compile_seconds = time.perf_counter() - t0
    log.info("%s: %s in %.1f s; sampling %d chains x (%d tune + %d draws)", variant,
             "data swapped into the compiled model" if reused else "compiled", compile_seconds, chains, tune, draws)
    progress = ProgressLog(variant, progress_seconds, logger=log) if progress_seconds is not None else None
    t0 = time.perf_counter()
    trace = nutpie.sample(
        compiled,
        chains=chains,
        tune=tune,
        draws=draws,
        seed=seed,
        cores=cores or chains,
        save_warmup=False,
        progress_bar=False,
        progress_callback=progress,
        progress_rate=progress_rate_ms(progress_seconds),
    )
    sampling_seconds = time.perf_counter() - t0
    n_div = int(trace["sample_stats"]["diverging"].sum())
    log.info("%s: sampled in %.1f s, %d divergences", variant, sampling_seconds, n_div)

    groups = {name: _clean(trace[name].to_dataset()) for name in KEEP_GROUPS}
    del trace
    if spec is not None:  # a user model that indexed its groups by code: its group coordinate as the labels
        from zsneq.models.user import label_groups

        groups["posterior"] = label_groups(groups["posterior"], data)
    t0 = time.perf_counter()
    if getattr(module.spec, "integrates_slopes", False):
        log.info("%s: drawing group slopes from their conditional (%d groups)", variant, data.n_groups)
    groups, extra = group_draws_groups(module, groups, data, seed, mode=group_draws, log_likelihood=log_likelihood,
                                       chains=chains, draws=draws)
    if getattr(module.spec, "integrates_slopes", False):
        log.info("%s: group slopes drawn in %.1f s", variant, time.perf_counter() - t0)
    if len(data.y) <= OBSERVED_MAX_ROWS:
        groups["observed_data"] = observed_data(data)
    elif data_path is not None:
        extra["observed_data_path"] = str(data_path)
    standard = standard_attrs(nutpie, sampling_seconds)
    for ds in groups.values():
        ds.attrs = {**ds.attrs, **standard}
    tree = xr.DataTree.from_dict(groups)
    tree.attrs = {
        **standard,
        "status": "ok",
        "variant": variant,
        **({"variant_spec": json.dumps(module.spec.to_entry())} if spec is not None else {}),
        "variant_description": module.DESCRIPTION,
        "predictors": json.dumps(data.predictors),
        "n_groups": data.n_groups,
        "n_obs": len(data.y),
        "compile_seconds": compile_seconds,
        "compile_reused": int(reused),
        "numba_cache": int(cache.numba_cache if cache is not None else numba_cache),
        "sampling_seconds": sampling_seconds,
        "sampler": json.dumps({"name": "nutpie", "chains": chains, "tune": tune, "draws": draws, "seed": seed}),
        "package_versions": json.dumps(package_versions()),
        **extra,
        **(attrs or {}),
    }
    return tree


def _clean(ds: xr.Dataset) -> xr.Dataset:
    """Make object-typed sampler stats (messages) writable as NetCDF strings."""
    for name, var in ds.data_vars.items():
        if var.dtype == object:
            ds[name] = var.astype(str).where(var.notnull(), "")
    return ds
