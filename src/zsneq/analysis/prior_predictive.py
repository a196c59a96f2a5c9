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
  ``predictor`` the spread of their summed deviations relative to the summed spreads, the pooled
  residual sd, and the mean and spread over groups of the group means of y;
- the parameters both models name alike, matched by name: ``beta`` with dim ``predictor`` at
  coordinate ``xk``, scalar ``betak``, ``beta_xk`` and ``beta[xk]`` are all ``beta[xk]``; the same for
  ``tau``; ``sigma`` is a scalar ``sigma``;
- data and named parameters jointly: mean slope minus ``beta``, slope spread over ``tau``,
  residual sd over ``sigma`` (for the names both models have).

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

A model with ``Potential`` terms (e.g. the ``+sufficient`` and ``+marginal`` likelihoods), with other
observed variables, or without an observed variable of one value per row has no prior predictive
law that forward sampling draws: the result then says "cannot draw prior predictive data" and why.
Built-in variants with such a likelihood are drawn in their row-wise form instead (``forward_form``:
the same module and parametrization, one Normal term per row), which is the same joint law: the fast
likelihoods equal the row-wise one up to a constant that depends on the data only, which the
log-density check and ``tests/test_likelihoods.py`` verify. The result names the form drawn.
"""

from __future__ import annotations

import re
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pymc as pm
from pymc.sampling.forward import compile_forward_sampling_function

from zsneq.core.dataset import RegressionData
from zsneq.core.vocabulary import PREDICTOR

Builder = Callable[[pd.DataFrame], pm.Model]

DRAWS = 200  # prior draws per model
PERMUTATIONS = 999
ALPHA = 0.05
CHUNK = 16  # prior-predictive datasets turned into statistics at once (memory: CHUNK x rows floats)
# Each compiled function is called a few hundred times on arrays of one value per row: compiling fast
# matters more than running fast (on the seed design FAST_COMPILE draws faster than the default too).
MODE = "FAST_COMPILE"
FAMILIES = ("beta", "tau", "sigma")
CANNOT_DRAW = "cannot draw prior predictive data"


class NoPriorPredictive(ValueError):
    """A model whose prior predictive law forward sampling cannot draw; the message says why."""


def variant_builder(name: str) -> Builder:
    """A builtin variant as a builder ``frame -> pm.Model``."""
    from zsneq.models.variants import get_variant

    variant = get_variant(name)
    return lambda frame: variant.build_model(RegressionData.from_frame(frame))


def forward_form(name):
    """The variant whose forward draws give ``name``'s prior predictive law: a built-in variant with a
    likelihood other than row-wise, in its row-wise form (``vectorized_fixed+sufficient+centered`` ->
    ``vectorized_fixed+centered``, ``vectorized_fixed+marginal`` -> ``vectorized_fixed``); any other
    variant (a user model's entry included) itself."""
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


def compare_variants(variant, reference, frame: pd.DataFrame, **options) -> dict:
    """``compare_prior_predictive`` of two variants (built-in names or user entries), each drawn in its
    ``forward_form``; ``drawn_as`` records a form other than the variant itself, ``drawn_note`` says it in
    words, and the sentence ends with it."""
    forms = {"variant": forward_form(variant), "reference": forward_form(reference)}
    result = compare_prior_predictive(variant_builder(forms["variant"]), variant_builder(forms["reference"]),
                                      frame, **options)
    drawn_as = {role: form for role, form, given in zip(forms, forms.values(), (variant, reference))
                if form != given}
    if drawn_as:
        note = "; ".join(f"the {role} drawn in its row-wise form {form}" for role, form in drawn_as.items())
        result = result | {"drawn_as": drawn_as, "drawn_note": note,
                           "sentence": f"{result['sentence']} ({note}, the same joint law)"}
    return result


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
    return Design(
        predictors=list(data.predictors),
        n_rows=len(data.y),
        grid_rows=grid_rows,
        x_grid=x_grid,
        pinv=np.linalg.pinv(x_grid),
        counts=counts,
        residual_dof=int(np.clip(counts - data.n_predictors, 0, None).sum()),
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
    if design.residual_dof > 0:
        xty = (design.x_grid.transpose(0, 2, 1) @ grid[..., None])[..., 0]
        rss = (grid**2).sum(axis=(1, 2)) - (slopes * xty).sum(axis=(1, 2))  # y'y - y'X pinv(X) y per group
        out["residual sd"] = np.sqrt(rss / design.residual_dof)
    group_means = grid.sum(axis=2) / design.counts
    out["group mean of y: mean over group"] = group_means.mean(axis=1)
    out["group mean of y: sd over group"] = group_means.std(axis=1)
    return out


def joint_statistics(stats: dict[str, np.ndarray], params: dict[str, np.ndarray], predictors: list[str]) -> dict:
    """Statistics of data and named parameters together: mean slope - beta, slope sd / tau, residual sd / sigma."""
    out = {}
    for p in predictors:
        if f"beta[{p}]" in params:
            out[f"slope mean over group - beta [{p}]"] = stats[f"slope mean over group [{p}]"] - params[f"beta[{p}]"]
        if f"tau[{p}]" in params:
            out[f"slope sd over group / tau [{p}]"] = stats[f"slope sd over group [{p}]"] / params[f"tau[{p}]"]
    if "sigma" in params and "residual sd" in stats:
        out["residual sd / sigma"] = stats["residual sd"] / params["sigma"]
    return out


def draw_statistics(model: pm.Model, design: Design, shared: list[str], draws: int, seed) -> pd.DataFrame:
    """``draws`` prior-predictive draws of ``model`` as a table: one row per draw, one column per statistic.

    ``shared`` are the common names of the named parameters to include (see ``named_parameters``).
    """
    y_name = observed_name(model, design.n_rows)
    mapping = named_parameters(model, design.predictors)
    variables = sorted({mapping[c][0] for c in shared} | {y_name})
    fn = compile_draws(model, variables, seed)
    tables = []
    for start in range(0, draws, CHUNK):
        values = [fn() for _ in range(min(CHUNK, draws - start))]
        drawn = {name: np.stack([v[i] for v in values]) for i, name in enumerate(variables)}
        params = {}
        for common in shared:
            name, index = mapping[common]
            params[common] = drawn[name] if index is None else drawn[name][:, index]
        stats = slope_statistics(drawn[y_name].reshape(len(values), design.n_rows), design)
        tables.append(pd.DataFrame(stats | joint_statistics(stats, params, design.predictors) | params))
    return pd.concat(tables, ignore_index=True)


# --- the test ----------------------------------------------------------------------------------------


def ks_distances(values: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Two-sample Kolmogorov-Smirnov distance of every column of ``values`` (n, K) under every labelling.

    ``labels`` (R, n) is True for the first sample; returns (R, K). Ties are handled: the empirical
    distribution functions are compared at the end of each run of equal values only.
    """
    n_first = labels.sum(axis=1, keepdims=True)
    n_second = labels.shape[1] - n_first
    out = np.empty((labels.shape[0], values.shape[1]))
    for k in range(values.shape[1]):
        order = np.argsort(values[:, k], kind="stable")
        sorted_values = values[order, k]
        ends = np.append(sorted_values[1:] != sorted_values[:-1], True)
        first = np.cumsum(labels[:, order], axis=1)[:, ends]
        counts = np.flatnonzero(ends) + 1
        out[:, k] = np.abs(first / n_first - (counts - first) / n_second).max(axis=1)
    return out


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


# --- the comparison ---------------------------------------------------------------------------------


def _summary(values: pd.Series) -> dict:
    q05, q50, q95 = np.quantile(values.to_numpy(float), [0.05, 0.5, 0.95])
    return {"median": float(q50), "q05": float(q05), "q95": float(q95)}


def _hint(statistic: str, variant: dict, reference: dict) -> str:
    """What a difference in this statistic typically means, in words (empty when nothing specific)."""
    lower = variant["median"] < reference["median"]
    if statistic.startswith("slope corr over group") or statistic.startswith("slope deviations summed"):
        if lower:
            return ("; slope deviations cancel across predictors within a group in this variant: its offsets "
                    "sum to zero over predictor, in the reference they do not (e.g. over group)")
        return "; slope deviations cancel across predictors within a group in the reference, not in this variant"
    narrower = variant["q95"] - variant["q05"] < reference["q95"] - reference["q05"]
    tight, loose = ("this variant", "the reference") if narrower else ("the reference", "this variant")
    if statistic.startswith("slope mean over group - beta"):
        return (f"; group slopes average to beta more tightly in {tight}: its offsets sum to zero over group, "
                f"in {loose} they do not")
    if statistic.startswith("slope sd log ratio"):
        return (f"; group slopes spread (nearly) equally over predictors in {tight}, not in {loose}: "
                f"one spread shared by all predictors in {tight}?")
    if statistic.startswith(("tau", "slope sd over group")):
        return "; the spread of group slopes (tau, its prior or how it scales the offsets) differs"
    if statistic.startswith(("sigma", "residual sd")):
        return "; the residual scale (sigma, its prior or how it enters the likelihood) differs"
    return ""


def sentence(statistic: str, p_value: float, variant: dict, reference: dict, flagged: bool) -> str:
    """A plain sentence on the pair's result and the statistic that separates most."""
    def fmt(s):
        return f"{s['median']:.3g} (90% of draws in [{s['q05']:.3g}, {s['q95']:.3g}])"

    if not flagged:
        return (f"no prior predictive difference found (p = {p_value:.3g}); largest gap in "
                f"'{statistic}': {fmt(variant)} in this variant, {fmt(reference)} in the reference")
    return (f"prior predictive differs (p = {p_value:.3g}): '{statistic}' is {fmt(variant)} in this variant, "
            f"{fmt(reference)} in the reference{_hint(statistic, variant, reference)}")


def compare_prior_predictive(
    variant: Builder,
    reference: Builder,
    frame: pd.DataFrame,
    *,
    draws: int = DRAWS,
    permutations: int = PERMUTATIONS,
    alpha: float = ALPHA,
    n_comparisons: int = 1,
    seed: int = 0,
) -> dict:
    """Test whether two builders' models put the same joint law on data and like-named parameters.

    ``frame`` gives the design (``group``, ``x1..xP``; ``y`` if present is passed to the builders but
    not used). Flags the pair when the permutation p-value is <= ``alpha / n_comparisons`` (Bonferroni
    over the ``n_comparisons`` variants compared with the reference; see the module docstring).
    Returns a JSON-able dict; ``status`` is ``differs``, ``no_difference`` (none found at this power) or
    ``cannot_draw``.
    """
    t0 = time.perf_counter()
    frame = builder_frame(frame)
    design = design_of(frame)
    threshold = alpha / n_comparisons
    base = {"draws": draws, "permutations": permutations, "alpha": alpha, "n_comparisons": n_comparisons,
            "threshold": threshold, "seed": seed, "groups": design.n_groups, "rows": design.n_rows,
            "predictors": design.predictors}
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
    t1 = time.perf_counter()
    seeds = np.random.SeedSequence(seed).generate_state(3)
    tables = {role: draw_statistics(models[role], design, shared, draws, int(s))
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
        "sentence": sentence(top["statistic"], test["p_value"], summaries["variant"], summaries["reference"], flagged),
        "observed": observed,
        "shared_parameters": shared,
        "only_in_variant": sorted(set(names["variant"]) - set(shared)),
        "only_in_reference": sorted(set(names["reference"]) - set(shared)),
        "statistics": sorted(test["statistics"], key=lambda s: -s["ks"]),
        "seconds": {"build": t1 - t0, "draws": t2 - t1, "test": t3 - t2, "total": t3 - t0},
    }
