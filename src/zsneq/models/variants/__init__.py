"""Model variants: one module each, all with the same small interface, plus two axes.

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
plus its name under ``variants:`` in the config. A plain PyMC file needs no module here:
a ``variants:`` mapping ``{name, file, function, rename}`` names it (``zsneq.models.user``),
and ``get_variant`` accepts that mapping as well as a name. Modules whose names start with
``_`` hold shared code and are not variants.

Axes
----
A variant name may add axis values to a module's name, joined by ``+``, e.g.
``vectorized_fixed+sufficient+centered``:

- ``likelihood``: ``rowwise`` (default; one Normal term per row, as in the thread),
  ``sufficient`` (the same likelihood from per-group sufficient statistics; in
  ``vectorized_dims``, whose pymc.dims terms must be observed distributions, up to an
  additive constant that depends on the data only) or
  ``marginal`` (group slopes integrated out exactly; their exact conditional draws
  are added to the posterior after sampling, so ``group_slopes`` still works);
- ``parametrization`` of the group slopes: ``noncentered`` (default;
  ``beta + tau * ZeroSumNormal(1)``, as in the thread) or ``centered``
  (``beta + ZeroSumNormal(sigma=tau)``). A marginal likelihood has no group slopes
  to parametrize and takes no value on this axis.

Default values may be written or left out; values may come in any order. A module
supports only the defaults unless it declares the values it supports as a literal
``AXES = {"likelihood": (...), "parametrization": (...)}`` (either key may be left
out); it then takes each declared axis as a keyword argument: ``likelihood`` of
``build_model``, ``parametrization`` of ``build_model``, ``group_slopes`` and
``from_common``. ``parse_variant`` is
the one place names are read; ``get_variant`` returns the variant with its axis
values bound, with the module interface above plus ``add_group_slopes`` and
``logp_correction``.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

import numpy as np

from zsneq.core.config import variant_name
from zsneq.core.matching import NoMap  # noqa: F401  (part of the variant interface)

INTERFACE = ("DESCRIPTION", "build_model", "to_common", "group_slopes", "from_common")

SEPARATOR = "+"
AXES = {
    "likelihood": ("rowwise", "sufficient", "marginal"),
    "parametrization": ("noncentered", "centered"),
}
DEFAULTS = {"likelihood": "rowwise", "parametrization": "noncentered"}
INTEGRATED = "marginal"  # the likelihood value whose models have no group slopes
SLOPES = "beta_g"  # posterior variable holding the conditional draws of integrated-out slopes

_AXIS_OF = {value: axis for axis, values in AXES.items() for value in values}


class VariantError(KeyError):
    """A variant name that does not parse: unknown module, unknown or unsupported axis value."""

    def __str__(self) -> str:
        return str(self.args[0])


def _discover() -> tuple[str, ...]:
    here = Path(__file__).parent
    return tuple(sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_")))


VARIANTS = _discover()


@cache
def supported_axes(module: str) -> dict[str, tuple[str, ...]]:
    """Axis values a variant module supports, read from its ``AXES`` literal without importing it."""
    tree = ast.parse((Path(__file__).parent / f"{module}.py").read_text(encoding="utf-8"))
    declared = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "AXES" for t in node.targets):
            declared = ast.literal_eval(node.value)
    return {axis: tuple(declared.get(axis, (DEFAULTS[axis],))) for axis in AXES}


@dataclass(frozen=True)
class Spec:
    """A parsed variant name: module and axis values (``parametrization`` is None when integrated out)."""

    module: str
    likelihood: str = DEFAULTS["likelihood"]
    parametrization: str | None = DEFAULTS["parametrization"]

    @property
    def integrates_slopes(self) -> bool:
        return self.likelihood == INTEGRATED

    @property
    def name(self) -> str:
        """Canonical name: the module, then the non-default axis values in axis order."""
        values = [v for axis, v in self.axes().items() if v is not None and v != DEFAULTS[axis]]
        return SEPARATOR.join([self.module, *values])

    def axes(self) -> dict[str, str | None]:
        return {"likelihood": self.likelihood, "parametrization": self.parametrization}


def parse_variant(name: str) -> Spec:
    """Read a variant name such as ``vectorized_fixed+sufficient+centered``; VariantError if it is not valid."""
    module, *values = str(name).split(SEPARATOR)
    if module not in VARIANTS:
        raise VariantError(f"unknown variant {module!r}; known variants: {', '.join(VARIANTS)}")
    chosen: dict[str, str] = {}
    for value in values:
        axis = _AXIS_OF.get(value)
        if axis is None:
            known = "; ".join(f"{a}: {', '.join(v)}" for a, v in AXES.items())
            raise VariantError(f"variant {name!r}: unknown axis value {value!r} (known values: {known})")
        if axis in chosen:
            raise VariantError(f"variant {name!r}: {axis} given twice ({chosen[axis]}, {value})")
        chosen[axis] = value
    likelihood = chosen.get("likelihood", DEFAULTS["likelihood"])
    if likelihood == INTEGRATED and "parametrization" in chosen:
        raise VariantError(
            f"variant {name!r}: the {INTEGRATED} likelihood integrates the group slopes out, "
            f"so it takes no parametrization ({chosen['parametrization']!r})"
        )
    parametrization = None if likelihood == INTEGRATED else chosen.get("parametrization", DEFAULTS["parametrization"])
    support = supported_axes(module)
    for axis, value in (("likelihood", likelihood), ("parametrization", parametrization)):
        if value is not None and value not in support[axis]:
            raise VariantError(
                f"variant {name!r}: module {module} does not support {axis} {value!r} "
                f"(it supports: {', '.join(support[axis])})"
            )
    return Spec(module, likelihood, parametrization)


def variant_problems(names) -> list[str]:
    """What is wrong with the ``variants:`` list of a config, one line per problem (empty if nothing)."""
    problems = []
    users = [v for v in names if isinstance(v, Mapping)]
    names = [v for v in names if not isinstance(v, Mapping)]
    if users:
        from zsneq.models.user import entry_problems

        for entry in users:
            problems += entry_problems(entry)
        taken = {n.split(SEPARATOR)[0] for n in names} | set(VARIANTS)
        clash = sorted({str(e.get("name")) for e in users} & taken)
        if clash:
            problems.append(f"variants: user variant name(s) {clash} are taken by built-in variants")
        counts = {}
        for e in users:
            counts[str(e.get("name"))] = counts.get(str(e.get("name")), 0) + 1
        problems += [f"variants: user variant name {n!r} is used {k} times" for n, k in counts.items() if k > 1]
    unknown = [v for v in names if str(v).split(SEPARATOR)[0] not in VARIANTS]
    if unknown:
        problems.append(f"variants: unknown variant(s) {unknown}; known variants: {', '.join(VARIANTS)}")
    models: dict[str, str] = {}
    for name in names:
        if name in unknown:
            continue
        try:
            model = parse_variant(name).name
        except VariantError as exc:
            problems.append(f"variants: {exc}")
            continue
        if model in models:
            problems.append(f"variants: {models[model]!r} and {name!r} name the same model; list it once")
        models.setdefault(model, name)
    return problems


class Variant:
    """A variant module with its axis values bound; has the module interface (see the package docstring)."""

    def __init__(self, name: str, spec: Spec, module: ModuleType):
        self.name, self.spec, self.module = name, spec, module
        self.__file__ = module.__file__
        parts = [module.DESCRIPTION]
        if spec.likelihood != DEFAULTS["likelihood"]:
            parts.append(f"{spec.likelihood} likelihood")
        if spec.parametrization not in (None, DEFAULTS["parametrization"]):
            parts.append(f"{spec.parametrization} group slopes")
        self.DESCRIPTION = "; ".join(parts)

    def __repr__(self) -> str:
        return f"Variant({self.name!r})"

    def _axis_kwargs(self, *axes: str) -> dict:
        """This variant's values of ``axes`` as keyword arguments, for the axes its module declares."""
        values = {"likelihood": self.spec.likelihood,
                  "parametrization": self.spec.parametrization or DEFAULTS["parametrization"]}
        declared = getattr(self.module, "AXES", {})
        return {axis: values[axis] for axis in axes if axis in declared}

    def build_model(self, data):
        return self.module.build_model(data, **self._axis_kwargs("likelihood", "parametrization"))

    def outcome(self, model):
        """The outcome family (``zsneq.models.outcome``): Gaussian, whatever form the likelihood takes (a
        row-wise Normal, or a ``Potential`` of per-group statistics)."""
        from zsneq.models.outcome import GAUSSIAN_OUTCOME, outcome_family

        return outcome_family(model) or GAUSSIAN_OUTCOME

    def to_common(self, posterior, predictors):
        return self.module.to_common(posterior, predictors)

    def common_quantities(self, posterior, predictors):
        """beta, tau and sigma: a built-in variant has all of them (``to_common``)."""
        return self.to_common(posterior, predictors)

    def group_slopes(self, posterior, predictors):
        """Every group's slopes (chain, draw, group, predictor); for an integrated likelihood, the stored draws."""
        if self.spec.integrates_slopes:
            if SLOPES not in posterior:
                raise KeyError(f"{self.name}: the posterior has no {SLOPES!r}; add it with add_group_slopes")
            return posterior[SLOPES].transpose("chain", "draw", "group", "predictor")
        return self.module.group_slopes(posterior, predictors, **self._axis_kwargs("parametrization"))

    def from_common(self, point, predictors):
        return self.module.from_common(point, predictors, **self._axis_kwargs("parametrization"))

    @property
    def integrates_slopes(self) -> bool:
        """Whether the likelihood integrates the group slopes out (they are drawn after sampling)."""
        return self.spec.integrates_slopes

    def iter_group_slopes(self, posterior, data, seed: int = 0):
        """The draws ``add_group_slopes`` adds, block by block: ``(rows, slopes)`` with ``slopes`` of shape
        (draws in the block, group, predictor) over the flattened (chain x draw) axis, in order."""
        if not self.spec.integrates_slopes:
            raise TypeError(f"{self.name} samples its group slopes; they are in the posterior")
        return _likelihood_module().iter_group_slopes(self.to_common(posterior, data.predictors), data, seed)

    def add_group_slopes(self, posterior, data, seed: int = 0):
        """The posterior plus exact conditional draws of the group slopes when the likelihood integrates them out.

        Returned unchanged for variants that sample the group slopes.
        """
        if not self.spec.integrates_slopes:
            return posterior
        return _likelihood_module().add_group_slopes(posterior, self.to_common(posterior, data.predictors), data, seed)

    def logp_correction(self, point: dict, data) -> float:
        """What to add to this variant's joint log density at ``from_common(point)`` to get the log density
        of the reference coordinates (beta, tau, sigma, offsets).

        0 for a relabelling; for centered slopes ``b = beta + tau * offsets`` the log Jacobian
        ``(G - 1) * sum(log tau)`` (the zero-sum subspace has G - 1 dimensions per predictor); for a
        likelihood that integrates the slopes out, the log density of the offsets given the data.
        """
        if self.spec.integrates_slopes:
            return _likelihood_module().conditional_logp(point, data)
        if self.spec.parametrization == "centered":
            offsets = np.asarray(point["offsets"])
            return float((offsets.shape[0] - 1) * np.sum(np.log(point["tau"])))
        return 0.0

    def group_log_likelihood(self, posterior, data):
        """Log-likelihood of each group's rows at every draw (chain, draw, group), from the group slopes."""
        from zsneq.models.loglik import sufficient_group_log_likelihood
        from zsneq.models.sufficient import GroupStats

        slopes = self.group_slopes(posterior, data.predictors)
        sigma = self.to_common(posterior, data.predictors)["sigma"]
        return sufficient_group_log_likelihood(slopes, sigma, GroupStats.from_data(data))

    def group_expected_response(self, posterior, data):
        """Each group's expected response at every draw (chain, draw, group), from the group slopes."""
        from zsneq.models.loglik import slopes_group_expected_response

        return slopes_group_expected_response(self.group_slopes(posterior, data.predictors), data)


def _likelihood_module() -> ModuleType:
    # Loaded on demand: only variants with a fast likelihood need it, and their modules import it
    # themselves, so the workflow's dependency tracking sees it through them.
    return importlib.import_module(f"{__name__}._likelihoods")


def get_variant(name: str | Mapping):
    """The variant a ``variants:`` entry names: a built-in name (``Variant``) or a user model mapping
    ``{name, file, function, rename}`` (``zsneq.models.user.UserVariant``)."""
    if isinstance(name, Mapping):
        from zsneq.models.user import UserSpec, UserVariant

        return UserVariant(UserSpec.from_entry(name))
    spec = parse_variant(name)
    module = importlib.import_module(f"{__name__}.{spec.module}")
    missing = [attr for attr in INTERFACE if not hasattr(module, attr)]
    if missing:
        raise TypeError(f"variant module {spec.module!r} lacks {', '.join(missing)}")
    return Variant(name, spec, module)


def module_path(name: str | Mapping) -> str:
    """File of a variant's module, or of a user model (for declaring it as a workflow input)."""
    if isinstance(name, Mapping):
        return str(name["file"])
    return str(Path(__file__).parent / f"{parse_variant(name).module}.py")


def variant_entries(entries) -> dict[str, str | Mapping]:
    """``{name: entry}`` for a config's ``variants:`` list, in its order."""
    return {variant_name(e): e for e in entries}
