"""Model variants: one module each, all with the same small interface.

A variant module defines

- ``DESCRIPTION``: one line on how it writes the model;
- ``build_model(data: RegressionData) -> pm.Model``;
- ``to_common(posterior, predictors) -> xr.Dataset`` with ``beta`` and ``tau``
  (dims ``predictor``) and ``sigma``: the shared vocabulary for comparisons;
- ``group_slopes(posterior, predictors) -> xr.DataArray`` with dims
  (chain, draw, group, predictor): every group's slopes;
- ``from_common(point, predictors) -> dict`` mapping a point of the reference
  parameterization (``beta``, ``tau`` of shape (P,), ``sigma``, ``offsets`` of
  shape (G, P)) to this variant's free variables, or raising ``NoMap`` with the
  reason when the variant cannot represent it.

Adding a variant is one new module in this package (its file name is its name)
plus its name under ``variants:`` in the config. Modules whose names start with
``_`` hold shared code and are not variants.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

INTERFACE = ("DESCRIPTION", "build_model", "to_common", "group_slopes", "from_common")


class NoMap(ValueError):
    """A point of the reference parameterization has no image in this variant."""


def _discover() -> tuple[str, ...]:
    here = Path(__file__).parent
    return tuple(sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_")))


VARIANTS = _discover()


def get_variant(name: str) -> ModuleType:
    if name not in VARIANTS:
        raise KeyError(f"unknown variant {name!r}; known variants: {', '.join(VARIANTS)}")
    module = importlib.import_module(f"{__name__}.{name}")
    missing = [attr for attr in INTERFACE if not hasattr(module, attr)]
    if missing:
        raise TypeError(f"variant module {name!r} lacks {', '.join(missing)}")
    return module


def module_path(name: str) -> str:
    """File of a variant's module (for declaring it as a workflow input)."""
    return get_variant(name).__file__
