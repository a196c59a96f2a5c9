"""Datasets of the user's own for scenarios with ``data: PATH`` or ``generator: {file, function, args}``.

Either gives a frame with columns ``group, y, x1..xP`` (checked by ``RegressionData.from_frame``);
there is no truth, so such scenarios are compared between variants only.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from zsneq.core.dataset import DataError, RegressionData
from zsneq.core.userfile import UserModelError, load_function, one_line


def is_user_scenario(scenario: dict) -> bool:
    return "data" in scenario or "generator" in scenario


def user_frame(scenario: dict) -> pd.DataFrame:
    """The scenario's dataset: its ``data`` file (Parquet or CSV) or what its ``generator`` returns."""
    if "data" in scenario:
        path = Path(scenario["data"])
        if not path.is_file():
            raise DataError(f"{path}: dataset file does not exist")
        frame = pd.read_csv(path) if path.suffix.lower() == ".csv" else pd.read_parquet(path)
        source = str(path)
    else:
        gen = scenario["generator"]
        fn = load_function(gen["file"], gen.get("function", "generate_data"))
        try:
            frame = fn(**dict(gen.get("args") or {}))
        except Exception as exc:
            raise UserModelError(f"{Path(gen['file']).resolve()}: {fn.__name__} raised {one_line(exc)}") from exc
        if not isinstance(frame, pd.DataFrame):
            raise UserModelError(f"{Path(gen['file']).resolve()}: {fn.__name__} returned {type(frame).__name__}, "
                                 "not a pandas.DataFrame")
        source = str(gen["file"])
    RegressionData.from_frame(frame, source=source)  # DataError naming the source when columns are wrong
    return frame
