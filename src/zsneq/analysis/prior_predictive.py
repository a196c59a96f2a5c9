"""Same model or not, from prior draws alone: a prior-predictive equivalence test, before sampling.

Two specifications are the same model exactly when they put the same joint distribution on the data
(and on the parameters they name alike). This module tests that from forward draws of each model on one
design (the dataset's ``group`` and ``x1..xP`` columns), without any map between their parameters.

Inputs are *builders*: functions ``frame -> pm.Model`` taking a pandas DataFrame with columns
``group, y, x1..xP`` and returning a PyMC model with one observed variable holding one value per row
(whatever its name). ``variant_builder(name)`` wraps a built-in variant this way.

What is compared, per prior draw (``draw_statistics``):

- the data, through statistics that see structure: every group's least-squares slopes of the
  simulated y on the x columns (in batch, from precomputed per-group pseudo-inverses), then along
  ``group`` their mean and spread per predictor and their correlation between predictors, along
  ``predictor`` the spread of their summed deviations relative to the summed spreads and the spread
  of the log slope spreads (near 0 when one tau scales every predictor's offsets), the pooled
  residual sd, and the mean and spread over groups of the group means of y;
- the parameters both models name alike, matched by name: ``beta`` with dim ``predictor`` at
  coordinate ``xk``, scalar ``betak``, ``beta_xk`` and ``beta[xk]`` are all ``beta[xk]``; the same for
  ``tau``; ``sigma`` is a scalar ``sigma``;
- data and named parameters jointly: mean slope minus ``beta``, slope spread over ``tau``, residual sd
  over ``sigma`` (for the names both models have); and mean slope minus ``beta`` in units of its
  least-squares noise, per predictor and as one squared distance over predictors. Offsets that sum to
  zero over groups leave that noise only (about N(0, 1), chi-square with P degrees of freedom, whatever
  the priors); offsets that do not add their own mean to it. This sees a missing zero-sum where the
  slopes' noise swamps the offsets (the thread's priors on few rows per group), which the unscaled
  difference does not.

Any statistic is a valid one for any pair: under "same law" the two samples are exchangeable, so the
test below keeps its false-alarm rate whatever the statistics; more statistics only dilute the power.
The statistics that read a Gaussian outcome's noise (residual sd over ``sigma``, mean slope minus ``beta``
in least-squares noise units) are computed only where both models' outcome is Gaussian
(``zsneq.models.outcome``): for a count or binary outcome ``sigma`` is no noise sd and ``beta`` lives on
the link's scale, so they are left out and the result lists them under ``not_applicable`` with the
outcome families (``outcome``). Least-squares slopes and spreads of the data remain: statistics of
the data like any other, whatever the family.

The test (``max_ks_test``) and the false-alarm rule
----------------------------------------------------
For each statistic the two-sample Kolmogorov-Smirnov distance between the two models' draws; the
pair's statistic is the largest of them. Its null distribution comes from relabelling the pooled draws
at random (a permutation test: exact under "same law", since the two samples are then exchangeable).
The pair's p-value, ``(1 + #{permutations with max >= observed max}) / (1 + permutations)``, controls
the false-alarm rate over the whole statistic family at once (single-step max-T, Westfall-Young); the
per-statistic adjusted p-values are read off the same maxima. Over variants compared with one
reference: a pair is flagged when its p-value is at most ``alpha / n_comparisons`` (Bonferroni, what one
job can decide alone); where all pairs are gathered, ``holm`` gives Holm's step-down adjustment, which
flags at least as many pairs at the same family-wise level ``alpha``.

How many: ``permutations_for`` takes ``ceil(20 n_comparisons / alpha)`` permutations (at least 999), so
the smallest p-value is a 20th of the threshold (with 999, more than 50 compared variants could never be
flagged). ``draws_for`` takes ``ROW_DRAWS / rows`` prior draws per model, between ``DRAWS`` and
``MAX_DRAWS``: drawing and the statistics cost about the same per row and draw, so every design gets
about the same seconds (2-3 per model), and cheap designs many more draws (1000 groups x 200 rows:
200; 300 x 40: 2000). The KS distances of all permutations are one compiled pass per statistic.

Power: what the test could have found (``estimate_power``)
-----------------------------------------------------------
"No difference found" means little without the power to find one. For a reference that draws the
thread's intended model (``INTENDED``), ``estimate_power`` estimates the probability that the test,
at this design, these draws and this threshold, flags each of ``alternatives()``: tau's prior scaled
2x, offsets without zero-sum, one tau shared by predictors, zero-sum along predictor instead of group.
It draws one pool of ``POWER_POOL x draws`` per model and subsamples pairs from it, rather than
drawing every repetition afresh (see its docstring for what that costs in precision). The workflow
computes it once per scenario (rule ``prior_predictive_power``) and every variant's result carries it
(``power``, ``power_note``) and states it where nothing was found. The power is that of the test
between the reference and each alternative (their shared statistics); a variant sharing fewer names
with the reference is tested on fewer joint statistics. For a user model as the reference, or a
built-in reference other than the intended model, the alternatives are not perturbations of it:
``power`` is None and ``power_note`` says so, rather than a number about another model.

Models without forward draws
----------------------------
A model with ``Potential`` terms (e.g. the ``+sufficient`` and ``+marginal`` likelihoods), with other
observed variables, or without an observed variable of one value per row has no prior predictive
law that forward sampling draws: the result then says "cannot draw prior predictive data" and why.
A built-in variant with such a likelihood is drawn in its row-wise form (``forward_form``: the same
module and parametrization, one Normal term per row) only where a log-density check showed its law
to be the one compared: for the variant, its own check against the reference (rule
``check_variant``, ``logp.status`` equivalent); otherwise the result's status is ``not_compared`` and
its reason gives the check's. A reference with such a likelihood takes the same certificate: the
log-density check of its row-wise form against it (the workflow runs ``check_variant`` for that form
too), so that neither side of a pair is ever a stand-in that no check vouched for. The result names
the form drawn.

Result statuses: ``differs``, ``no_difference``, ``cannot_draw``, ``not_compared``.
"""

from __future__ import annotations

import math
import re
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import pymc as pm
from pymc.sampling.forward import compile_forward_sampling_function

from zsneq.core.dataset import RegressionData
from zsneq.core.vocabulary import PREDICTOR, TOP_LEVEL
from zsneq.models.outcome import outcome_family

Builder = Callable[[pd.DataFrame], pm.Model]

DRAWS = 200  # prior draws per model, at least; more where the design is cheap (``draws_for``)
MAX_DRAWS = 2000
ROW_DRAWS = 40_000_000  # prior draws x rows per model: about 2-7 s of drawing (``draws_for``)
PERMUTATIONS = 999  # at least; more where the threshold needs them (``permutations_for``)
PERMUTATIONS_PER_THRESHOLD = 20  # permutations per 1 / threshold: the smallest p-value is threshold / 20
ALPHA = 0.05
# Prior-predictive datasets are turned into statistics CHUNK_ROWS rows at a time (memory: that many floats
# per variable; 16 datasets of the seed design's 200,000 rows). Small designs take many datasets at once:
# the statistics of each dataset are the same, bit for bit, whatever the chunk.
CHUNK_ROWS = 16 * 200_000
# Each compiled function is called a few hundred times on arrays of one value per row: compiling fast
# matters more than running fast (on the seed design FAST_COMPILE draws faster than the default too).
MODE = "FAST_COMPILE"
FAMILIES = TOP_LEVEL
CANNOT_DRAW = "cannot draw prior predictive data"


class NoPriorPredictive(ValueError):
    """A model whose prior predictive law forward sampling cannot draw; the message says why."""


def variant_builder(name: str) -> Builder:
    """A builtin variant as a builder ``frame -> pm.Model``."""
    from zsneq.models.variants import get_variant

    variant = get_variant(name)
    return lambda frame: variant.build_model(RegressionData.from_frame(frame))


def forward_form(name):
    """The row-wise form of a variant: a built-in variant with a likelihood other than row-wise, in its
    row-wise form (``vectorized_fixed+sufficient+centered`` -> ``vectorized_fixed+centered``,
    ``vectorized_fixed+marginal`` -> ``vectorized_fixed``); any other variant (a user model's entry
    included) itself. Drawn in place of the variant only where a log-density check says it may
    (``compare_variants``)."""
    from zsneq.models.variants import DEFAULTS, Spec, VariantError, parse_variant

    if not isinstance(name, str):
        return name
    try:
        spec = parse_variant(name)
    except VariantError:
        return name
    if spec.likelihood == DEFAULTS["likelihood"]:
        return name
    return Spec(spec.module, DEFAULTS["likelihood"], spec.parametrization or DEFAULTS["parametrization"]).name


def _likelihood(name: str) -> str:
    from zsneq.models.variants import parse_variant

    return f"+{parse_variant(name).likelihood}"


def stand_in_problem(role: str, given: str, form: str, logp: dict | None) -> str | None:
    """Why ``form`` (the row-wise form of ``given``) may not be drawn for it, or None when it may: the
    log-density check ``logp`` (a check JSON's ``logp`` entry) must say ``equivalent``. For the variant
    that is its check against the reference; for the reference, the check of its row-wise form against it."""
    if logp is not None and logp.get("status") == "equivalent":
        return None
    against = "the reference's" if role == "variant" else f"its row-wise form {form}'s"
    found = (f"{logp.get('status')}: {logp.get('reason', '')}" if logp is not None
             else "no log-density check was given")
    return (f"the {role}'s {_likelihood(given)} likelihood has no forward draws and its log density was not "
            f"shown equal to {against} ({found}), so its row-wise form {form} cannot stand in for it")


def compare_variants(variant, reference, frame: pd.DataFrame, *, logp: dict | None = None,
                     reference_logp: dict | None = None, **options) -> dict:
    """``compare_prior_predictive`` of two variants (built-in names or user entries).

    A variant or reference whose likelihood forward draws cannot use (``+sufficient``, ``+marginal``) is
    drawn in its ``forward_form`` only where a log-density check showed its law to be the one drawn:
    ``logp``, the variant's check against the reference, and ``reference_logp``, the check of the
    reference's row-wise form against the reference, must say ``equivalent``; otherwise the result's
    status is ``not_compared`` and ``reason`` says why. ``drawn_as`` records a form other than the
    variant itself, ``drawn_note`` says it in words, and the sentence ends with it."""
    forms = {"variant": forward_form(variant), "reference": forward_form(reference)}
    given = {"variant": variant, "reference": reference}
    checks = {"variant": logp, "reference": reference_logp}
    drawn_as = {role: form for role, form in forms.items() if form != given[role]}
    problems = [problem for role, form in drawn_as.items()
                if (problem := stand_in_problem(role, given[role], form, checks[role])) is not None]
    if problems:
        reason = "; ".join(problems)
        return not_compared(reason, **options)
    result = compare_prior_predictive(variant_builder(forms["variant"]), variant_builder(forms["reference"]),
                                      frame, **options)
    if drawn_as:
        why = {"variant": "its log density was shown equal to the reference's",
               "reference": "its log density was shown equal to it"}
        note = "; ".join(f"the {role} drawn in its row-wise form {form} ({why[role]} up to a constant)"
                         for role, form in drawn_as.items())
        result = result | {"drawn_as": drawn_as, "drawn_note": note, "sentence": f"{result['sentence']} ({note})"}
    return result


def not_compared(reason: str, *, alpha: float = ALPHA, n_comparisons: int = 1, **options) -> dict:
    """The result of a pair that is not compared, with the keys every result has (no test, so no power)."""
    return {"status": "not_compared", "flagged": None, "p_value": None, "reason": reason,
            "sentence": f"prior predictive not compared: {reason}", "alpha": alpha, "n_comparisons": n_comparisons,
            "threshold": alpha / n_comparisons, "draws": options.get("draws"),
            "permutations": options.get("permutations"), "seed": options.get("seed", 0),
            "power": None, "power_note": "power not estimated: the pair was not compared"}


# --- design -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Design:
    """Group index and predictors of a dataset, with what per-group least squares needs, precomputed.

    Rows are laid out per group in a (group, slot) grid padded with zero rows; ``pinv[g]`` is the
    pseudo-inverse of group g's padded predictor matrix, so ``pinv[g] @ y_g`` are its slopes. Values per
    row become the grid by one gather (``grid_rows``), or by a reshape when the rows already are the grid
    (sorted by group, equal group sizes: the simulated datasets).
    """

    predictors: list[str]
    n_rows: int
    grid_rows: np.ndarray | None  # (G * n_max,) row at each grid cell, N for padding; None: rows are the grid
    x_grid: np.ndarray  # (G, n_max, P)
    pinv: np.ndarray  # (G, P, n_max)
    counts: np.ndarray  # (G,)
    residual_dof: int  # sum over groups of max(n_g - P, 0)
    mean_noise: np.ndarray  # (P, P): sum_g pinv(X_g'X_g) / G^2, the mean slope's least-squares noise / sigma^2

    @property
    def n_groups(self) -> int:
        return len(self.counts)

    @property
    def n_predictors(self) -> int:
        return len(self.predictors)


def design_of(frame: pd.DataFrame) -> Design:
    """The design of a dataset frame (columns ``group`` and ``x1..xP``; ``y`` is not used)."""
    data = RegressionData.from_frame(frame.assign(y=0.0) if "y" not in frame else frame)
    counts = np.bincount(data.group_idx, minlength=data.n_groups)
    order = np.argsort(data.group_idx, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    slot = np.empty(len(order), dtype=np.int64)
    slot[order] = np.arange(len(order)) - np.repeat(starts, counts)
    n_max = int(counts.max())
    x_grid = np.zeros((data.n_groups, n_max, data.n_predictors))
    x_grid[data.group_idx, slot] = data.x
    grid_rows = np.full(data.n_groups * n_max, len(order))
    grid_rows[data.group_idx * n_max + slot] = np.arange(len(order))
    if np.array_equal(grid_rows, np.arange(len(grid_rows))):
        grid_rows = None
    pinv = np.linalg.pinv(x_grid)
    return Design(
        predictors=list(data.predictors),
        n_rows=len(data.y),
        grid_rows=grid_rows,
        x_grid=x_grid,
        pinv=pinv,
        counts=counts,
        residual_dof=int(np.clip(counts - data.n_predictors, 0, None).sum()),
        mean_noise=(pinv @ pinv.transpose(0, 2, 1)).sum(axis=0) / data.n_groups**2,  # pinv pinv' = pinv(X'X)
    )


def builder_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """What a builder is given: the design's columns, with ``y`` (zeros when the frame has none)."""
    columns = ["group", "y", *[c for c in frame.columns if c not in ("group", "y")]]
    return (frame if "y" in frame else frame.assign(y=0.0))[columns]


# --- models: observed variable, named parameters, forward draws ------------------------------------


def observed_name(model: pm.Model, n_rows: int) -> str:
    """Name of the model's observed variable with one value per row; NoPriorPredictive if there is none."""
    if model.potentials:
        names = ", ".join(p.name or "?" for p in model.potentials)
        raise NoPriorPredictive(f"the model has Potential terms ({names}), which forward draws ignore")
    observed = model.observed_RVs
    if not observed:
        raise NoPriorPredictive("the model has no observed variable")
    sizes = {rv.name: _observed_size(model, rv) for rv in observed}
    per_row = [name for name, size in sizes.items() if size == n_rows]
    if len(observed) != 1 or len(per_row) != 1:
        listed = ", ".join(f"{name} ({size} values)" for name, size in sizes.items())
        raise NoPriorPredictive(f"expected one observed variable with one value per row ({n_rows}); found {listed}")
    return per_row[0]


def _observed_size(model: pm.Model, rv) -> int | None:
    """Number of values observed for ``rv`` (its data), or None when that cannot be evaluated alone."""
    try:
        return int(np.size(model.rvs_to_values[rv].eval()))
    except Exception:  # noqa: BLE001 - any failure means: not known without sampling
        return None


def named_parameters(model: pm.Model, predictors: list[str]) -> dict[str, tuple[str, int | None]]:
    """Common name -> (model variable, index along ``predictor`` or None) for beta, tau and sigma.

    ``beta`` (dim ``predictor``) at coordinate ``xk``, ``betak`` (k-th predictor), ``beta_xk`` and
    ``beta[xk]`` all become ``beta[xk]``; likewise ``tau``. Scalar ``beta``/``tau``/``sigma`` keep their name.
    """
    out: dict[str, tuple[str, int | None]] = {}
    families = "|".join(FAMILIES)
    for var in [*model.free_RVs, *model.deterministics]:
        name, dims = var.name, model.named_vars_to_dims.get(var.name) or ()
        if name in FAMILIES and var.ndim == 0:
            out[name] = (name, None)
        elif name in FAMILIES and tuple(dims) == (PREDICTOR,):
            for i, label in enumerate(model.coords[PREDICTOR]):
                out[f"{name}[{label}]"] = (name, i)
        elif var.ndim == 0 and (m := re.fullmatch(rf"({families})(?:(\d+)|_(\w+)|\[(.+)\])", name)):
            family, number, label, bracket = m.groups()
            label = label or bracket or (predictors[int(number) - 1] if 0 < int(number) <= len(predictors) else None)
            if label in predictors:
                out[f"{family}[{label}]"] = (name, None)
    return out


def compile_draws(model: pm.Model, names: list[str], seed) -> Callable[[], list[np.ndarray]]:
    """One compiled forward-sampling function of the named variables (what ``pm.sample_prior_predictive``
    calls once per draw), so draws can be turned into statistics as they come instead of all stored."""
    fn, _ = compile_forward_sampling_function(
        [model[name] for name in names], vars_in_trace=[], basic_rvs=model.basic_RVs, random_seed=seed,
        model=model, mode=MODE, allow_input_downcast=True, accept_inplace=True,
    )
    return fn


# --- statistics ------------------------------------------------------------------------------------


def slope_statistics(y: np.ndarray, design: Design) -> dict[str, np.ndarray]:
    """Structure-seeing statistics of simulated datasets ``y`` (draw, row): one (draw,) array each."""
    shape = (y.shape[0], design.n_groups, design.x_grid.shape[1])
    if design.grid_rows is None:
        grid = y.reshape(shape)
    else:
        grid = np.take(np.pad(y, ((0, 0), (0, 1))), design.grid_rows, axis=1).reshape(shape)
    slopes = (design.pinv @ grid[..., None])[..., 0]  # (draw, group, predictor)
    out: dict[str, np.ndarray] = {}
    names = design.predictors
    deviations = slopes - slopes.mean(axis=1, keepdims=True)
    spread = deviations.std(axis=1)  # (draw, predictor)
    for k, p in enumerate(names):
        out[f"slope mean over group [{p}]"] = slopes[:, :, k].mean(axis=1)
        out[f"slope sd over group [{p}]"] = spread[:, k]
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            cov = (deviations[:, :, i] * deviations[:, :, j]).mean(axis=1)
            out[f"slope corr over group [{names[i]}, {names[j]}]"] = cov / (spread[:, i] * spread[:, j])
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            pair = f"{names[i]}, {names[j]}"
            means = slopes.mean(axis=1)
            out[f"slope mean difference [{pair}]"] = means[:, i] - means[:, j]
            out[f"slope sd log ratio [{pair}]"] = np.log(spread[:, i] / spread[:, j])
    if len(names) > 1:
        summed = deviations.sum(axis=2).var(axis=1)
        out["slope deviations summed over predictor: var / sum of vars"] = summed / (spread**2).sum(axis=1)
        out["slope sd over group: sd of its log over predictor"] = np.log(spread).std(axis=1)
    if design.residual_dof > 0:
        xty = (design.x_grid.transpose(0, 2, 1) @ grid[..., None])[..., 0]
        rss = (grid**2).sum(axis=(1, 2)) - (slopes * xty).sum(axis=(1, 2))  # y'y - y'X pinv(X) y per group
        out["residual sd"] = np.sqrt(rss / design.residual_dof)
    group_means = grid.sum(axis=2) / design.counts
    out["group mean of y: mean over group"] = group_means.mean(axis=1)
    out["group mean of y: sd over group"] = group_means.std(axis=1)
    return out


# The joint statistics that read a Gaussian outcome's noise, by name pattern (``joint_statistics``).
GAUSSIAN_ONLY = ("residual sd / sigma", "slope mean over group - beta, in noise sds [<predictor>]",
                 "slope mean over group - beta: squared noise distance")


def joint_statistics(stats: dict[str, np.ndarray], params: dict[str, np.ndarray], design: Design,
                     gaussian: bool = True) -> dict:
    """Statistics of data and named parameters together: mean slope - beta, slope sd / tau, and, for a
    Gaussian outcome (``gaussian``; ``GAUSSIAN_ONLY``), residual sd / sigma and mean slope - beta in units
    of its least-squares noise (``design.mean_noise`` times the residual variance), per predictor and as
    one squared (Mahalanobis) distance over predictors. Group offsets that sum to zero over groups leave
    only that noise (about N(0, 1) and chi-square with P degrees of freedom, whatever the priors); offsets
    that do not add tau^2 / G to its variance per predictor."""
    out = {}
    predictors = design.predictors
    for p in predictors:
        if f"beta[{p}]" in params:
            out[f"slope mean over group - beta [{p}]"] = stats[f"slope mean over group [{p}]"] - params[f"beta[{p}]"]
        if f"tau[{p}]" in params:
            out[f"slope sd over group / tau [{p}]"] = stats[f"slope sd over group [{p}]"] / params[f"tau[{p}]"]
    if not gaussian:
        return out
    if "sigma" in params and "residual sd" in stats:
        out["residual sd / sigma"] = stats["residual sd"] / params["sigma"]
    if "residual sd" in stats and all(f"beta[{p}]" in params for p in predictors):
        gap = np.stack([out[f"slope mean over group - beta [{p}]"] for p in predictors], axis=1)  # (draw, P)
        scale = stats["residual sd"][:, None]
        noise_sd = np.sqrt(np.diag(design.mean_noise))
        for k, p in enumerate(predictors):
            out[f"slope mean over group - beta, in noise sds [{p}]"] = gap[:, k] / (scale[:, 0] * noise_sd[k])
        if len(predictors) > 1:
            scaled = gap / scale
            out["slope mean over group - beta: squared noise distance"] = np.einsum(
                "dk,kl,dl->d", scaled, np.linalg.pinv(design.mean_noise), scaled)
    return out


def draw_statistics(model: pm.Model, design: Design, shared: list[str], draws: int, seed,
                    gaussian: bool = True) -> pd.DataFrame:
    """``draws`` prior-predictive draws of ``model`` as a table: one row per draw, one column per statistic.

    ``shared`` are the common names of the named parameters to include (see ``named_parameters``);
    ``gaussian``: whether the statistics of a Gaussian outcome's noise apply (``joint_statistics``).
    """
    y_name = observed_name(model, design.n_rows)
    mapping = named_parameters(model, design.predictors)
    variables = sorted({mapping[c][0] for c in shared} | {y_name})
    fn = compile_draws(model, variables, seed)
    tables = []
    chunk = max(1, CHUNK_ROWS // design.n_rows)
    for start in range(0, draws, chunk):
        values = [fn() for _ in range(min(chunk, draws - start))]
        drawn = {name: np.stack([v[i] for v in values]) for i, name in enumerate(variables)}
        params = {}
        for common in shared:
            name, index = mapping[common]
            params[common] = drawn[name] if index is None else drawn[name][:, index]
        stats = slope_statistics(drawn[y_name].reshape(len(values), design.n_rows), design)
        tables.append(pd.DataFrame(stats | joint_statistics(stats, params, design, gaussian) | params))
    return pd.concat(tables, ignore_index=True)


# --- the test ----------------------------------------------------------------------------------------


def ks_distances(values: np.ndarray, labels: np.ndarray, second: np.ndarray | None = None) -> np.ndarray:
    """Two-sample Kolmogorov-Smirnov distance of every column of ``values`` (n, K) under every labelling.

    ``labels`` (R, n) is True for the first sample; the second is the rest, or ``second`` (R, n) when
    given (rows in neither are left out: subsamples of a pool). Returns (R, K). Ties are handled: the
    empirical distribution functions are compared at the end of each run of equal values only. One
    sort per column, then one pass over the sorted rows per labelling and column (compiled, O(R K n)).
    """
    second = ~labels if second is None else second
    orders = np.argsort(values, axis=0, kind="stable").T.copy()  # (K, n)
    ends = np.empty(orders.shape, dtype=np.bool_)
    for k, order in enumerate(orders):
        ends[k] = np.append(values[order[1:], k] != values[order[:-1], k], True)
    return _ks_kernel()(np.ascontiguousarray(labels), np.ascontiguousarray(second), orders, ends)


@cache
def _ks_kernel():
    """The compiled pass of ``ks_distances`` (numba, kept in its disk cache)."""
    import numba

    from zsneq.models.numba_cache import lock_numba_cache_saves

    lock_numba_cache_saves()

    @numba.njit(cache=True, nogil=True)
    def kernel(first, second, orders, ends):
        # In integers: with a and b rows of each sample at or below a value, n_second * a - n_first * b is the
        # gap of the two distribution functions times n_first * n_second, so each row adds one precomputed
        # step. The gap in floats, a / n_first - b / n_second, is taken only where the integer gap reaches
        # its largest yet: the result is, bit for bit, the largest float gap (distinct gaps differ by at
        # least 1 / (n_first n_second), far more than rounding).
        out = np.empty((first.shape[0], orders.shape[0]))
        n = orders.shape[1]
        steps = np.empty((n, 2), np.int64)  # per row: its step, and whether it is in either sample
        for r in range(first.shape[0]):
            n_first, n_second = np.int64(first[r].sum()), np.int64(second[r].sum())
            for row in range(n):
                steps[row, 0] = n_second * first[r, row] - n_first * second[r, row]
                steps[row, 1] = first[r, row] + second[r, row]
            for k in range(orders.shape[0]):
                scaled, rows_in, top, gap = np.int64(0), np.int64(0), np.int64(0), 0.0
                for i in range(n):
                    row = orders[k, i]
                    scaled += steps[row, 0]
                    rows_in += steps[row, 1]
                    if ends[k, i]:
                        size = scaled if scaled >= 0 else -scaled
                        if size >= top:
                            below_first = (scaled + n_first * rows_in) // (n_first + n_second)
                            exact = abs(below_first / n_first - (rows_in - below_first) / n_second)
                            gap = exact if size > top else max(gap, exact)
                            top = size
                out[r, k] = gap
        return out

    return kernel


def draws_for(n_rows: int) -> int:
    """Prior draws per model on a design of ``n_rows`` rows: ``ROW_DRAWS / n_rows`` (drawing and the
    statistics cost about the same per row-draw), at least ``DRAWS`` and at most ``MAX_DRAWS``."""
    return int(np.clip(ROW_DRAWS // max(n_rows, 1), DRAWS, MAX_DRAWS))


def permutations_for(alpha: float, n_comparisons: int) -> int:
    """Permutations for flagging at ``alpha / n_comparisons``: at least ``PERMUTATIONS`` and at least
    ``PERMUTATIONS_PER_THRESHOLD / threshold``, so that the smallest p-value, 1 / (1 + permutations), is a
    20th of the threshold (with 999 permutations, p >= 0.001 could never be at most 0.05 / 51)."""
    return max(PERMUTATIONS, math.ceil(PERMUTATIONS_PER_THRESHOLD * n_comparisons / alpha))


def max_ks_test(first: pd.DataFrame, second: pd.DataFrame, permutations: int = PERMUTATIONS, seed=0) -> dict:
    """Permutation test of "same law" with the largest KS distance over the columns both tables have.

    Returns the pair's p-value, every statistic's KS distance and its max-T adjusted p-value.
    """
    common = [c for c in first.columns if c in second.columns]
    pooled = np.vstack([first[common].to_numpy(float), second[common].to_numpy(float)])
    finite = np.isfinite(pooled).all(axis=0)  # e.g. a correlation of slopes that are all equal
    columns, pooled = [c for c, ok in zip(common, finite) if ok], pooled[:, finite]
    rng = np.random.default_rng(seed)
    observed = np.arange(len(pooled)) < len(first)
    labels = np.vstack([observed] + [rng.permutation(observed) for _ in range(permutations)])
    ks = ks_distances(pooled, labels)
    null_max = ks[1:].max(axis=1)
    exceed = lambda value: float((1 + np.sum(null_max >= value - 1e-12)) / (1 + permutations))  # noqa: E731
    return {
        "p_value": exceed(ks[0].max()),
        "statistics": [{"statistic": c, "ks": float(d), "adjusted_p": exceed(d)} for c, d in zip(columns, ks[0])],
        "dropped": [c for c, ok in zip(common, finite) if not ok],
    }


def holm(p_values: dict[str, float]) -> dict[str, float]:
    """Holm's step-down adjusted p-values: flag a pair at family-wise level alpha when its value <= alpha."""
    ordered = sorted(p_values, key=p_values.get)
    adjusted, running = {}, 0.0
    for rank, key in enumerate(ordered):
        running = max(running, min(1.0, (len(ordered) - rank) * p_values[key]))
        adjusted[key] = running
    return adjusted


# --- power against known alternatives -----------------------------------------------------------

POWER_SUBSAMPLES = 200  # pairs of samples per alternative
POWER_POOL = 5  # pool of POWER_POOL x draws prior draws per model, subsampled
TAU_SCALE = 2.0
# Built-in variants that draw the thread's intended model (the log-density checks find them equivalent):
# the alternatives below are perturbations of it, so power against them is estimated for these references.
INTENDED = ("nonvectorized", "vectorized_fixed", "vectorized_dims")


def alternatives() -> dict[str, Builder]:
    """Known alternatives to the thread's intended model, each one change to ``vectorized_fixed``, as
    builders: tau's prior scaled by ``TAU_SCALE`` (``Gamma(mu=20, sigma=10)``), group offsets without the
    zero-sum constraint (iid ``Normal(0, 1)``), one tau shared by all predictors, and offsets zero-summed
    along predictor instead of group (the thread's bug)."""
    from zsneq.models.variants._common import GROUP, TAU_MU, TAU_SIGMA
    from zsneq.models.variants._vectorized import OFFSET, build_vectorized
    from zsneq.models.variants.vectorized_as_posted import as_posted
    from zsneq.models.variants.vectorized_fixed import noncentered
    from zsneq.models.variants.vectorized_shared_tau import shared_tau

    def wide_tau():
        return pm.Gamma("tau", mu=TAU_SCALE * TAU_MU, sigma=TAU_SCALE * TAU_SIGMA, dims=PREDICTOR)

    def free_offsets(beta, tau):
        return beta + tau * pm.Normal(OFFSET, 0.0, 1.0, dims=[PREDICTOR, GROUP]).T

    made = {
        f"a tau prior {TAU_SCALE:g}x as wide": lambda data: build_vectorized(data, noncentered, tau=wide_tau),
        "offsets without zero-sum": lambda data: build_vectorized(data, free_offsets),
        "one tau shared by predictors": lambda data: build_vectorized(data, noncentered, tau=shared_tau),
        "zero-sum along predictor instead of group": lambda data: build_vectorized(data, as_posted),
    }
    return {label: (lambda frame, build=build: build(RegressionData.from_frame(frame))) for label, build in made.items()}


def power_reference_problem(reference) -> str | None:
    """Why power against ``alternatives()`` is not estimated for ``reference``, or None when it is."""
    from zsneq.models.variants import VariantError, parse_variant

    if not isinstance(reference, str):
        return (f"the reference {reference.get('name', reference)!r} is a user model; the known alternatives are "
                "perturbations of the thread's model, which need not be near it")
    try:
        module = parse_variant(reference).module
    except VariantError:
        return f"the reference {reference!r} is not a built-in variant"
    if module not in INTENDED:
        return (f"the reference {reference!r} is not the thread's intended model (one of {', '.join(INTENDED)}), "
                "of which the known alternatives are perturbations")
    return None


def estimate_power(reference, frame: pd.DataFrame, *, draws: int | None = None, permutations: int | None = None,
                   alpha: float = ALPHA, n_comparisons: int = 1, seed: int = 0,
                   subsamples: int = POWER_SUBSAMPLES) -> dict:
    """The probability that the test flags each of ``alternatives()`` against ``reference``, at this
    design, these draws and this threshold (``alpha / n_comparisons``), estimated cheaply.

    One pool of ``POWER_POOL x draws`` prior draws of the reference (in its row-wise form) and of each
    alternative, not one per repetition: each of ``subsamples`` repetitions takes ``draws`` of each pool
    at random without replacement (each such subsample is a sample of the model's law, so the share
    flagged is unbiased for the power; repetitions overlap, so its Monte Carlo error is that of the
    pools: near 0 or 1 it is small, in between it is large. ``scripts/benchmarks/prior_predictive.py``
    on 30 groups x 20 rows at 100 draws: 0.60 estimated against zero-sum along predictor, 8 of 30
    independent repetitions flagged; the same estimate from other pools ranged from 0.09 to 0.57.
    ``power_text`` marks such values as rough). A repetition is flagged when its largest KS distance over the statistics
    the pair shares gives p <= threshold against ``permutations`` draws of the test's permutation null
    taken over the pools: pairs subsampled likewise, their rows relabelled at random (the test
    relabels one pair's own draws: the same null, conditional on that pair). Where the alternatives do
    not apply (``power_reference_problem``) ``power`` is None and ``power_note`` says why.
    """
    t0 = time.perf_counter()
    frame = builder_frame(frame)
    design = design_of(frame)
    draws = draws or draws_for(design.n_rows)
    permutations = permutations or permutations_for(alpha, n_comparisons)
    threshold = alpha / n_comparisons
    base = {"reference": reference if isinstance(reference, str) else reference.get("name"), "draws": draws,
            "permutations": permutations, "alpha": alpha, "n_comparisons": n_comparisons, "threshold": threshold,
            "subsamples": subsamples, "pool": POWER_POOL * draws, "seed": seed}
    problem = power_reference_problem(reference)
    if problem is not None:
        return base | {"power": None, "power_note": f"power not estimated: {problem}"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        models = {"reference": variant_builder(forward_form(reference))(frame)}
        models |= {label: build(frame) for label, build in alternatives().items()}
    names = {label: set(named_parameters(model, design.predictors)) for label, model in models.items()}
    seeds = np.random.SeedSequence([seed, 1]).generate_state(2 * len(models))
    pool = POWER_POOL * draws
    reference_pool = draw_statistics(models["reference"], design, sorted(names["reference"]), pool, int(seeds[0]))
    rng = np.random.default_rng(seeds[1])
    power = {}
    for i, label in enumerate(list(models)[1:], start=1):
        shared = sorted(names[label] & names["reference"])
        alternative = draw_statistics(models[label], design, shared, pool, int(seeds[2 * i]))
        columns = [c for c in alternative.columns if c in reference_pool.columns]
        values = np.vstack([alternative[columns].to_numpy(float), reference_pool[columns].to_numpy(float)])
        finite = np.isfinite(values).all(axis=0)
        values = values[:, finite]
        observed = ks_distances(values, *_pair_masks(rng, subsamples, pool, draws, relabel=False)).max(axis=1)
        null = ks_distances(values, *_pair_masks(rng, permutations, pool, draws, relabel=True)).max(axis=1)
        p_values = (1 + (null[None, :] >= observed[:, None] - 1e-12).sum(axis=1)) / (1 + permutations)
        power[label] = float(np.mean(p_values <= threshold))
    note = (f"estimated from pools of {pool} prior draws per model: share of {subsamples} subsampled pairs of "
            f"{draws} draws flagged at p <= {threshold:.3g} against {permutations} relabelled pairs)")
    return base | {"power": power, "power_note": note, "seconds": time.perf_counter() - t0}


def _pair_masks(rng, n: int, pool: int, draws: int, relabel: bool) -> tuple[np.ndarray, np.ndarray]:
    """``n`` pairs of samples of ``draws`` rows from two stacked pools of ``pool`` rows (first pool, then
    second), as (first, second) masks over the ``2 pool`` rows: a subsample of each pool, and with
    ``relabel`` the ``2 draws`` rows chosen split into two at random (the pair's permutation null)."""
    first = np.zeros((n, 2 * pool), dtype=bool)
    second = np.zeros_like(first)
    for i in range(n):
        rows = np.concatenate([rng.choice(pool, draws, replace=False), pool + rng.choice(pool, draws, replace=False)])
        if relabel:
            rows = rng.permutation(rows)
        first[i, rows[:draws]] = True
        second[i, rows[draws:]] = True
    return first, second


def power_entry(power: dict | None, draws: int | None, threshold: float | None = None) -> dict:
    """``power`` and ``power_note`` of a result from an ``estimate_power`` result (None: not estimated). The
    estimate applies only to a test with its draws and threshold."""
    if power is None:
        return {"power": None, "power_note": "power not estimated (no estimate for this design was given)"}
    if draws is not None and (power.get("draws") != draws or not np.isclose(power.get("threshold"), threshold)):
        return {"power": None, "power_note": f"power not estimated for {draws} draws at threshold {threshold:.3g} "
                f"(the estimate given is for {power.get('draws')} draws at {power.get('threshold'):.3g})"}
    return {"power": power.get("power"), "power_note": power.get("power_note")}


ROUGH = (0.1, 0.9)  # power estimates strictly between these are marked rough ("~"): pool error is large there


def power_text(power: dict | None) -> str:
    """``power at this design and threshold: 1.00 against ..., ~0.6 against ...`` (empty without power);
    estimates in ``ROUGH`` are given to one decimal with "~" (see ``estimate_power`` on their error)."""
    if not power:
        return ""

    def fmt(value):
        return f"~{value:.1f}" if ROUGH[0] < value < ROUGH[1] else f"{value:.2f}"

    return "power at this design and threshold: " + ", ".join(f"{fmt(v)} against {k}" for k, v in power.items())


# --- the comparison ---------------------------------------------------------------------------------


def _summary(values: pd.Series) -> dict:
    q05, q50, q95 = np.quantile(values.to_numpy(float), [0.05, 0.5, 0.95])
    return {"median": float(q50), "q05": float(q05), "q95": float(q95)}


def _hint(statistic: str, variant: dict, reference: dict, gaussian: bool = True) -> str:
    """What a difference in this statistic typically means, in words (empty when nothing specific).
    Without a Gaussian outcome (``gaussian`` False) beta is on the link's scale, not the least-squares
    slopes', so the hint on their gap is not given, and the residual spread is not sigma's."""
    lower = variant["median"] < reference["median"]
    if statistic.startswith("slope corr over group") or statistic.startswith("slope deviations summed"):
        if lower:
            return ("; slope deviations cancel across predictors within a group in this variant: its offsets "
                    "sum to zero over predictor, in the reference they do not (e.g. over group)")
        return "; slope deviations cancel across predictors within a group in the reference, not in this variant"
    narrower = variant["q95"] - variant["q05"] < reference["q95"] - reference["q05"]
    tight, loose = ("this variant", "the reference") if narrower else ("the reference", "this variant")
    if statistic.startswith("slope mean over group - beta") and gaussian:
        return (f"; group slopes average to beta more tightly in {tight}: its offsets sum to zero over group, "
                f"in {loose} they do not")
    if statistic.startswith(("slope sd log ratio", "slope sd over group: sd of its log")):
        return (f"; group slopes spread (nearly) equally over predictors in {tight}, not in {loose}: "
                f"one spread shared by all predictors in {tight}?")
    if statistic.startswith(("tau", "slope sd over group")):
        return "; the spread of group slopes (tau, its prior or how it scales the offsets) differs"
    if statistic.startswith("residual sd") and not gaussian:
        return "; the outcome's spread around each group's least-squares fit differs"
    if statistic.startswith(("sigma", "residual sd")):
        return "; the residual scale (sigma, its prior or how it enters the likelihood) differs"
    return ""


def sentence(statistic: str, p_value: float, variant: dict, reference: dict, flagged: bool, power: str = "",
             gaussian: bool = True) -> str:
    """A plain sentence on the pair's result and the statistic that separates most (``power``: what the
    test could have found, said where nothing was found; ``gaussian``: whether both outcomes are Gaussian)."""
    def fmt(s):
        return f"{s['median']:.3g} (90% of draws in [{s['q05']:.3g}, {s['q95']:.3g}])"

    if not flagged:
        return (f"no prior predictive difference found (p = {p_value:.3g}{'; ' + power if power else ''}); largest gap in "
                f"'{statistic}': {fmt(variant)} in this variant, {fmt(reference)} in the reference")
    return (f"prior predictive differs (p = {p_value:.3g}): '{statistic}' is {fmt(variant)} in this variant, "
            f"{fmt(reference)} in the reference{_hint(statistic, variant, reference, gaussian)}")


def not_applicable(outcomes: dict) -> dict | None:
    """The statistics left out because an outcome is not Gaussian (``GAUSSIAN_ONLY``) and why, or None."""
    other = sorted({o.family for o in outcomes.values() if o is not None and not o.gaussian})
    if all(o is not None and o.gaussian for o in outcomes.values()):
        return None
    which = f"a {' and a '.join(other)} outcome" if other else "an outcome of no single known family"
    return {"statistics": list(GAUSSIAN_ONLY),
            "reason": f"they read a Gaussian outcome's noise, which {which} does not have"}


def compare_prior_predictive(
    variant: Builder,
    reference: Builder,
    frame: pd.DataFrame,
    *,
    draws: int | None = None,
    permutations: int | None = None,
    alpha: float = ALPHA,
    n_comparisons: int = 1,
    seed: int = 0,
    power: dict | None = None,
) -> dict:
    """Test whether two builders' models put the same joint law on data and like-named parameters.

    ``frame`` gives the design (``group``, ``x1..xP``; ``y`` if present is passed to the builders but
    not used). Flags the pair when the permutation p-value is <= ``alpha / n_comparisons`` (Bonferroni
    over the ``n_comparisons`` variants compared with the reference; see the module docstring).
    ``draws`` per model default to ``draws_for`` the design, ``permutations`` to ``permutations_for`` the
    threshold. ``power`` is an ``estimate_power`` result for this design, draws and threshold: its
    estimates become the result's ``power`` (None otherwise, with ``power_note`` saying why) and the
    sentence states them where no difference is found.
    Returns a JSON-able dict; ``status`` is ``differs``, ``no_difference`` (none found at this power) or
    ``cannot_draw``.
    """
    t0 = time.perf_counter()
    frame = builder_frame(frame)
    design = design_of(frame)
    threshold = alpha / n_comparisons
    draws = draws or draws_for(design.n_rows)
    permutations = permutations or permutations_for(alpha, n_comparisons)
    base = {"draws": draws, "permutations": permutations, "alpha": alpha, "n_comparisons": n_comparisons,
            "threshold": threshold, "seed": seed, "groups": design.n_groups, "rows": design.n_rows,
            "predictors": design.predictors} | power_entry(power, draws, threshold)
    models, observed = {}, {}
    for role, builder in (("variant", variant), ("reference", reference)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            models[role] = builder(frame)
        try:
            observed[role] = observed_name(models[role], design.n_rows)
        except NoPriorPredictive as exc:
            reason = f"{CANNOT_DRAW} from the {role}: {exc}"
            return base | {"status": "cannot_draw", "flagged": None, "p_value": None, "reason": reason,
                           "sentence": reason, "seconds": {"total": time.perf_counter() - t0}}
    names = {role: named_parameters(m, design.predictors) for role, m in models.items()}
    shared = sorted(set(names["variant"]) & set(names["reference"]))
    outcomes = {role: outcome_family(m) for role, m in models.items()}
    gaussian = all(o is not None and o.gaussian for o in outcomes.values())
    t1 = time.perf_counter()
    seeds = np.random.SeedSequence(seed).generate_state(3)
    tables = {role: draw_statistics(models[role], design, shared, draws, int(s), gaussian)
              for role, s in zip(("variant", "reference"), seeds)}
    t2 = time.perf_counter()
    test = max_ks_test(tables["variant"], tables["reference"], permutations, int(seeds[2]))
    top = max(test["statistics"], key=lambda s: s["ks"])
    summaries = {role: _summary(tables[role][top["statistic"]]) for role in tables}
    flagged = test["p_value"] <= threshold
    t3 = time.perf_counter()
    return base | {
        "status": "differs" if flagged else "no_difference",
        "flagged": bool(flagged),
        "p_value": test["p_value"],
        "statistic": top["statistic"],
        "ks": top["ks"],
        "variant_summary": summaries["variant"],
        "reference_summary": summaries["reference"],
        "sentence": sentence(top["statistic"], test["p_value"], summaries["variant"], summaries["reference"], flagged,
                             power_text(base["power"]), gaussian),
        "observed": observed,
        "outcome": {role: o.family if o else None for role, o in outcomes.items()},
        "not_applicable": not_applicable(outcomes),
        "shared_parameters": shared,
        "only_in_variant": sorted(set(names["variant"]) - set(shared)),
        "only_in_reference": sorted(set(names["reference"]) - set(shared)),
        "statistics": sorted(test["statistics"], key=lambda s: -s["ks"]),
        "seconds": {"build": t1 - t0, "draws": t2 - t1, "test": t3 - t2, "total": t3 - t0},
    }
