"""Model variants: one module each, all with the same small interface.

A variant module defines

- ``NAME`` and ``DESCRIPTION``;
- ``build_model(data: RegressionData) -> pm.Model``;
- ``to_common(posterior, predictors) -> xr.Dataset`` with ``beta`` and ``tau``
  (dims ``predictor``) and ``sigma``: the shared vocabulary for comparisons;
- ``group_slopes(posterior, predictors) -> xr.DataArray`` with dims
  (chain, draw, group, predictor).

To add a variant, add a module here and its name to ``VARIANTS``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

VARIANTS = ("nonvectorized", "vectorized_as_posted", "vectorized_fixed")


def get_variant(name: str) -> ModuleType:
    if name not in VARIANTS:
        raise KeyError(f"unknown variant {name!r}; known variants: {', '.join(VARIANTS)}")
    return importlib.import_module(f"{__name__}.{name}")


def module_path(name: str) -> str:
    """File of a variant's module (for declaring it as a workflow input)."""
    return get_variant(name).__file__
