"""Post-sampling verdicts: agreement with the reference variant, recovery of the truth, sampler health.

Rules (per scenario, replicate, variant and parameter):

- **Agreement with the reference** fitted to the same data. ``delta = mean - mean_ref``;
  ``z_ref = delta / sqrt(mcse_mean**2 + mcse_mean_ref**2)`` measures the difference
  in Monte Carlo standard errors, ``effect = |delta| / sd_ref`` in posterior standard
  deviations. A parameter *disagrees* when the difference is both beyond Monte Carlo
  noise (``|z_ref| > Z_MAX``) and large enough to matter (``effect > EFFECT_MAX``);
  otherwise it agrees. A variant agrees when all its parameters do.
- **Recovery**: whether the value the model targets lies inside the 94% HDI, and
  ``z_truth = (mean - target) / sd``. For tau and sigma the target is the simulated
  value; for beta it is the mean of the simulated groups' slopes, which is what a
  model with zero-sum group offsets estimates (see ``Truth.targets``).
- **Health**: divergences > 0, ``r_hat > RHAT_MAX`` or ``ess_bulk < ESS_MIN`` are flagged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zsneq.core.vocabulary import parameter_order

Z_MAX = 3.0
EFFECT_MAX = 0.2
RHAT_MAX = 1.01
ESS_MIN = 400

KEYS = ["scenario", "rep", "variant", "parameter"]


def parameter_verdicts(summary: pd.DataFrame, reference: str) -> pd.DataFrame:
    """One row per (scenario, rep, variant, parameter) with agreement, recovery and health."""
    ref = summary[summary["variant"] == reference][["scenario", "rep", "parameter", "mean", "sd", "mcse_mean"]]
    ref = ref.rename(columns={"mean": "ref_mean", "sd": "ref_sd", "mcse_mean": "ref_mcse_mean"})
    out = summary.merge(ref, on=["scenario", "rep", "parameter"], how="left")
    out.insert(3, "reference", reference)
    out["delta_mean"] = out["mean"] - out["ref_mean"]
    out["z_ref"] = out["delta_mean"] / np.sqrt(out["mcse_mean"] ** 2 + out["ref_mcse_mean"] ** 2)
    out["effect_sd"] = out["delta_mean"].abs() / out["ref_sd"]
    is_ref = out["variant"] == reference
    out.loc[is_ref, ["delta_mean", "z_ref", "effect_sd"]] = 0.0
    agrees = ~((out["z_ref"].abs() > Z_MAX) & (out["effect_sd"] > EFFECT_MAX))
    out["agrees"] = agrees.astype("boolean").mask(out["ref_mean"].isna())  # NA: reference fit missing
    out["truth_in_hdi"] = (out["hdi_3%"] <= out["target"]) & (out["target"] <= out["hdi_97%"])
    out["z_truth"] = (out["mean"] - out["target"]) / out["sd"]
    out["divergent"] = out["divergences"] > 0
    out["rhat_high"] = out["r_hat"] > RHAT_MAX
    out["ess_low"] = out["ess_bulk"] < ESS_MIN
    cols = [
        *KEYS[:3], "reference", "parameter", "mean", "sd", "truth", "target", "ref_mean", "delta_mean", "z_ref",
        "effect_sd", "agrees", "truth_in_hdi", "z_truth", "divergences", "r_hat", "ess_bulk",
        "divergent", "rhat_high", "ess_low",
    ]
    return out[cols]


def _compact(params: list[str]) -> str:
    """``tau[x1], tau[x2], tau[x3]`` -> ``tau[x1..x3]`` for runs within a family."""
    out, by_family = [], {}
    for p in parameter_order(params):
        fam, _, rest = p.partition("[")
        by_family.setdefault(fam, []).append(rest.rstrip("]"))
    for fam, items in by_family.items():
        items = [i for i in items if i]
        if not items:
            out.append(fam)
        elif len(items) > 2 and _consecutive(items):
            out.append(f"{fam}[{items[0]}..{items[-1]}]")
        else:
            out += [f"{fam}[{i}]" for i in items]
    return ", ".join(out)


def _consecutive(items: list[str]) -> bool:
    """Whether names are x<k>, x<k+1>, ... in order."""
    if not all(i.startswith("x") and i[1:].isdigit() for i in items):
        return False
    nums = [int(i[1:]) for i in items]
    return nums == list(range(nums[0], nums[0] + len(nums)))


def _structure_clause(check: dict | None) -> str:
    if not check:
        return ""
    clauses = []
    dims, expected = check["zero_sum_dims"], check["expected_zero_sum_dim"]
    if check.get("offsets_all_zero"):
        clauses.append("its group offsets are all zero (a zero-sum over an axis of length 1), so groups cannot differ")
    elif dims != [expected]:
        along = " and ".join(f"`{d}`" for d in dims) if dims else "no named dimension"
        clauses.append(f"its group offsets sum to zero along {along}, not `{expected}`")
    logp = check["logp"]
    if logp["status"] == "no_map":
        clauses.append(f"no map to {check['reference']}'s parameters: {logp['reason']}")
    elif logp["status"] == "different":
        clauses.append(f"its log density is not {check['reference']}'s up to a constant ({logp['reason']})")
    return "; ".join(clauses)


def variant_verdicts(params: pd.DataFrame, checks: dict[tuple[str, str], dict] | None = None) -> pd.DataFrame:
    """One row per (scenario, rep, variant): a verdict and a plain-language sentence."""
    checks = checks or {}
    rows = []
    for (scenario, rep, variant), g in params.groupby(["scenario", "rep", "variant"], sort=False):
        reference = g["reference"].iloc[0]
        check = checks.get((scenario, variant))
        structure = _structure_clause(check)
        n = len(g)
        if variant == reference:
            verdict, text = "reference", f"the reference variant ({n} parameters)"
        elif g["agrees"].isna().any():
            verdict, text = "unknown", f"cannot compare: the {reference} fit is missing"
        elif g["agrees"].all():
            verdict = "agrees"
            text = f"agrees with {reference} on all {n} parameters (max |Δmean| = {g['effect_sd'].max():.2f} sd)"
        else:
            verdict = "disagrees"
            bad = g[~g["agrees"].astype(bool)]
            text = (
                f"disagrees with {reference} on {_compact(list(bad['parameter']))} "
                f"by up to {bad['effect_sd'].max():.1f} sd"
            )
        if structure:
            text += "; " + structure
        elif check and check["logp"]["status"] == "equivalent" and variant != reference:
            text += "; same log density as the reference up to a constant"
        outside = g.loc[~g["truth_in_hdi"], "parameter"].tolist()
        text += (
            f". Truth inside the 94% HDI for {n - len(outside)}/{n}"
            + (f" (outside: {_compact(outside)})" if outside else "")
        )
        health = []
        if g["divergences"].iloc[0] > 0:
            health.append(f"{int(g['divergences'].iloc[0])} divergences")
        if g["rhat_high"].any():
            health.append(f"r_hat > {RHAT_MAX} for {_compact(list(g.loc[g['rhat_high'], 'parameter']))}")
        if g["ess_low"].any():
            health.append(f"ess_bulk < {ESS_MIN} for {_compact(list(g.loc[g['ess_low'], 'parameter']))}")
        text += ". Sampler: " + ("; ".join(health) if health else "no warnings") + "."
        rows.append({
            "scenario": scenario, "rep": int(rep), "variant": variant, "reference": reference,
            "verdict": verdict,
            "structure_ok": None if check is None else bool(check["zero_sum_ok"] and check["logp"]["status"] == "equivalent"),
            "max_effect_sd": float(g["effect_sd"].max()),
            "truth_in_hdi": int(n - len(outside)), "n_parameters": n,
            "healthy": not health, "statement": f"{variant}: {text}",
        })
    return pd.DataFrame(rows)
