"""Datasets of the user's own for scenarios with ``data:`` or ``generator: {file, function, args}``.

``data`` is a path (a Parquet or CSV file with columns ``group, y, x1..xP``) or a mapping naming the
file's own columns::

    data: {file: sleep.csv, group: subject, y: reaction, predictors: [days]}
    data: {file: exams.csv, group: school, y: passed, predictors: [hours], extra: [sat]}

``extra`` names columns that are neither the response nor a predictor but that the models use as they
are, such as a binomial outcome's number of trials or an exposure. Either way the result is the
workflow's dataset frame: ``group`` (the labels as they are, strings or integers), ``y``, one column per
predictor under its own name and each extra column under its own name, with the data's names of the
group and response columns in ``attrs["columns"]`` and the extra columns' names in ``attrs["extra"]``.
Everything is checked before anything is written (:func:`check_frame`): each problem is one line naming
the column and the rows. There is no truth, so such scenarios are compared between variants only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from zsneq.core.dataset import DataError, RegressionData
from zsneq.core.userfile import UserModelError, load_function, one_line

log = logging.getLogger(__name__)
SHOWN_ROWS = 5  # rows listed in a message before "... (n rows)"
FORBIDDEN = "[],"  # characters a predictor name cannot hold: parameters are named beta[<predictor>]


def is_user_scenario(scenario: dict) -> bool:
    return "data" in scenario or "generator" in scenario


def data_spec(scenario: dict) -> dict:
    """The scenario's ``data`` as a mapping ``{file, group, y, predictors, extra}`` (``predictors`` None:
    every other column but the extra ones; a plain path: the columns ``x1..xP``, as before names could be
    given, and no extra columns)."""
    data = scenario["data"]
    if isinstance(data, Mapping):
        return {"group": "group", "y": "y", "predictors": None, "extra": []} | dict(data)
    return {"file": data, "group": "group", "y": "y", "predictors": "x", "extra": []}


def read_table(path) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: dataset file does not exist")
    try:
        return pd.read_csv(path) if path.suffix.lower() == ".csv" else pd.read_parquet(path)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except Exception as exc:
        raise DataError(f"{path}: cannot read the dataset ({type(exc).__name__}: {one_line(exc)})") from exc


def rows_text(mask) -> str:
    """``rows 3, 17`` (counted from 1, the first data row being 1), at most ``SHOWN_ROWS`` listed."""
    rows = np.flatnonzero(np.asarray(mask)) + 1
    shown = ", ".join(str(r) for r in rows[:SHOWN_ROWS])
    more = f", ... ({len(rows)} rows)" if len(rows) > SHOWN_ROWS else ""
    return f"row{'s' if len(rows) > 1 else ''} {shown}{more}"


def check_frame(frame: pd.DataFrame, group: str, y: str, predictors, source: str,
                extra=()) -> tuple[pd.DataFrame, list[str]]:
    """The dataset frame of a user's table (see the module docstring) and its warnings, one line each.

    DataError with one line naming the column and the rows for: no rows, a missing column, missing or
    non-finite values, a non-numeric response, predictor or extra column, a predictor that is zero in every
    row (its slope is not identified), a predictor name that cannot name a parameter, a column given two
    roles. Warnings (legal, but worth knowing): a constant non-zero predictor (it acts as each group's
    intercept), groups with one row (legal in a hierarchical model: their slopes lean on the population).
    """
    where = f"{source}:"
    extra = list(extra or [])
    if predictors == "x":  # a plain path: the workflow's own columns x1..xP
        predictors = [c for c in frame.columns if str(c).startswith("x")]
    elif predictors is None:
        predictors = [c for c in frame.columns if c not in (group, y, *extra)]
    predictors = list(predictors)
    if len(frame.columns) == 0 or len(frame) == 0:
        raise DataError(f"{where} the dataset has 0 rows")
    roles = (("group", group), ("y", y), *(("predictor", p) for p in predictors), *(("extra", e) for e in extra))
    for role, column in roles:
        if column not in frame.columns:
            raise DataError(f"{where} no {role} column {column!r} (columns: {', '.join(map(str, frame.columns))})")
    if not predictors:
        raise DataError(f"{where} no predictor columns besides {', '.join(map(repr, (group, y, *extra)))}")
    for role, column in roles[2:]:
        if column in (group, y):
            raise DataError(f"{where} column {column!r} is both {'a predictor' if role == 'predictor' else 'an extra'} "
                            f"and the {'group' if column == group else 'y'} column")
        if role == "extra" and column in predictors:
            raise DataError(f"{where} column {column!r} is both a predictor and an extra column")
        if str(column) in ("group", "y"):
            raise DataError(f"{where} {role} column {column!r}: its name may not be 'group' or 'y' (the models' "
                            "frame has columns of those names)")
    for p in predictors:
        if any(ch in str(p) for ch in FORBIDDEN):
            raise DataError(f"{where} predictor column {p!r}: a predictor's name may not hold any of {FORBIDDEN!r} "
                            f"(parameters are named beta[{p}])")
    for column in (group, y, *predictors, *extra):
        missing = frame[column].isna().to_numpy()
        if missing.any():
            raise DataError(f"{where} column {column!r} has missing values in {rows_text(missing)}")
    for column in (y, *predictors, *extra):
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna().to_numpy() | frame[column].map(lambda v: isinstance(v, bool)).to_numpy()
        if bad.any():
            first = frame[column].iloc[int(np.flatnonzero(bad)[0])]
            raise DataError(f"{where} column {column!r} is not numeric: {rows_text(bad)} (e.g. {first!r})")
        finite = np.isfinite(values.to_numpy(dtype=float))
        if not finite.all():
            raise DataError(f"{where} column {column!r} has non-finite values (inf) in {rows_text(~finite)}")
    warnings = []
    for p in predictors:
        values = frame[p].to_numpy(dtype=float)
        if np.all(values == values[0]):
            if values[0] == 0:
                raise DataError(f"{where} predictor column {p!r} is 0 in every row: its slope is not identified")
            warnings.append(f"{where} predictor column {p!r} is constant ({values[0]:g} in every row): "
                            "it acts as each group's intercept")
    sizes = frame.groupby(group, sort=True)[group].transform("size").to_numpy()
    single = sizes == 1
    if single.any():
        labels = ", ".join(repr(v) for v in frame.loc[single, group].head(SHOWN_ROWS).tolist())
        count = int(single.sum())
        warnings.append(f"{where} column {group!r}: {count} group{'s' if count > 1 else ''} with one row "
                        f"({labels}{', ...' if count > SHOWN_ROWS else ''}; {rows_text(single)}); legal in a "
                        "hierarchical model, their slopes lean on the population")
    if frame[group].nunique() < 2:
        raise DataError(f"{where} column {group!r} has one group ({frame[group].iloc[0]!r}); "
                        "a hierarchical model needs at least 2")
    out = pd.DataFrame({"group": frame[group].to_numpy(), "y": frame[y].to_numpy(dtype=float)})
    for p in predictors:
        out[str(p)] = frame[p].to_numpy(dtype=float)
    for e in extra:
        out[str(e)] = pd.to_numeric(frame[e]).to_numpy()  # integers (a number of trials) stay integers
    out.attrs["columns"] = {"group": str(group), "y": str(y)}
    if extra:
        out.attrs["extra"] = [str(e) for e in extra]
    return out, warnings


def read_user_data(scenario: dict, source_dir=None) -> tuple[pd.DataFrame, list[str]]:
    """The scenario's dataset frame (see the module docstring) and its warnings; DataError or UserModelError
    (one line) when it is unusable. ``source_dir``: the directory relative paths are read from (default:
    the working directory)."""
    base = Path(source_dir) if source_dir is not None else Path()
    if "data" in scenario:
        spec = data_spec(scenario)
        path = base / spec["file"]
        return check_frame(read_table(path), spec["group"], spec["y"], spec["predictors"], str(spec["file"]),
                           spec["extra"])
    gen = scenario["generator"]
    fn = load_function(base / gen["file"], gen.get("function", "generate_data"))
    try:
        frame = fn(**dict(gen.get("args") or {}))
    except Exception as exc:
        raise UserModelError(f"{Path(gen['file']).resolve()}: {fn.__name__} raised {one_line(exc)}") from exc
    if not isinstance(frame, pd.DataFrame):
        raise UserModelError(f"{Path(gen['file']).resolve()}: {fn.__name__} returned {type(frame).__name__}, "
                             "not a pandas.DataFrame")
    return check_frame(frame, "group", "y", "x", str(gen["file"]))


def user_frame(scenario: dict) -> pd.DataFrame:
    """The scenario's dataset frame; its warnings go to the log, one line each."""
    frame, warnings = read_user_data(scenario)
    for line in warnings:
        log.warning("%s", line)
    RegressionData.from_frame(frame, source="dataset")
    return frame
