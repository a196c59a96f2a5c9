"""Which variable of a model is which quantity of the common vocabulary, matched by name.

A model's variables (free random variables or deterministics) are described by name and dims only,
so the same rules read a ``pymc.Model`` or a posterior ``xarray.Dataset`` (callers pass
``{name: dims}`` and the coordinates). The rules, after an optional per-model ``rename``
(``{their_name: our_name}``):

- ``beta`` / ``tau`` with dims ``("predictor",)``: one quantity per coordinate, ``beta[x1]``, ...;
  a coordinate is a predictor name (``"days"``, ``"x1"``), its position (``0`` is the first predictor) or
  its positional name ``x<k>`` (``x1`` is the first predictor whatever the data calls it);
- a scalar ``beta1`` / ``tau1`` (numbered from 1 by predictor position) or ``beta[x1]``: the same
  quantity ``beta[x1]``;
- a scalar ``sigma``: ``sigma``;
- group slopes: a variable named in ``SLOPE_NAMES`` with dims ``{group, predictor}`` (either order)
  is ``beta_g``; a variable ``beta1_g`` (dims ``("group",)``) is ``beta_g[x1]``.

Everything else is model-specific and reported as unmatched. Import-free, like ``vocabulary``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from zsneq.core.vocabulary import GROUP, PREDICTOR

FAMILIES = ("beta", "tau")  # per-predictor families of the common vocabulary
SCALARS = ("sigma",)
SLOPES = "beta_g"  # the common name of every group's slopes
SLOPE_NAMES = ("beta_g", "slopes")  # names a (group, predictor) variable of group slopes may have
_NUMBERED = re.compile(r"^(?P<family>[a-z]+)(?P<k>[1-9][0-9]*)$")
_INDEXED = re.compile(r"^(?P<family>[a-z]+)\[(?P<label>[^\]]+)\]$")
_NUMBERED_SLOPES = re.compile(r"^beta(?P<k>[1-9][0-9]*)_g$")
_ALIAS = re.compile(r"^x(?P<k>[1-9][0-9]*)$")  # a predictor's positional name, whatever the data calls it


class NoMap(ValueError):
    """A point of the reference parameterization has no image in a variant (it needs a map the variant
    cannot give, e.g. a user model, or the point lies outside its support)."""


class MatchError(ValueError):
    """Two variables of one model claim the same quantity."""


@dataclass(frozen=True)
class Quantity:
    """One quantity of the common vocabulary in one model: its variable and the selection in it."""

    key: str  # common name, e.g. "beta[x1]", "sigma", "beta_g"
    variable: str  # the model's own name, e.g. "beta1" or "beta"
    selection: tuple[tuple[str, object], ...] = ()  # (dim, coordinate) pairs, e.g. (("predictor", "x1"),)


@dataclass(frozen=True)
class Matching:
    """The quantities one model has in the common vocabulary, and its variables outside it."""

    quantities: dict[str, Quantity] = field(default_factory=dict)
    unmatched: list[str] = field(default_factory=list)


def predictor_label(coordinate, predictors: Sequence[str]) -> str:
    """A ``predictor`` coordinate as a predictor name: the name itself, or the name at an integer position."""
    text = str(coordinate)
    if text in predictors:
        return text
    if (m := _ALIAS.match(text)) and 1 <= int(m["k"]) <= len(predictors):  # x1..xP: the predictors by position
        return predictors[int(m["k"]) - 1]
    if isinstance(coordinate, int) or text.isdigit():
        k = int(text)
        if 0 <= k < len(predictors):
            return predictors[k]
    return text


def _numbered(k: int, predictors: Sequence[str]) -> str:
    return predictors[k - 1] if 1 <= k <= len(predictors) else f"x{k}"


def _quantities_of(name: str, our: str, dims: tuple, coords: Mapping, predictors: Sequence[str]) -> list[Quantity]:
    """The quantities variable ``name`` (read as ``our``) holds; empty if it is outside the vocabulary."""
    if our in FAMILIES and dims == (PREDICTOR,):
        return [Quantity(f"{our}[{predictor_label(c, predictors)}]", name, ((PREDICTOR, c),))
                for c in coords.get(PREDICTOR, [])]
    if our in SLOPE_NAMES and sorted(dims) == sorted((GROUP, PREDICTOR)):
        return [Quantity(SLOPES, name)]
    if dims == (GROUP,) and (m := _NUMBERED_SLOPES.match(our)):
        return [Quantity(f"{SLOPES}[{_numbered(int(m['k']), predictors)}]", name)]
    if dims:
        return []
    if our in SCALARS:
        return [Quantity(our, name)]
    if (m := _NUMBERED.match(our)) and m["family"] in FAMILIES:
        return [Quantity(f"{m['family']}[{_numbered(int(m['k']), predictors)}]", name)]
    if (m := _INDEXED.match(our)) and m["family"] in FAMILIES:
        return [Quantity(f"{m['family']}[{predictor_label(m['label'], predictors)}]", name)]
    return []


def match_variables(
    variables: Mapping[str, Sequence[str]],
    coords: Mapping[str, Sequence],
    predictors: Sequence[str],
    rename: Mapping[str, str] | None = None,
) -> Matching:
    """Match a model's variables ``{name: dims}`` (dims without chain/draw) to the common vocabulary.

    MatchError when two variables give the same quantity (e.g. both ``beta`` over predictors and a
    scalar ``beta1``).
    """
    rename = dict(rename or {})
    quantities: dict[str, Quantity] = {}
    unmatched = []
    for name, dims in variables.items():
        found = _quantities_of(name, rename.get(name, name), tuple(dims), coords, list(predictors))
        if not found:
            unmatched.append(name)
        for q in found:
            if q.key in quantities:
                raise MatchError(f"{q.key} is both {quantities[q.key].variable!r} and {name!r}")
            quantities[q.key] = q
    return Matching(quantities, unmatched)


@dataclass(frozen=True)
class Comparison:
    """Two models side by side: shared quantities, quantities only one has, variables outside the vocabulary."""

    matched: list[str]
    only_first: list[str]
    only_second: list[str]
    unmatched_first: list[str]
    unmatched_second: list[str]

    def sentences(self, first: str = "first", second: str = "second") -> list[str]:
        """One line per finding, for a log or a report."""
        lines = [f"{len(self.matched)} quantities in both: {', '.join(self.matched) or 'none'}"]
        for who, keys in ((first, self.only_first), (second, self.only_second)):
            if keys:
                lines.append(f"only in {who}: {', '.join(keys)}")
        for who, names in ((first, self.unmatched_first), (second, self.unmatched_second)):
            if names:
                lines.append(f"{who}'s own variables (not compared): {', '.join(names)}")
        return lines


def compare_matchings(first: Matching, second: Matching) -> Comparison:
    """Which quantities two models share and which only one of them has, in the first model's order."""
    a, b = list(first.quantities), list(second.quantities)
    return Comparison(
        matched=[k for k in a if k in second.quantities],
        only_first=[k for k in a if k not in second.quantities],
        only_second=[k for k in b if k not in first.quantities],
        unmatched_first=list(first.unmatched),
        unmatched_second=list(second.unmatched),
    )
