"""Fit one model variant to one dataset with nutpie and store the DataTree as NetCDF.

A fit file is an ArviZ-native DataTree: ``posterior``, ``sample_stats``, ``log_likelihood`` (one
value per group and draw, variable ``y``: leave-one-group-out with ``az.loo``) and
``observed_data`` (``y`` and the group code of every row; for datasets over ``OBSERVED_MAX_ROWS``
rows it is left out and the root attribute ``observed_data_path`` names the dataset's Parquet
file instead). Every group carries ArviZ's standard attributes (``inference_library``,
``inference_library_version``, ``created_at``, ``sampling_time``), the root the project's own; each
variable is stored with zlib compression and byte shuffling. Group-level draws (sampled group slopes
or offsets, ``beta_g`` of an integrated likelihood, the per-group ``log_likelihood``) are stored as
``sampler.group_draws`` says (:mod:`zsneq.models.group_draws`): all draws, float32, or, for large fits
by default, per-group summaries in a ``group_summary`` group, so that a 100,000-group fit writes
megabytes, not gigabytes.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import xarray as xr

from zsneq.core.dataset import RegressionData
from zsneq.core.io import atomic_path
from zsneq.models.variants import variant_name

log = logging.getLogger(__name__)

KEEP_GROUPS = ("posterior", "sample_stats")  # groups every successful fit file has
OBSERVED_MAX_ROWS = 100_000  # larger datasets are referenced (attribute observed_data_path), not copied
COMPRESSION = {"zlib": True, "complevel": 4, "shuffle": True}  # per-variable NetCDF4/HDF5 encoding
CHUNK_MAX_BYTES = 64 * 2**20  # largest HDF5 chunk of a variable's draws


def standard_attrs(library, sampling_seconds: float) -> dict:
    """ArviZ's standard attributes of a group: inference library and version, creation time, sampling time."""
    from importlib.metadata import version

    return {
        "inference_library": library.__name__,
        "inference_library_version": version(library.__name__),
        "created_at": datetime.now(UTC).isoformat(),
        "sampling_time": float(sampling_seconds),
    }


def observed_data(data: RegressionData) -> xr.Dataset:
    """The ``observed_data`` group: the outcome ``y`` and the group code ``group_idx`` of every row."""
    from zsneq.core.vocabulary import OBS

    return xr.Dataset({"y": ((OBS,), data.y), "group_idx": ((OBS,), data.group_idx)},
                      coords={OBS: np.arange(len(data.y))})


def compression_encoding(tree: xr.DataTree) -> dict:
    """``{group path: {variable: encoding}}``: every numeric variable compressed, one HDF5 chunk per chain.

    Posterior draws are noise to a compressor: at the seed scenario's size zlib with byte shuffling
    saves about 15% (less on tiny files, where chunk bookkeeping costs about as much as it saves).
    A chain's draws of a large group-level variable are split over chunks of at most ``CHUNK_MAX_BYTES``
    (HDF5 refuses chunks of 4 GB or more, and each chunk passes through memory whole when written).
    """
    def encoding(var: xr.Variable) -> dict:
        if var.dims[:1] != ("chain",) or not var.size:
            return dict(COMPRESSION)
        if var.dims[1:2] != ("draw",):
            return dict(COMPRESSION) | {"chunksizes": (1, *var.shape[1:])}
        per_draw = var.dtype.itemsize * int(np.prod(var.shape[2:]))  # a chain per chunk, up to CHUNK_MAX_BYTES
        draws = max(1, min(var.shape[1], CHUNK_MAX_BYTES // max(1, per_draw)))
        return dict(COMPRESSION) | {"chunksizes": (1, draws, *var.shape[2:])}

    return {
        node.path: {name: encoding(var.variable) for name, var in node.dataset.data_vars.items()
                    if var.dtype.kind in "biuf"}
        for node in tree.subtree
        if node.has_data
    }


def write_fit(tree: xr.DataTree, path: str | Path) -> None:
    """Write a fit file atomically (NetCDF4 through h5netcdf, every numeric variable compressed; a crash
    leaves no partial file), logging start and end."""
    t0 = time.perf_counter()
    log.info("writing %s", path)
    with atomic_path(path) as tmp:
        tree.to_netcdf(tmp, engine="h5netcdf", encoding=compression_encoding(tree))
    log.info("wrote %s (%.1f MB) in %.1f s", path, Path(path).stat().st_size / 1e6, time.perf_counter() - t0)


def failed_fit(variant: str | Mapping, error: BaseException, attrs: dict | None = None) -> xr.DataTree:
    """A fit file recording that building, compiling or sampling ``variant`` raised ``error``.

    It has no posterior; its root attributes hold ``status="failed"`` and
    ``error="<type>: <message>"``, so downstream rules can list the failure
    instead of stopping the workflow.
    """
    tree = xr.DataTree()
    tree.attrs = {
        "status": "failed",
        "error": error_line(error),
        "variant": variant_name(variant),
        **(attrs or {}),
    }
    return tree


def error_line(error: BaseException) -> str:
    """``"<type>: <message>"`` on one line, without a native (Rust) stack backtrace."""
    message = " ".join(str(error).split("Stack backtrace:")[0].split())
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def fit_status(tree: xr.DataTree) -> str:
    """``"ok"`` or ``"failed"`` (files written before the status attribute existed are ``"ok"``)."""
    return str(tree.attrs.get("status", "ok"))


def read_fit(path: str | Path) -> xr.DataTree:
    """Read a fit file; a recorded failure (``fit_status(tree) == "failed"``) is returned, not raised.

    Raises DataError naming the file when it is missing, unreadable (truncated,
    corrupt) or not a fit file.
    """
    from zsneq.core.dataset import DataError

    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: fit file does not exist")
    try:
        with xr.open_datatree(path, engine="h5netcdf") as opened:
            tree = opened.load().copy()
    except Exception as exc:  # h5py/h5netcdf raise OSError, ValueError, ... for truncated or corrupt files
        raise DataError(f"{path}: cannot read NetCDF fit ({type(exc).__name__}: {exc})") from exc
    if "variant" not in tree.attrs:
        raise DataError(f"{path}: not a fit file (no variant attribute)")
    status = fit_status(tree)
    if status == "failed":
        return tree
    if status != "ok":
        raise DataError(f"{path}: unknown fit status {status!r}")
    missing = [g for g in KEEP_GROUPS if g not in tree.children]
    if missing:
        raise DataError(f"{path}: fit file lacks group(s) {missing}")
    return tree


def fit_attrs(tree: xr.DataTree) -> dict:
    """Root attributes with JSON fields decoded."""
    out = dict(tree.attrs)
    for key in ("predictors", "sampler", "package_versions", "variant_spec"):
        if key in out:
            out[key] = json.loads(out[key])
    return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in out.items()}
