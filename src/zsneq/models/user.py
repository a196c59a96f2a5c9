"""Variants from plain PyMC files: a function ``frame -> pymc.Model``, no adapter to write.

A config's ``variants:`` entry may be a mapping instead of a built-in name::

    - name: thread_vectorized            # how results call it
      file: models/vectorized.py         # relative to the working directory
      function: make_model               # default: build_model
      rename: {b: beta}                  # optional: their variable name -> ours

The file is imported by path (it need not be on ``sys.path`` nor import this package). Its function
is called with a ``pandas.DataFrame`` with columns ``group`` (integer codes ``0..G-1``), ``y``, the
predictors under their own names and ``x1..xP`` (see ``data_frame``), and must return a ``pymc.Model``
with at least one observed variable. Its parameters are read by name (``zsneq.core.matching``):
``beta``/``tau`` over a ``predictor`` dim or scalars ``beta1``, ``tau1``, ... and a scalar ``sigma``;
group slopes when the model keeps them as a deterministic ``beta_g`` (dims group and predictor) or
``beta1_g``, ``beta2_g``, ... (dim group). Its ``group`` coordinates must be the data's labels or the
codes (``group_coords_problem``); with codes, results show the labels (``label_groups``).
A user variant has no map from the reference parameterization (``from_common`` raises ``NoMap``),
so the log-density check reports "no map"; its structure is read from its graph instead
(``zsneq.analysis.structure``).
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from zsneq.core.dataset import RegressionData
from zsneq.core.matching import SLOPES, Matching, NoMap, match_variables
from zsneq.core.userfile import UserModelError, load_function, one_line
from zsneq.core.vocabulary import GROUP, PREDICTOR
from zsneq.models.outcome import Outcome, outcome_family, variable_family

DEFAULT_FUNCTION = "build_model"
NAME = re.compile(r"^[a-z][a-z0-9_]*$")  # no "+": axis values are for built-in variants
SAMPLE_DIMS = ("chain", "draw")
ENTRY_KEYS = ("name", "file", "function", "rename")


@dataclass(frozen=True)
class UserSpec:
    """A ``variants:`` mapping entry, checked, with its file resolved against the working directory."""

    name: str
    file: Path
    function: str = DEFAULT_FUNCTION
    rename: dict = field(default_factory=dict)

    @classmethod
    def from_entry(cls, entry: Mapping) -> UserSpec:
        problems = entry_problems(entry)
        if problems:
            raise UserModelError("; ".join(problems))
        return cls(str(entry["name"]), Path(entry["file"]).resolve(), str(entry.get("function", DEFAULT_FUNCTION)),
                   dict(entry.get("rename") or {}))

    def to_entry(self) -> dict:
        """The entry as plain data (stored with each fit, so summaries find the file again)."""
        return {"name": self.name, "file": str(self.file), "function": self.function, "rename": dict(self.rename)}


def entry_problems(entry: Mapping) -> list[str]:
    """What is wrong with one ``variants:`` mapping entry, one line each (empty if nothing)."""
    problems = []
    unknown = sorted(set(entry) - set(ENTRY_KEYS))
    if unknown:
        problems.append(f"variants: entry {dict(entry)!r} has unknown key(s) {unknown}; allowed: {list(ENTRY_KEYS)}")
    name = entry.get("name")
    if not isinstance(name, str) or not NAME.match(name):
        problems.append(f"variants: entry {dict(entry)!r} needs a name of lower-case letters, digits and '_'")
    file = entry.get("file")
    if not isinstance(file, str | Path):
        problems.append(f"variants: entry {name!r} needs a file")
    elif not Path(file).is_file():
        problems.append(f"variants: {file}: model file of variant {name!r} does not exist")
    rename = entry.get("rename") or {}
    if not isinstance(rename, Mapping) or not all(isinstance(v, str) for v in rename.values()):
        problems.append(f"variants: entry {name!r}: rename must map their names to ours")
    return problems


def data_frame(data: RegressionData) -> pd.DataFrame:
    """The frame a user function receives, rows in data order: ``group`` (integer codes 0..G-1, the position
    of each row's group in the sorted labels), ``y``, each predictor under its own name, each extra column
    (``data: {extra: [trials]}``: neither response nor predictor) under its own name, then ``x1..xP``
    (the predictors by position, for files written for the workflow's own column names; a name the data
    already uses is not repeated) and, when the data names its group and response columns
    (``data: {group: subject, y: reaction}``), those columns under their own names, the group column
    holding the labels as they are."""
    frame = pd.DataFrame({"group": data.group_idx.astype("int64"), "y": data.y})
    for k, name in enumerate(data.predictors):
        frame[name] = data.x[:, k]
    for name, values in data.extra.items():
        frame[name] = values
    for k in range(data.n_predictors):
        if f"x{k + 1}" not in frame:
            frame[f"x{k + 1}"] = data.x[:, k]
    own_group, own_y = data.columns.get("group"), data.columns.get("y")
    if own_group and own_group not in frame:
        frame[own_group] = np.asarray(data.groups)[data.group_idx]
    if own_y and own_y not in frame:
        frame[own_y] = data.y
    return frame


def _label_set(values) -> set[str]:
    return {str(v) for v in values}


def group_coords_problem(coords, data: RegressionData) -> str | None:
    """What is wrong with a model's ``group`` coordinates, or None: they must be the data's group labels
    (any order) or the codes 0..G-1 that ``data_frame`` gives (then position k is the k-th sorted label)."""
    if coords is None:
        return None
    coords = list(coords)
    labels = _label_set(data.groups)
    if _label_set(coords) == labels or _label_set(coords) == _label_set(range(data.n_groups)):
        return None
    only_model = sorted(_label_set(coords) - labels)
    only_data = sorted(labels - _label_set(coords))
    column = data.columns.get("group", "group")
    return (f"group label(s) {_shown(only_model)} in the model's coords {GROUP!r} are not in the data's "
            f"column {column!r}; label(s) only in the data: {_shown(only_data)}")


def _shown(labels: list[str], most: int = 5) -> str:
    """``a, b, c, d, e, ... (7 labels)``, or ``none``."""
    more = f", ... ({len(labels)} labels)" if len(labels) > most else ""
    return ", ".join(labels[:most]) + more if labels else "none"


def label_groups(ds: xr.Dataset, data: RegressionData) -> xr.Dataset:
    """``ds`` with its ``group`` coordinate as the data's labels: a model that used the codes 0..G-1 has
    position k relabelled as the k-th label; a model that used the labels keeps them."""
    if GROUP not in ds.dims:
        return ds
    coords = list(ds[GROUP].values)
    if _label_set(coords) == _label_set(data.groups):
        return ds
    if len(coords) == data.n_groups and _label_set(coords) == _label_set(range(data.n_groups)):
        return ds.assign_coords({GROUP: np.asarray(data.groups)})
    return ds


def build_user_model(spec: UserSpec, frame: pd.DataFrame, data: RegressionData | None = None, *,
                     check_support: bool = False):
    """Call the user's function on ``frame``; UserModelError (one line naming the file) if it fails, or if
    its ``group`` coordinates are not the ``data``'s labels (nor their codes), or, with ``check_support``,
    if a response lies outside its likelihood's support (``support_problem``)."""
    import pymc as pm

    fn = load_function(spec.file, spec.function)
    where = f"{spec.file}: {spec.function}"
    try:
        model = fn(frame)
    except KeyError as exc:
        raise UserModelError(
            f"{where} asks for column {exc.args[0]!r}, which the dataset lacks (columns: {', '.join(frame.columns)}; "
            "a column that is neither the response nor a predictor is handed over when named in data: extra:, "
            "or zsneq compare --extra)"
        ) from exc
    except Exception as exc:
        raise UserModelError(f"{where} raised {one_line(exc)}") from exc
    if not isinstance(model, pm.Model):
        raise UserModelError(f"{where} returned {type(model).__name__}, not a pymc.Model")
    if not model.observed_RVs:
        raise UserModelError(f"{where} returned a model without an observed variable (no likelihood)")
    if data is not None and (problem := group_coords_problem(model.coords.get(GROUP), data)):
        raise UserModelError(f"{where}: {problem}")
    if data is not None and check_support and (problem := support_problem(model, data)):
        raise UserModelError(f"{where}: {problem}")
    return model


def support_problem(model, data: RegressionData) -> str | None:
    """Rows whose response lies outside the support of the model's observed variable (a negative count
    under a Poisson likelihood, 0.5 under a Bernoulli), or None: the likelihood's log density of each row
    at the model's initial point, which is finite wherever the value is in the support. Models whose
    observed variable has not one value per row are not checked."""
    from zsneq.simulation.user_data import rows_text

    column = data.columns.get("y", "y")
    for rv in model.observed_RVs:
        try:
            fn = model.compile_fn(model.logp(vars=[rv], sum=False)[0], mode="FAST_COMPILE")
            logp = np.asarray(fn(model.initial_point()))
        except Exception:  # noqa: BLE001 - a likelihood this check cannot evaluate is left to the sampler
            continue
        if logp.shape != data.y.shape:
            continue
        outside = ~np.isfinite(logp)
        if outside.any():
            example = data.y[np.flatnonzero(outside)[0]]
            return (f"column {column!r} is outside the support of the {variable_family(rv)} likelihood {rv.name!r} in "
                    f"{rows_text(outside)} (e.g. {example:g})")
    return None


def description(spec: UserSpec) -> str:
    """First line of the function's docstring, else the file's, else the file name."""
    fn = load_function(spec.file, spec.function)
    module = sys.modules.get(fn.__module__)
    for doc in (inspect.getdoc(fn), getattr(module, "__doc__", None)):
        if doc and doc.strip():
            return doc.strip().splitlines()[0]
    return f"{spec.file.name}: {spec.function}"


def posterior_variables(posterior: xr.Dataset) -> dict[str, tuple[str, ...]]:
    """``{name: dims}`` of a posterior's variables, without the sample dims."""
    return {str(n): tuple(str(d) for d in v.dims if d not in SAMPLE_DIMS) for n, v in posterior.data_vars.items()}


def model_variables(model) -> dict[str, tuple[str, ...]]:
    """``{name: dims}`` of a model's free random variables and deterministics (unnamed dims as ``name_dim_k``)."""
    out = {}
    for var in [*model.free_RVs, *model.deterministics]:
        dims = model.named_vars_to_dims.get(var.name) or ()
        out[var.name] = tuple(d if d is not None else f"{var.name}_dim_{i}" for i, d in enumerate(dims)) or tuple(
            f"{var.name}_dim_{i}" for i in range(var.ndim)
        )
    return out


def model_matching(model, predictors, rename=None) -> Matching:
    """The common-vocabulary quantities of a built model."""
    return match_variables(model_variables(model), {k: list(v) for k, v in model.coords.items()}, predictors, rename)


def posterior_matching(posterior: xr.Dataset, predictors, rename=None) -> Matching:
    """The common-vocabulary quantities of a posterior (or prior) dataset."""
    coords = {str(k): list(v.values) for k, v in posterior.coords.items()}
    return match_variables(posterior_variables(posterior), coords, predictors, rename)


def _select(posterior: xr.Dataset, quantity) -> xr.DataArray:
    return posterior[quantity.variable].sel(dict(quantity.selection)).drop_vars(
        [d for d, _ in quantity.selection], errors="ignore")


class UserVariant:
    """A user model with the interface the workflow uses from built-in variants (``variants.Variant``)."""

    def __init__(self, spec: UserSpec):
        self.spec = spec
        self.name = spec.name
        self.__file__ = str(spec.file)

    @property
    def DESCRIPTION(self) -> str:  # noqa: N802 (the name the variant interface gives it)
        """``description``, read when first asked for: naming a fit's quantities (``common_quantities``)
        needs neither the file nor PyMC, so the plotting and summary jobs do not import them."""
        return description(self.spec)

    def __repr__(self) -> str:
        return f"UserVariant({self.name!r}, {str(self.spec.file)!r})"

    def build_model(self, data: RegressionData, check_support: bool = False):
        return build_user_model(self.spec, data_frame(data), data, check_support=check_support)

    def outcome(self, model) -> Outcome | None:
        """The outcome family of the model built (``zsneq.models.outcome``), None when it has no single one."""
        return outcome_family(model)

    def to_common(self, posterior: xr.Dataset, predictors) -> xr.Dataset:
        """beta, tau (dims predictor) and sigma, found by name; KeyError listing what is missing."""
        found = posterior_matching(posterior, predictors, self.spec.rename).quantities
        wanted = [f"{f}[{p}]" for f in ("beta", "tau") for p in predictors] + ["sigma"]
        missing = [k for k in wanted if k not in found]
        if missing:
            raise KeyError(f"{self.spec.file}: no variable matches {', '.join(missing)} "
                           f"(variables: {', '.join(map(str, posterior.data_vars))}; add rename: to the variant entry)")
        return self.common_quantities(posterior, predictors)

    def common_quantities(self, posterior: xr.Dataset, predictors) -> xr.Dataset:
        """The families of the common vocabulary this model has, found by name: ``beta``/``tau`` (dims
        predictor) where every predictor's is found, ``sigma`` where found; the rest left out (a model with
        one spread for all predictors has no ``tau[x1]``; the verdicts say which were not compared)."""
        found = posterior_matching(posterior, predictors, self.spec.rename).quantities
        out = {
            family: xr.concat([_select(posterior, found[f"{family}[{p}]"]) for p in predictors], dim=PREDICTOR)
            .assign_coords({PREDICTOR: list(predictors)})
            for family in ("beta", "tau") if all(f"{family}[{p}]" in found for p in predictors)
        }
        if "sigma" in found:
            out["sigma"] = _select(posterior, found["sigma"])
        return xr.Dataset(out).transpose(*SAMPLE_DIMS, ...)

    def group_slopes(self, posterior: xr.Dataset, predictors) -> xr.DataArray:
        """Every group's slopes (chain, draw, group, predictor), from a deterministic ``beta_g`` or ``beta1_g``, ..."""
        found = posterior_matching(posterior, predictors, self.spec.rename).quantities
        if SLOPES in found:
            slopes = posterior[found[SLOPES].variable].assign_coords({PREDICTOR: list(predictors)})
        elif all(f"{SLOPES}[{p}]" in found for p in predictors):
            slopes = xr.concat([posterior[found[f"{SLOPES}[{p}]"].variable] for p in predictors], dim=PREDICTOR)
            slopes = slopes.assign_coords({PREDICTOR: list(predictors)})
        else:
            raise KeyError(f"{self.spec.file}: group slopes are not in the posterior; keep them as "
                           f"pm.Deterministic('{SLOPES}', ..., dims=('{GROUP}', '{PREDICTOR}'))")
        return slopes.transpose(*SAMPLE_DIMS, GROUP, PREDICTOR)

    def from_common(self, point, predictors):

        raise NoMap(f"{self.name} is a user model ({self.spec.file.name}): it needs a map from the reference "
                    "parameterization, which user variants do not declare")

    def add_group_slopes(self, posterior, data, seed: int = 0):
        return posterior

    def logp_correction(self, point, data) -> float:
        return 0.0

    def group_log_likelihood(self, posterior: xr.Dataset, data: RegressionData) -> xr.DataArray:
        """Log-likelihood of each group's rows at every draw (chain, draw, group); see ``models.loglik``."""
        from zsneq.models.loglik import model_group_log_likelihood

        return model_group_log_likelihood(self.build_model(data), posterior, data)

    def group_expected_response(self, posterior: xr.Dataset, data: RegressionData) -> xr.DataArray:
        """Each group's expected response at every draw (chain, draw, group), from the mean of the model's
        observed variable: no group slopes or parameter names needed; see ``models.loglik``."""
        from zsneq.models.loglik import model_group_expected_response

        return model_group_expected_response(self.build_model(data), posterior, data)

