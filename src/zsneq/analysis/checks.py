"""Pre-sampling structural checks of a variant, seconds each.

1. Zero-sum axis: draw the variant's prior, recover its group offsets
   ``(slope - beta) / tau`` through the variant interface and report along which
   named dimension(s) they sum to zero. A ZeroSumNormal over groups should give
   ``["group"]``. A variant whose likelihood integrates the group slopes out has
   none in its prior; its offsets are then the exact conditional draws given the
   data at prior draws of beta, tau and sigma (``add_group_slopes``), which must
   keep the same constraint.
2. Log-density equivalence: draw points from the reference variant's prior *and* from the
   variant's own prior, map each to both models' parameters (``from_common``) and evaluate both
   joint log densities on the same data, in the constrained space, each plus its
   ``logp_correction`` so that both are densities of the same coordinates (beta, tau, sigma,
   offsets): the log Jacobian for centered group slopes, and for a likelihood that integrates the
   slopes out, the exact log density of the offsets given the data (``log p(y, offsets | theta) =
   log p(y | theta) + log p(offsets | y, theta)``). Equivalent specifications differ by a constant;
   anything else differs from point to point. The tolerance on that spread is the floating-point
   error of the two sums, in nats: ``FP_SAFETY * eps * log2(N) * (sum |terms|)`` over both models'
   ``N`` elementwise log-density terms (pairwise summation error, with room for how each term is
   computed), largest over the points, doubled for a spread of two differences. Where the variant
   cannot represent a reference point (``NoMap``, or log density -inf) no map exists; where the
   reference cannot represent a point of the variant's prior (its log density is -inf there, e.g.
   offsets that do not sum to zero), the variant's support is larger and the densities differ.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping

import numpy as np
import pymc as pm
import pytensor.tensor as pt
import xarray as xr
from pymc.model.transform.conditioning import remove_value_transforms
from pytensor.xtensor.type import XTensorVariable

from zsneq.analysis.structure import zero_sum_report
from zsneq.core.dataset import RegressionData
from zsneq.core.vocabulary import GROUP, PREDICTOR
from zsneq.models.variants import NoMap, Variant, get_variant

EXPECTED_ZERO_SUM_DIM = GROUP
EPS = float(np.finfo(np.float64).eps)
FP_SAFETY = 16  # rounding of each term (a few operations each) on top of the summation error bound
# The checks evaluate each compiled function a few times: compile fast rather than run fast. On the seed
# scenario this takes a check from about 30 s (numba, cold private cache) to a few seconds.
MODE = "FAST_COMPILE"


def _variant(variant) -> Variant:
    """A variant by name or ``variants:`` entry (a user model's mapping), or a ``Variant`` as given (tests
    build variants that are not in the registry)."""
    return get_variant(variant) if isinstance(variant, (str, Mapping)) else variant


def _is_user(variant) -> bool:
    return not isinstance(_variant(variant), Variant)


def free_variables(model: pm.Model) -> dict[str, tuple]:
    """Free variables by name: (shape, transform) — what two models must share to be evaluated at the
    same points without a map."""
    ip = model.initial_point()
    out = {}
    for rv in model.free_RVs:
        value = model.rvs_to_values[rv]
        transform = model.rvs_to_transforms.get(rv)
        out[rv.name] = (tuple(ip[value.name].shape), type(transform).__name__ if transform else None)
    return out


def shared_logp_equivalence(variant, reference, data: RegressionData, draws: int = 8, seed: int = 0,
                            posteriors: tuple[xr.Dataset, xr.Dataset] | None = None) -> dict:
    """Log densities compared without a map, where two models share free-variable names, shapes and
    transforms: points drawn from both priors (or, with ``posteriors``, ``draws`` draws of each of the two
    fits' posteriors: the reference's, then the variant's), both joint log densities evaluated there
    (constrained space); equivalent specifications differ by a constant. Otherwise ``needs_map``: not run."""
    v, r = _variant(variant), _variant(reference)
    m_v, m_r = v.build_model(data), r.build_model(data)
    free_v, free_r = free_variables(m_v), free_variables(m_r)
    if free_v != free_r:
        only = sorted(set(free_v) ^ set(free_r))
        differ = sorted(k for k in set(free_v) & set(free_r) if free_v[k] != free_r[k])
        reason = "the models' free variables differ" + (f" (in one model only: {', '.join(only)})" if only else "") + (
            f" (shape or transform differs: {', '.join(differ)})" if differ else "")
        return {"status": "needs_map", "reason": reason + "; this check needs a map and was not run"}
    names = sorted(free_v)
    points = []
    if posteriors is not None:
        for posterior in posteriors:
            missing = sorted(set(names) - set(posterior.data_vars))
            if missing:
                return {"status": "not_run", "reason": f"the fit keeps no draws of {', '.join(missing)}"}
            points += [{n: v[n].values for n in names} for v in _draws(posterior, draws, seed)]
    for model in (m_r, m_v) if posteriors is None else ():
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The effect of Potentials", category=UserWarning)
            prior = pm.sample_prior_predictive(draws=draws, model=model, var_names=names, random_seed=seed,
                                              compile_kwargs={"mode": MODE})["prior"]
        points += [{n: prior[n].isel(chain=0, draw=d).values for n in names} for d in range(draws)]
    f_v, f_r = (remove_value_transforms(m).compile_logp(jacobian=False, mode=MODE) for m in (m_v, m_r))
    diffs = np.array([float(f_v(p)) - float(f_r(p)) for p in points])
    if not np.isfinite(diffs).all():
        return {"status": "different", "reason": "one model's log density is -inf where the other's is finite "
                "(different supports)", "points": len(points)}
    spread = float(np.ptp(diffs))
    tolerance = 1e-6 * max(1.0, float(np.abs(diffs).max()))
    status = "equivalent" if spread <= tolerance else "different"
    where = "both priors" if posteriors is None else "both posteriors"
    return {"status": status, "n_points": len(points), "spread": spread, "tolerance": tolerance,
            "reason": f"log densities differ by {'a constant' if status == 'equivalent' else 'varying amounts'} "
                      f"(spread {spread:.3g} nats, tolerance {tolerance:.3g}) at {len(points)} points from {where}"}


def _draws(posterior: xr.Dataset, n: int, seed: int) -> list[xr.Dataset]:
    """``n`` draws of a posterior, chosen at random (fixed seed) over chains and draws."""
    stacked = posterior.stack(sample=("chain", "draw"))
    picks = np.random.default_rng(seed).choice(stacked.sizes["sample"], size=min(n, stacked.sizes["sample"]),
                                               replace=False)
    return [stacked.isel(sample=int(i)) for i in sorted(picks)]


def prior_offsets(variant: str | Variant, data: RegressionData, draws: int = 20,
                  seed: int = 0) -> tuple[xr.Dataset, xr.DataArray]:
    """Prior draws of the top-level parameters and of the group offsets (group, predictor)."""
    module = _variant(variant)
    model = module.build_model(data)
    names = [rv.name for rv in model.free_RVs]
    with warnings.catch_warnings():  # a likelihood written as a Potential plays no part in prior draws
        warnings.filterwarnings("ignore", message="The effect of Potentials", category=UserWarning)
        prior = pm.sample_prior_predictive(draws=draws, model=model, var_names=names, random_seed=seed,
                                          compile_kwargs={"mode": MODE})
    prior = module.add_group_slopes(prior["prior"].to_dataset(), data, seed)
    common = module.to_common(prior, data.predictors)
    slopes = module.group_slopes(prior, data.predictors)
    offsets = ((slopes - common["beta"]) / common["tau"]).transpose("chain", "draw", GROUP, PREDICTOR)
    return common, offsets


def zero_sum_dims(offsets: xr.DataArray) -> list[str]:
    """Named dims along which every draw of the offsets sums to zero."""
    scale = float(np.abs(offsets).max()) or 1.0
    return [dim for dim in (GROUP, PREDICTOR) if bool(np.allclose(offsets.sum(dim), 0.0, atol=1e-9 * scale * offsets.sizes[dim]))]


def _logp_fn(variant: str | Variant, data: RegressionData):
    """The variant's joint log density (constrained space) as a function of a point, and its value dtypes."""
    model = remove_value_transforms(_variant(variant).build_model(data))
    return model.compile_logp(jacobian=False, mode=MODE), {v.name: v.dtype for v in model.value_vars}


def _logp_and_magnitude_fn(variant: str | Variant, data: RegressionData):
    """A function of a point giving ``(log p, sum of |elementwise terms|, number of terms)``, and value dtypes."""
    model = remove_value_transforms(_variant(variant).build_model(data))
    terms = [t.values if isinstance(t, XTensorVariable) else t for t in model.logp(jacobian=False, sum=False)]
    magnitude = pt.add(*[pt.abs(t).sum() for t in terms])
    count = pt.add(*[t.size for t in terms])
    fn = model.compile_fn([pt.add(*[t.sum() for t in terms]), magnitude, count], mode=MODE, point_fn=True)
    return fn, {v.name: v.dtype for v in model.value_vars}


def _as_inputs(point: dict, dtypes: dict) -> dict:
    missing = set(dtypes) - set(point)
    if missing:
        raise KeyError(f"from_common did not give {sorted(missing)}")
    return {k: np.asarray(point[k], dtype=dtypes[k]) for k in dtypes}


def _points(variant: str | Variant, data: RegressionData, n_points: int, seed: int,
            posterior: xr.Dataset | None = None) -> list[dict]:
    """``n_points`` prior draws of ``variant`` (or, with ``posterior``, draws of that fit's posterior) in the
    reference coordinates (beta, tau, sigma, offsets)."""
    if posterior is None:
        common, offsets = prior_offsets(variant, data, draws=n_points, seed=seed)
    else:
        module = _variant(variant)
        picked = xr.concat(_draws(posterior, n_points, seed), dim="sample").drop_vars(["chain", "draw", "sample"],
                                                                                       errors="ignore")
        picked = picked.rename({"sample": "draw"}).expand_dims("chain")
        common = module.to_common(picked, data.predictors)
        slopes = module.group_slopes(picked, data.predictors)
        offsets = ((slopes.astype(float) - common["beta"]) / common["tau"]).transpose("chain", "draw", GROUP,
                                                                                      PREDICTOR)
        if any(v.dtype == np.float32 for v in picked.data_vars.values()):  # sampler.group_draws: float32
            scale = np.abs(slopes.transpose("chain", "draw", GROUP, PREDICTOR).values).max(axis=-2)
            tau = common["tau"].transpose("chain", "draw", PREDICTOR).values
            offsets = offsets.copy(data=unrounded_offsets(offsets.values, scale, tau))
    common = common.stack(sample=("chain", "draw"))
    offsets = offsets.stack(sample=("chain", "draw")).transpose("sample", GROUP, PREDICTOR)
    return [{"beta": common["beta"].isel(sample=i).values, "tau": common["tau"].isel(sample=i).values,
             "sigma": common["sigma"].isel(sample=i).values, "offsets": offsets.isel(sample=i).values}
            for i in range(n_points)]


def unrounded_offsets(offsets: np.ndarray, slope_scale: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """Offsets ``(..., group, predictor)`` computed from group slopes stored as float32, put back on the zero
    sums they met before rounding: an axis along which every mean is within float32 rounding of zero has its
    means subtracted.

    Rounding a slope moves its offset by at most ``eps32 / 2 * |slope| / tau``, so along an axis where the
    sampled offsets summed to zero every mean lies within that bound; along one where they did not, the
    means are of order ``1 / sqrt(axis length)`` and some lie far beyond it (the axis is judged as a whole:
    one mean near zero by chance says nothing). Without this, a zero-sum variable's log density is -inf at
    such a point, and a posterior point would read as "outside the support". ``slope_scale``: the largest
    ``|slope|`` per predictor, ``(..., predictor)``; ``tau`` broadcasts like it.
    """
    bound = 16 * np.finfo(np.float32).eps * (np.asarray(slope_scale) / np.asarray(tau))[..., None, :]
    for axis in (-2, -1):
        mean = offsets.mean(axis=axis, keepdims=True)
        limit = bound.max(axis=-1, keepdims=True) if axis == -1 else bound
        if np.all(np.abs(mean) <= limit):
            offsets = offsets - mean
    return offsets


def fp_tolerance(magnitude: float, n_terms: int) -> float:
    """Floating-point error bound, in nats, of a log density summed from ``n_terms`` terms of total size
    ``magnitude`` (sum of their absolute values)."""
    return FP_SAFETY * EPS * max(1.0, np.log2(max(n_terms, 2))) * magnitude


def _evaluate(module: Variant, fn, dtypes: dict, point: dict, data: RegressionData) -> tuple[float, float]:
    """Log density (plus ``logp_correction``) of ``module`` at a reference-coordinate point, and its FP error
    bound; raises NoMap when the variant cannot represent the point."""
    logp, magnitude, count = fn(_as_inputs(module.from_common(point, data.predictors), dtypes))
    correction = module.logp_correction(point, data)
    return float(logp) + correction, fp_tolerance(float(magnitude) + abs(correction), int(count))


def logp_equivalence(variant: str | Variant, reference: str | Variant, data: RegressionData, n_points: int = 8,
                     seed: int = 0, posteriors: tuple[xr.Dataset, xr.Dataset] | None = None) -> dict:
    """Compare log densities of ``variant`` and ``reference`` at points from both priors (see module docstring),
    or, with ``posteriors`` (the reference fit's and the variant fit's), at draws of both posteriors."""
    ref_module, var_module = _variant(reference), _variant(variant)
    ref_fn, ref_dtypes = _logp_and_magnitude_fn(ref_module, data)
    var_fn, var_dtypes = _logp_and_magnitude_fn(var_module, data)
    ref_post, var_post = posteriors if posteriors is not None else (None, None)
    where = "both priors" if posteriors is None else "both posteriors"
    diffs, errors = [], []
    for i, point in enumerate(_points(ref_module, data, n_points, seed, ref_post)):
        ref_lp, ref_err = _evaluate(ref_module, ref_fn, ref_dtypes, point, data)
        if not np.isfinite(ref_lp):
            return {"status": "not_run", "n_points": i + 1,
                    "reason": f"the reference's log density is {ref_lp} at a point from its own "
                              f"{'prior' if posteriors is None else 'posterior'}, so nothing can be compared there"}
        try:
            var_lp, var_err = _evaluate(var_module, var_fn, var_dtypes, point, data)
        except NoMap as exc:
            return {"status": "no_map", "reason": str(exc), "n_points": i + 1}
        if not np.isfinite(var_lp):
            return {
                "status": "no_map",
                "reason": "the reference's parameter values lie outside this variant's support "
                "(its log density is -inf there)",
                "n_points": i + 1,
            }
        diffs.append(var_lp - ref_lp)
        errors.append(ref_err + var_err)
    outside = 0
    own = _points(var_module, data, n_points, seed + 1, var_post)
    for point in own:
        var_lp, var_err = _evaluate(var_module, var_fn, var_dtypes, point, data)
        if not np.isfinite(var_lp):
            return {"status": "not_run", "n_points": n_points,
                    "reason": f"this variant's log density is {var_lp} at a point from its own "
                              f"{'prior' if posteriors is None else 'posterior'}, so nothing can be compared there"}
        try:
            ref_lp, ref_err = _evaluate(ref_module, ref_fn, ref_dtypes, point, data)
        except NoMap:
            ref_lp, ref_err = -np.inf, 0.0
        if not np.isfinite(ref_lp):
            outside += 1
            continue
        diffs.append(var_lp - ref_lp)
        errors.append(ref_err + var_err)
    n_total = 2 * n_points
    diffs = np.array(diffs)
    spread = float(np.ptp(diffs))
    tol = 2 * float(max(errors))  # the spread is the difference of two differences
    result = {"n_points": n_total, "constant": float(diffs[0]), "spread": spread, "tolerance": tol,
              "outside_reference_support": outside}
    if outside:
        return result | {
            "status": "different",
            "reason": f"{outside} of {n_points} points from this variant's {'prior' if posteriors is None else 'posterior'} lie "
                      "outside the reference's "
                      "support (its log density is -inf there): the variant's support is larger",
        }
    if spread <= tol:
        return result | {"status": "equivalent",
                         "reason": f"log densities differ by a constant ({diffs[0]:.6g}) at {n_total} points from "
                                   f"{where} (spread {spread:.2g} nats, floating-point tolerance {tol:.2g})"}
    return result | {"status": "different",
                     "reason": f"log density differences vary by {spread:.3g} nats across {n_total} points from "
                               f"{where} (floating-point tolerance {tol:.2g})"}


def run_checks(variant, reference, data: RegressionData, seed: int = 0) -> dict:
    """The structural checks of one variant on one dataset, with timings: the zero-sum axes read from the
    model's graph (every ZeroSumNormal by name), the zero-sum axis of its group offsets from prior draws
    (where the variant gives its group slopes) and log-density equivalence with the reference (through
    the variant's map for built-in variants; without a map where both share their free variables), and
    its outcome family (``outcome``: ``{family, discrete}``, None when it has no single one)."""
    t0 = time.perf_counter()
    model = _variant(variant).build_model(data)
    records, sentences = zero_sum_report(model)
    outcome = _variant(variant).outcome(model)
    try:
        _, offsets = prior_offsets(variant, data, seed=seed)
        dims, degenerate = zero_sum_dims(offsets), bool(np.allclose(offsets, 0.0, atol=1e-12))
        zero_sum_ok = dims == [EXPECTED_ZERO_SUM_DIM] and not degenerate
    except KeyError as exc:  # a user model that keeps no group slopes: the graph is the evidence
        dims, degenerate = None, False
        zero_sum_ok = bool(records) and not any(r["flagged"] for r in records)
        sentences.append(f"group offsets not recovered from prior draws ({exc})")
    t1 = time.perf_counter()
    if _is_user(variant) or _is_user(reference):
        logp = shared_logp_equivalence(variant, reference, data, seed=seed)
    else:
        logp = logp_equivalence(variant, reference, data, seed=seed)
    t2 = time.perf_counter()
    return {
        "variant": _variant(variant).name,
        "reference": _variant(reference).name,
        "zero_sum_dims": dims,
        "zero_sum_variables": records,
        "structure": sentences,
        "expected_zero_sum_dim": EXPECTED_ZERO_SUM_DIM,
        "zero_sum_ok": zero_sum_ok,
        "offsets_all_zero": degenerate,
        "outcome": outcome.to_dict() if outcome else None,  # the observed variable's family (models.outcome)
        "logp": logp,
        "seconds": {"zero_sum": t1 - t0, "logp": t2 - t1},
    }


POSTERIOR_POINTS = 8  # draws of each posterior at which the log densities are compared after sampling


def posterior_logp_check(variant, reference, data: RegressionData, fit, reference_fit,
                         n_points: int = POSTERIOR_POINTS, seed: int = 0) -> dict:
    """The log-density check at draws of both posteriors (``fit``: the variant's fit tree, ``reference_fit``
    the reference's, on ``data``): where the prior draws sit far from the data, the posterior's region is
    where a difference matters. ``not_run`` with the reason when a fit failed or keeps no draws of its group
    slopes (``group_draws: summary``)."""
    from zsneq.models.fit import fit_status

    for name, tree in (("this variant's", fit), ("the reference's", reference_fit)):
        if fit_status(tree) != "ok":
            return {"status": "not_run", "reason": f"{name} fit failed"}
    posteriors = (reference_fit["posterior"].to_dataset(), fit["posterior"].to_dataset())
    try:
        if _is_user(variant) or _is_user(reference):
            return shared_logp_equivalence(variant, reference, data, draws=n_points, seed=seed, posteriors=posteriors)
        return logp_equivalence(variant, reference, data, n_points=n_points, seed=seed, posteriors=posteriors)
    except KeyError as exc:  # group-level draws not kept (group_draws: summary)
        return {"status": "not_run", "reason": f"the fits keep no per-draw group slopes ({exc})"}
