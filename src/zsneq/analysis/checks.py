"""Pre-sampling structural checks of a variant, seconds each.

1. Zero-sum axis: draw the variant's prior, recover its group offsets
   ``(slope - beta) / tau`` through the variant interface and report along which
   named dimension(s) they sum to zero. A ZeroSumNormal over groups should give
   ``["group"]``. A variant whose likelihood integrates the group slopes out has
   none in its prior; its offsets are then the exact conditional draws given the
   data at prior draws of beta, tau and sigma (``add_group_slopes``), which must
   keep the same constraint.
2. Log-density equivalence: draw points from the reference variant's prior, map
   each to the variant's parameters (``from_common``) and evaluate both models'
   joint log densities on the same data, in the constrained space, each plus its
   ``logp_correction`` so that both are densities of the same coordinates (beta,
   tau, sigma, offsets): the log Jacobian for centered group slopes, and for a
   likelihood that integrates the slopes out, the exact log density of the
   offsets given the data (``log p(y, offsets | theta) = log p(y | theta) +
   log p(offsets | y, theta)``). Equivalent specifications differ by a constant;
   anything else differs from point to point. Where the variant cannot represent a
   reference point (``NoMap``, or log density -inf because the point is outside
   its support) no map exists, and the reason is reported.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pymc as pm
import xarray as xr
from pymc.model.transform.conditioning import remove_value_transforms

from zsneq.core.dataset import RegressionData
from zsneq.core.vocabulary import GROUP, PREDICTOR
from zsneq.models.variants import NoMap, get_variant

EXPECTED_ZERO_SUM_DIM = GROUP
RTOL = 1e-8
# The checks evaluate each compiled function a few times: compile fast rather than run fast. On the seed
# scenario this takes a check from about 30 s (numba, cold private cache) to a few seconds.
MODE = "FAST_COMPILE"


def prior_offsets(variant: str, data: RegressionData, draws: int = 20, seed: int = 0) -> tuple[xr.Dataset, xr.DataArray]:
    """Prior draws of the top-level parameters and of the group offsets (group, predictor)."""
    module = get_variant(variant)
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


def _logp_fn(variant: str, data: RegressionData):
    model = remove_value_transforms(get_variant(variant).build_model(data))
    return model.compile_logp(jacobian=False, mode=MODE), {v.name: v.dtype for v in model.value_vars}


def _as_inputs(point: dict, dtypes: dict) -> dict:
    missing = set(dtypes) - set(point)
    if missing:
        raise KeyError(f"from_common did not give {sorted(missing)}")
    return {k: np.asarray(point[k], dtype=dtypes[k]) for k in dtypes}


def logp_equivalence(variant: str, reference: str, data: RegressionData, n_points: int = 8, seed: int = 0) -> dict:
    """Compare log densities of ``variant`` and ``reference`` at mapped reference-prior points."""
    common, offsets = prior_offsets(reference, data, draws=n_points, seed=seed)
    common = common.stack(sample=("chain", "draw"))
    offsets = offsets.stack(sample=("chain", "draw")).transpose("sample", GROUP, PREDICTOR)
    ref_module, var_module = get_variant(reference), get_variant(variant)
    ref_fn, ref_dtypes = _logp_fn(reference, data)
    var_fn, var_dtypes = _logp_fn(variant, data)
    ref_lp, var_lp = [], []
    for i in range(n_points):
        point = {
            "beta": common["beta"].isel(sample=i).values,
            "tau": common["tau"].isel(sample=i).values,
            "sigma": common["sigma"].isel(sample=i).values,
            "offsets": offsets.isel(sample=i).values,
        }
        ref_point = _as_inputs(ref_module.from_common(point, data.predictors), ref_dtypes)
        ref_lp.append(float(ref_fn(ref_point)) + ref_module.logp_correction(point, data))
        try:
            mapped = var_module.from_common(point, data.predictors)
        except NoMap as exc:
            return {"status": "no_map", "reason": str(exc), "n_points": i + 1}
        var_lp.append(float(var_fn(_as_inputs(mapped, var_dtypes))) + var_module.logp_correction(point, data))
        if not np.isfinite(var_lp[-1]):
            return {
                "status": "no_map",
                "reason": "the reference's parameter values lie outside this variant's support "
                "(its log density is -inf there)",
                "n_points": i + 1,
            }
    diffs = np.array(var_lp) - np.array(ref_lp)
    spread = float(np.ptp(diffs))
    tol = RTOL * max(1.0, float(np.max(np.abs(ref_lp))))
    return {
        "status": "equivalent" if spread <= tol else "different",
        "reason": (
            f"log densities differ by a constant ({diffs[0]:.6g}) at {n_points} points"
            if spread <= tol
            else f"log density differences vary by {spread:.3g} across {n_points} points (tolerance {tol:.2g})"
        ),
        "n_points": n_points,
        "constant": float(diffs[0]),
        "spread": spread,
        "tolerance": tol,
    }


def run_checks(variant: str, reference: str, data: RegressionData, seed: int = 0) -> dict:
    """Both structural checks for one variant on one dataset, with timings."""
    t0 = time.perf_counter()
    _, offsets = prior_offsets(variant, data, seed=seed)
    dims = zero_sum_dims(offsets)
    degenerate = bool(np.allclose(offsets, 0.0, atol=1e-12))
    t1 = time.perf_counter()
    logp = logp_equivalence(variant, reference, data, seed=seed)
    t2 = time.perf_counter()
    return {
        "variant": variant,
        "reference": reference,
        "zero_sum_dims": dims,
        "expected_zero_sum_dim": EXPECTED_ZERO_SUM_DIM,
        "zero_sum_ok": dims == [EXPECTED_ZERO_SUM_DIM] and not degenerate,
        "offsets_all_zero": degenerate,
        "logp": logp,
        "seconds": {"zero_sum": t1 - t0, "logp": t2 - t1},
    }
