"""Datasets and truths on disk and in memory: the tables every stage reads and writes.

A dataset is a Parquet table with columns ``group``, ``y`` and one column per predictor (``x1..xP``
when simulated, the data's own names otherwise); ``group`` holds the group labels as they are (integers
or strings). Data of the user's own also keeps the names its group and response columns had in
``attrs["columns"]`` (``{"group": "subject", "y": "reaction"}``) and, in ``attrs["extra"]``, the names of
columns that are neither the response nor a predictor (``["trials"]``: handed to the models as they are,
never a predictor). Its truth table (written beside it by
the simulation) holds the true beta, tau, sigma and every group's slopes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from zsneq.core.io import atomic_path, write_text
from zsneq.core.vocabulary import GROUP, OBS, PREDICTOR


@dataclass(frozen=True)
class Truth:
    """True parameter values of one simulated dataset."""

    beta: np.ndarray  # (P,) population mean slopes
    tau: np.ndarray  # (P,) spread of group slopes
    sigma: float
    beta_g: np.ndarray  # (G, P) slopes of each group
    predictors: list[str] = field(default_factory=list)

    def top_level(self) -> dict[str, float]:
        """Top-level parameters in the common vocabulary, e.g. ``beta[x1]``."""
        out = {f"beta[{p}]": float(b) for p, b in zip(self.predictors, self.beta)}
        out |= {f"tau[{p}]": float(t) for p, t in zip(self.predictors, self.tau)}
        out["sigma"] = float(self.sigma)
        return out

    def targets(self) -> dict[str, float]:
        """What the zero-sum models estimate: beta is the mean of *these* groups' slopes.

        With group offsets that sum to zero, ``beta`` equals the average slope of the
        simulated groups, not the population mean they were drawn around (the two
        differ by about tau/sqrt(groups)); tau and sigma are targeted as simulated.
        """
        out = self.top_level()
        out |= {f"beta[{p}]": float(m) for p, m in zip(self.predictors, self.beta_g.mean(axis=0))}
        return out

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: parameter, group (-1 for top level), predictor, value."""
        rows = [
            {"parameter": name, "group": -1, "predictor": _predictor_of(name), "value": v}
            for name, v in self.top_level().items()
        ]
        G, P = self.beta_g.shape
        slopes = pd.DataFrame(
            {
                "parameter": [f"beta_g[{g}, {p}]" for g in range(G) for p in self.predictors],
                "group": np.repeat(np.arange(G), P),
                "predictor": np.tile(self.predictors, G),
                "value": self.beta_g.ravel(),
            }
        )
        return pd.concat([pd.DataFrame(rows), slopes], ignore_index=True)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Truth:
        top = frame[frame["group"] < 0].set_index("parameter")["value"]
        slopes = frame[frame["group"] >= 0]
        predictors = list(dict.fromkeys(slopes["predictor"]))
        G = int(slopes["group"].max()) + 1
        return cls(
            beta=np.array([top[f"beta[{p}]"] for p in predictors]),
            tau=np.array([top[f"tau[{p}]"] for p in predictors]),
            sigma=float(top["sigma"]),
            beta_g=slopes["value"].to_numpy().reshape(G, len(predictors)),
            predictors=predictors,
        )


def _predictor_of(name: str) -> str:
    return name[name.index("[") + 1 : -1] if "[" in name else ""


NO_TRUTH = "none"  # the truth table's ``attrs["truth"]`` for data of the user's own: nothing is known


def no_truth_frame() -> pd.DataFrame:
    """The truth table of a dataset whose truth is not known (a user's data file or generator): no rows,
    marked ``attrs["truth"] = "none"`` so that it reads as "no truth", never as a broken table."""
    frame = pd.DataFrame({"parameter": pd.Series(dtype=str), "group": pd.Series(dtype="int64"),
                          "predictor": pd.Series(dtype=str), "value": pd.Series(dtype=float)})
    frame.attrs["truth"] = NO_TRUTH
    return frame


def write_dataset(frame: pd.DataFrame, truth: Truth | None, data_path, truth_path, meta: dict | None = None) -> None:
    """The dataset and its truth table (``truth`` None: the table says that no truth is known)."""
    with atomic_path(data_path) as tmp:
        frame.to_parquet(tmp, index=False)
    with atomic_path(truth_path) as tmp:
        (no_truth_frame() if truth is None else truth.to_frame()).to_parquet(tmp, index=False)
    if meta is not None:
        write_text(Path(truth_path).with_suffix(".json"), json.dumps(meta, indent=2) + "\n")


class DataError(ValueError):
    """A dataset file is missing, unreadable or malformed."""


@dataclass(frozen=True)
class RegressionData:
    """Arrays a model variant is built from."""

    group_idx: np.ndarray  # (n,) int, 0..G-1
    x: np.ndarray  # (n, P)
    y: np.ndarray  # (n,)
    groups: np.ndarray  # (G,) group labels
    predictors: list[str]
    columns: dict = field(default_factory=dict)  # the data's own names of group and y, e.g. {"group": "subject"}
    extra: dict = field(default_factory=dict)  # columns neither response nor predictor, by name: (n,) arrays

    @property
    def n_groups(self) -> int:
        return len(self.groups)

    @property
    def n_predictors(self) -> int:
        return len(self.predictors)

    def coords(self, rows: bool = True) -> dict:
        """Model coords: groups, predictors and, with ``rows``, one coordinate per row (``obs``). A model
        that sees the data only through per-group statistics leaves ``obs`` out: PyMC keeps coordinates
        as tuples of Python objects, about 40 bytes a row (800 MB for 20 million rows)."""
        coords = {GROUP: self.groups, PREDICTOR: self.predictors}
        return coords | {OBS: np.arange(len(self.y))} if rows else coords

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, source: str = "<frame>", predictors=None) -> RegressionData:
        """Arrays from a dataset frame: ``group``, ``y``, the columns named in ``attrs["extra"]`` and the
        predictors, by default every other column (``predictors`` names them, in order)."""
        extra = [str(c) for c in frame.attrs.get("extra") or []]
        missing = [c for c in ("group", "y", *extra) if c not in frame.columns]
        if predictors is None:
            predictors = [c for c in frame.columns if c not in ("group", "y", *extra)]
        predictors = [str(c) for c in predictors]
        if set(missing) & set(extra):
            raise DataError(f"{source}: no column {', '.join(c for c in missing if c in extra)} (named in its "
                            f"attrs['extra']), found {list(frame.columns)}")
        if missing or not predictors:
            raise DataError(
                f"{source}: expected columns 'group', 'y' and x1..xP, found {list(frame.columns)}"
            )
        if frame.empty:
            raise DataError(f"{source}: the dataset has no rows")
        try:
            values = frame[["y", *predictors, *extra]].to_numpy(dtype=float)
        except (TypeError, ValueError) as exc:
            raise DataError(f"{source}: columns 'y' and {', '.join([*predictors, *extra])} must be numeric "
                            f"({exc})") from exc
        if frame["group"].isna().any():
            raise DataError(f"{source}: missing values in column 'group'")
        if not np.isfinite(values).all():
            bad = [c for c in ["y", *predictors, *extra] if not np.isfinite(frame[c].to_numpy(dtype=float)).all()]
            raise DataError(f"{source}: non-finite values (NaN or inf) in column(s) {bad}")
        groups, group_idx = np.unique(frame["group"].to_numpy(), return_inverse=True)
        return cls(
            group_idx=group_idx.astype("int64"),
            x=values[:, 1: 1 + len(predictors)],
            y=values[:, 0],
            groups=groups,
            predictors=predictors,
            columns=dict(frame.attrs.get("columns") or {}),
            extra={name: pd.to_numeric(frame[name]).to_numpy() for name in extra},  # integers stay integers
        )


def _read_parquet(path: Path, what: str) -> pd.DataFrame:
    if not path.is_file():
        raise DataError(f"{path}: {what} file does not exist")
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for truncated or corrupt files
        raise DataError(f"{path}: cannot read {what} Parquet file ({type(exc).__name__}: {exc})") from exc


def read_dataset(path) -> RegressionData:
    path = Path(path)
    data = RegressionData.from_frame(_read_parquet(path, "dataset"), source=str(path))
    release_arrow_memory()
    return data


def release_arrow_memory() -> None:
    """Hand the memory Arrow's allocator keeps after reading a Parquet file back to the system.

    Without it a fit job holds the freed Arrow buffers for its whole life: 100,000 groups x 200 rows
    read into 2.7 GB resident, 1.0 GB after the release (the arrays themselves are 0.8 GB).
    """
    import pyarrow

    pyarrow.default_memory_pool().release_unused()


def read_truth(path) -> Truth | None:
    """The truth table written beside a dataset, or None for a dataset whose truth is not known (a user's
    data, ``no_truth_frame``); DataError naming the file if it is unusable."""
    path = Path(path)
    frame = _read_parquet(path, "truth")
    if frame.attrs.get("truth") == NO_TRUTH and frame.empty:
        return None
    missing = [c for c in ("parameter", "group", "predictor", "value") if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: truth table lacks column(s) {missing}, found {list(frame.columns)}")
    if frame.empty or not np.isfinite(pd.to_numeric(frame["value"], errors="coerce")).all():
        raise DataError(f"{path}: truth table is empty or has non-finite values")
    try:
        return Truth.from_frame(frame)
    except (KeyError, ValueError) as exc:
        raise DataError(f"{path}: malformed truth table ({type(exc).__name__}: {exc})") from exc
