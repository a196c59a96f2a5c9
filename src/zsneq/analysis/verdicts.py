"""Post-sampling verdicts as tables: the two questions per variant, recovery of the truth, sampler health.

The rules are in ``zsneq.analysis.rules`` (formulas) and the words in ``zsneq.analysis.statements``; this
module gathers the evidence into tables:

- **Baseline** (``choose_baselines``): per dataset, the variants are compared with the most precise
  healthy fit among the reference and the variants proven to be its model (log density equal up to a
  constant at prior points, and not shown different at posterior points), precision being the smallest
  ``min(ess_bulk, ess_tail)`` over its parameters. A fast exact likelihood thus pays for the precision
  once, instead of every variant needing many draws. The reference is compared with the baseline too,
  and keeps its own sampler-health verdict.
- **Compared quantities** (``parameter_verdicts``): the posterior mean, sd, 5% and 95% quantiles of each
  top-level parameter both fits have, each with its Monte Carlo standard error, in units of the
  baseline's posterior sd.
- **Group-level quantities** (``group_slope_verdicts``): every group's posterior mean slope (per
  predictor) and every group's expected response (the mean over its rows of ``E[y | parameters]``, which
  needs no shared parameter names), in units of that quantity's baseline sd.
- **Labels** (``rules.classify``): agreement needs each quantity inside the margin at one-sided
  ``alpha``; disagreement needs one beyond it at ``alpha / K``, with ``K`` every quantity compared in
  the study (``count_compared``). A variant's posterior agrees when all its quantities (and group-level
  quantities) agree, disagrees when one disagrees; quantities only one model has keep it from agreeing.
- **Sampler trouble** in this fit or the baseline's (divergences, ``r_hat > RHAT_MAX``, ``ess_bulk`` or
  ``ess_tail`` below ``ESS_MIN``) makes the posterior verdict **unreliable**, with the comparison it would
  have given; never *disagrees*.
- **Model** (``rules.model_verdict``): from the log-density checks, the zero-sum axis, the prior
  predictive and the posterior verdict.
- **Recovery**: whether the value the model targets lies inside the 94% HDI, and ``z_truth = (mean -
  target) / sd``. For tau and sigma the target is the simulated value; for beta it is the mean of the
  simulated groups' slopes, which is what a model with zero-sum group offsets estimates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zsneq.analysis import statements
from zsneq.analysis.rules import (
    ALPHA,
    ESS_MIN,
    K_GOOD,
    MARGIN,
    RHAT_MAX,
    Model,
    Verdict,
    classify,
    combine,
    draws_to_settle,
    model_verdict,
    z_agree,
    z_disagree,
)
from zsneq.core.vocabulary import RESPONSE_QUANTITY, SLOPE_QUANTITY

__all__ = ["ALPHA", "K_GOOD", "MARGIN", "Model", "Verdict", "judge", "parameter_verdicts", "group_slope_verdicts",
           "variant_verdicts", "elpd_differences", "choose_baselines", "count_compared", "verdict_counts"]

QUANTITIES = {"mean": "mcse_mean", "sd": "mcse_sd", "q5": "mcse_q5", "q95": "mcse_q95"}
WORST_GROUPS = 3  # groups named in a statement
KEYS = ["scenario", "rep", "variant", "parameter"]
HEALTH = ["divergences", "r_hat", "ess_bulk", "ess_tail"]


def _health(frame: pd.DataFrame, prefix: str = "") -> pd.Series:
    """Sampler trouble of one fit's parameter rows as a reason string ('' when none)."""
    reasons = []
    div = frame[f"{prefix}divergences"]
    rhat, ess_bulk, ess_tail = frame[f"{prefix}r_hat"], frame[f"{prefix}ess_bulk"], frame[f"{prefix}ess_tail"]
    reasons.append(np.where(div > 0, div.fillna(0).astype(int).astype(str) + " divergences", ""))
    reasons.append(np.where(rhat > RHAT_MAX, "r_hat " + rhat.round(3).astype(str), ""))
    ess = np.minimum(ess_bulk, ess_tail)
    reasons.append(np.where(ess < ESS_MIN, "ess " + ess.round(0).astype("Int64").astype(str), ""))
    joined = [f"{param} " + ", ".join(r for r in parts if r) if any(parts) else ""
              for param, *parts in zip(frame["parameter"], *reasons, strict=True)]
    return pd.Series(joined, index=frame.index)


# --- the baseline ------------------------------------------------------------------------------------


def _proven(check: dict | None, posterior: dict | None) -> bool:
    """Whether a variant is proven to be the reference's model: log density equal up to a constant."""
    return bool(check) and check["logp"]["status"] == "equivalent" and not (
        posterior and posterior["logp"]["status"] == "different")


def choose_baselines(summary: pd.DataFrame, reference: str, checks: dict | None = None,
                     posterior_checks: dict | None = None) -> dict[tuple[str, int], str]:
    """Per (scenario, rep): the most precise healthy fit among the reference and the variants proven to be
    its model, with every parameter the reference has (the reference when none is healthier)."""
    checks, posterior_checks = checks or {}, posterior_checks or {}
    out = {}
    for (scenario, rep), rows in summary.groupby(["scenario", "rep"], sort=False):
        ref_params = set(rows.loc[rows["variant"] == reference, "parameter"])
        best, best_ess = reference, -np.inf
        for variant, g in rows.groupby("variant", sort=False):
            if variant != reference and not _proven(checks.get((scenario, variant)),
                                                    posterior_checks.get((scenario, variant))):
                continue
            if not ref_params or not ref_params <= set(g["parameter"]) or (_health(g) != "").any():
                continue
            ess = float(np.minimum(g["ess_bulk"], g["ess_tail"]).min())
            if ess > best_ess or (ess == best_ess and variant == reference):
                best, best_ess = variant, ess
        out[(scenario, int(rep))] = best
    return out


def _baseline_column(frame: pd.DataFrame, reference: str, baselines: dict | None) -> pd.Series:
    baselines = baselines or {}
    return pd.Series([baselines.get((s, int(r)), reference) for s, r in zip(frame["scenario"], frame["rep"])],
                     index=frame.index, dtype=object)


# --- parameters ---------------------------------------------------------------------------------------


def parameter_differences(summary: pd.DataFrame, reference: str, baselines: dict | None = None) -> pd.DataFrame:
    """Every fit's parameter rows beside the baseline's (``base_*`` columns), with each quantity's
    difference ``delta_<q>`` and standard error ``se_<q>``."""
    base_cols = ["mean", "sd", "q5", "q95", *QUANTITIES.values(), *HEALTH]
    out = summary.copy()
    out.insert(3, "reference", reference)
    out.insert(4, "baseline", _baseline_column(out, reference, baselines))
    base = summary[["scenario", "rep", "variant", "parameter", *base_cols]].rename(
        columns={"variant": "baseline", **{c: f"base_{c}" for c in base_cols}})
    out = out.merge(base, on=["scenario", "rep", "baseline", "parameter"], how="left")
    for q, mcse in QUANTITIES.items():
        out[f"delta_{q}"] = out[q] - out[f"base_{q}"]
        out[f"se_{q}"] = np.sqrt(out[mcse] ** 2 + out[f"base_{mcse}"] ** 2)
    return out


def _compared_rows(out: pd.DataFrame) -> np.ndarray:
    return ((out["variant"] != out["baseline"]) & out["base_mean"].notna()).to_numpy()


def parameter_verdicts(summary: pd.DataFrame, reference: str, margin: float = MARGIN, alpha: float = ALPHA,
                       baselines: dict | None = None, k: int | None = None) -> pd.DataFrame:
    """One row per (scenario, rep, variant, parameter): each quantity's comparison with the baseline, the
    parameter's label, recovery and health. ``k``: the quantities compared in the whole study (the
    disagreement rule's multiplicity; default: those of this table)."""
    out = parameter_differences(summary, reference, baselines)
    compared = _compared_rows(out)
    k = int(compared.sum()) * len(QUANTITIES) if k is None else k
    z_a, z_d = z_agree(alpha), z_disagree(alpha, k)
    out["margin"], out["alpha"], out["k_compared"], out["z_agree"], out["z_disagree"] = margin, alpha, k, z_a, z_d
    parts = []
    for q in QUANTITIES:
        labels, lower, upper = classify(out[f"delta_{q}"], out[f"se_{q}"], out["base_sd"], margin, z_a, z_d)
        out[f"lower_{q}"], out[f"upper_{q}"], out[f"verdict_{q}"] = lower, upper, labels
        parts.append(labels)
    out["effect_sd"] = out["delta_mean"].abs() / out["base_sd"]
    is_base = (out["variant"] == out["baseline"]).to_numpy()
    out.loc[is_base, ["delta_mean", "effect_sd"]] = 0.0
    out["max_upper"] = out[[f"upper_{q}" for q in QUANTITIES]].max(axis=1)
    own, theirs = _health(out), _health(out, "base_")
    out["trouble"] = [
        "; ".join(x for x in (f"this fit: {a}" if a else "", f"{b_name}: {b}" if b and not base else "") if x)
        for a, b, base, b_name in zip(own, theirs, is_base, out["baseline"], strict=True)
    ]
    verdict = np.array([combine(row) for row in np.stack(parts, axis=1)], dtype=object)
    verdict = np.where(out["trouble"] != "", Verdict.UNRELIABLE, verdict)
    verdict = np.where(out["base_mean"].isna().to_numpy(), Verdict.UNKNOWN, verdict)
    base_label = np.where(out["variant"] == reference, Verdict.REFERENCE, Verdict.BASELINE)
    out["verdict"] = np.where(is_base, base_label, verdict).astype(str)
    out["truth_in_hdi"] = (out["hdi_3%"] <= out["target"]) & (out["target"] <= out["hdi_97%"])
    out["z_truth"] = (out["mean"] - out["target"]) / out["sd"]
    out["divergent"] = out["divergences"] > 0
    out["rhat_high"] = out["r_hat"] > RHAT_MAX
    out["ess_low"] = np.minimum(out["ess_bulk"], out["ess_tail"]) < ESS_MIN
    per_q = [f"{c}_{q}" for q in QUANTITIES for c in ("delta", "se", "lower", "upper", "verdict")]
    cols = [
        *KEYS[:3], "reference", "baseline", "parameter", "mean", "sd", "q5", "q95", *QUANTITIES.values(), "truth",
        "target", "base_mean", "base_sd", *[f"base_{m}" for m in QUANTITIES.values()], "margin", "alpha",
        "k_compared", "z_agree", "z_disagree", *per_q, "effect_sd", "max_upper", "verdict", "trouble",
        "truth_in_hdi", "z_truth", *HEALTH, "divergent", "rhat_high", "ess_low",
    ]
    return out[cols]


# --- groups -------------------------------------------------------------------------------------------

GROUP_COLUMNS = ["scenario", "rep", "variant", "reference", "baseline", "quantity", "n_slopes", "z_disagree",
                 "group_verdict", "group_max_upper", "group_factor", "group_factor_both", "worst_groups"]


def group_pairs(slopes: pd.DataFrame | None, reference: str, quantity: str = SLOPE_QUANTITY,
                baselines: dict | None = None) -> pd.DataFrame:
    """Every fit's group-level rows of ``quantity`` beside the baseline's (``*_ref`` columns)."""
    if slopes is not None and "quantity" in slopes:
        slopes = slopes[slopes["quantity"] == quantity]
    if slopes is None or slopes.empty:
        return pd.DataFrame()
    slopes = slopes.assign(baseline=_baseline_column(slopes, reference, baselines))
    on = ["scenario", "rep", "group", "predictor"]
    base = slopes[slopes["variant"] == slopes["baseline"]][[*on, "variant", "mean", "sd", "mcse_mean"]]
    base = base.rename(columns={"variant": "baseline"})
    return slopes[slopes["variant"] != slopes["baseline"]].merge(base, on=[*on, "baseline"], suffixes=("", "_ref"))


def group_slope_verdicts(slopes: pd.DataFrame, reference: str, margin: float = MARGIN,
                         quantity: str = SLOPE_QUANTITY, alpha: float = ALPHA, baselines: dict | None = None,
                         k: int | None = None) -> pd.DataFrame:
    """One row per (scenario, rep, variant) other than the baseline: every group's posterior mean of
    ``quantity`` compared (``slope``: each group's slope per predictor; ``expected_response``: each
    group's expected response) by the rules of ``rules.classify`` (``k``: the study's compared quantities;
    default: the rows of this table).

    ``slopes``: rows of ``summarize_group_slopes`` (quantity, group, predictor, mean, sd, mcse_mean) for
    every fit. ``worst_groups`` names the ``WORST_GROUPS`` groups (``group[predictor]`` for slopes) with
    the largest standardized difference ``|delta| / sd_ref`` and their ``z = delta / se``.
    """
    pairs = group_pairs(slopes, reference, quantity, baselines)
    if pairs.empty:
        return pd.DataFrame(columns=GROUP_COLUMNS)
    k = len(pairs) if k is None else k
    z_a, z_d = z_agree(alpha), z_disagree(alpha, k)
    rows = []
    for (scenario, rep, variant), g in pairs.groupby(["scenario", "rep", "variant"], sort=False):
        delta = (g["mean"] - g["mean_ref"]).to_numpy()
        se = np.sqrt(g["mcse_mean"] ** 2 + g["mcse_mean_ref"] ** 2).to_numpy()
        scale = g["sd_ref"].to_numpy()
        labels, _, upper = classify(delta, se, scale, margin, z_a, z_d)
        verdict = combine(labels)
        factor, both = draws_to_settle(g["mcse_mean"], g["mcse_mean_ref"], scale, margin, z_a)
        effect = np.abs(delta) / scale
        worst = np.argsort(-effect, kind="stable")[:WORST_GROUPS]
        names = [f"{gr}[{p}]" if p else str(gr) for gr, p in
                 zip(g["group"].to_numpy()[worst], g["predictor"].to_numpy()[worst], strict=True)]
        rows.append({
            "scenario": scenario, "rep": int(rep), "variant": variant, "reference": reference,
            "baseline": g["baseline"].iloc[0], "quantity": quantity, "n_slopes": len(g), "z_disagree": z_d,
            "group_verdict": str(verdict), "group_max_upper": float(np.max(upper)),
            "group_factor": factor, "group_factor_both": both,
            "worst_groups": ", ".join(f"{n} {e:.2f} sd (z = {d / s:.1f})" for n, e, d, s in
                                      zip(names, effect[worst], delta[worst], se[worst], strict=True)),
        })
    return pd.DataFrame(rows, columns=GROUP_COLUMNS)


def count_compared(summary: pd.DataFrame, slopes: pd.DataFrame | None, reference: str,
                   baselines: dict | None = None) -> int:
    """``K``: every quantity compared in the study, parameters (four quantities each) and group-level
    quantities, over all scenarios, replicates and variants."""
    k = int(_compared_rows(parameter_differences(summary, reference, baselines)).sum()) * len(QUANTITIES)
    for quantity in (SLOPE_QUANTITY, RESPONSE_QUANTITY):
        k += len(group_pairs(slopes, reference, quantity, baselines))
    return max(k, 1)


# --- leave-one-group-out ------------------------------------------------------------------------------


def elpd_differences(loo: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Each fit's leave-one-group-out ELPD against the reference's on the same data, paired by group
    (as ``az.compare``): ``elpd_diff`` = sum over groups of ``elpd_i - elpd_i_ref`` and its standard
    error ``sqrt(G * var(differences))``, with the number of groups whose Pareto k exceeds ``K_GOOD``
    in either fit. Equivalent specifications give differences within a few standard errors of 0,
    whatever their parameters are called."""
    ref = loo[loo["variant"] == reference][["scenario", "rep", "group", "elpd_i", "pareto_k"]]
    both = loo.merge(ref, on=["scenario", "rep", "group"], suffixes=("", "_ref"))
    rows = []
    for (scenario, rep, variant), g in both.groupby(["scenario", "rep", "variant"], sort=False):
        d = (g["elpd_i"] - g["elpd_i_ref"]).to_numpy()
        rows.append({"scenario": scenario, "rep": int(rep), "variant": variant, "elpd_diff": float(d.sum()),
                     "elpd_diff_se": float(np.sqrt(len(d) * d.var(ddof=1))) if len(d) > 1 else float("nan"),
                     "high_k_groups": int(((g["pareto_k"] > K_GOOD) | (g["pareto_k_ref"] > K_GOOD)).sum()),
                     "n_groups": len(d)})
    return pd.DataFrame(rows, columns=["scenario", "rep", "variant", "elpd_diff", "elpd_diff_se",
                                       "high_k_groups", "n_groups"])


# --- one line per variant ---------------------------------------------------------------------------


def _by_fit(rows: pd.DataFrame | None) -> dict:
    return {} if rows is None or rows.empty else {
        (r["scenario"], int(r["rep"]), r["variant"]): r for _, r in rows.iterrows()}


def _structure_differs(check: dict | None, reference_check: dict | None) -> bool:
    """The zero-sum check finds the group offsets constrained otherwise than the reference's are."""
    if not check or (reference_check and statements.structure_clauses(reference_check)):
        return False
    return bool(statements.structure_clauses(check))


def _posterior_factor(g: pd.DataFrame, groups: list, margin: float, z_a: float) -> tuple[float, bool]:
    """The "more draws" figure over all of a variant's quantities, parameters and group-level."""
    n = len(g) * len(QUANTITIES) + sum(int(row["n_slopes"]) for _, row in groups)
    mcse = np.concatenate([g[m].to_numpy(float) for m in QUANTITIES.values()]) if len(g) else np.array([])
    base = np.concatenate([g[f"base_{m}"].to_numpy(float) for m in QUANTITIES.values()]) if len(g) else np.array([])
    scale = np.tile(g["base_sd"].to_numpy(float), len(QUANTITIES)) if len(g) else np.array([])
    factor, both = draws_to_settle(mcse, base, scale, margin, z_a, n=max(n, 1)) if len(g) else (1.0, False)
    for _, row in groups:  # the group-level figures were computed for their own n; take the larger
        if row["group_verdict"] != Verdict.AGREES:
            factor, both = max(factor, float(row["group_factor"])), both or bool(row["group_factor_both"])
    return factor, both


def variant_verdicts(params: pd.DataFrame, checks: dict[tuple[str, str], dict] | None = None,
                     groups: pd.DataFrame | None = None,
                     prior_predictive: dict[tuple[str, str], dict] | None = None,
                     elpd: pd.DataFrame | None = None,
                     responses: pd.DataFrame | None = None,
                     posterior_checks: dict[tuple[str, str], dict] | None = None) -> pd.DataFrame:
    """One row per (scenario, rep, variant): the model verdict and the posterior verdict, each a column,
    their evidence, and one plain-language line saying both.

    ``params``: ``parameter_verdicts``; ``groups`` / ``responses``: ``group_slope_verdicts`` rows for group
    slopes / each group's expected response; ``checks`` / ``posterior_checks``: each (scenario, variant)'s
    structural check and its log-density check at posterior draws; ``prior_predictive``: each (scenario,
    variant)'s prior-predictive comparison; ``elpd``: ``elpd_differences``.
    """
    checks, prior_predictive, posterior_checks = checks or {}, prior_predictive or {}, posterior_checks or {}
    by_elpd, by_fit, by_response = _by_fit(elpd), _by_fit(groups), _by_fit(responses)
    base_parameters = {key: set(g["parameter"]) for key, g in
                       params[params["variant"] == params["baseline"]].groupby(["scenario", "rep"])}

    def group_rows(key) -> list:
        """(quantity, group_slope_verdicts row) of the group-level comparisons a fit has."""
        return [(q, r) for q, r in ((SLOPE_QUANTITY, by_fit.get(key)), (RESPONSE_QUANTITY, by_response.get(key)))
                if r is not None]

    rows = []
    for (scenario, rep, variant), g in params.groupby(["scenario", "rep", "variant"], sort=False):
        key = (scenario, int(rep), variant)
        rows.append(_variant_row(key, g, base_parameters.get((scenario, rep), set()), group_rows(key), checks,
                                 posterior_checks, prior_predictive.get((scenario, variant)), by_elpd.get(key)))
    seen = {(r["scenario"], r["rep"], r["variant"]) for r in rows}
    for key in {**by_fit, **by_response}:  # fits with no parameter named alike: group-level quantities only
        if key not in seen:
            first = group_rows(key)[0][1]
            empty = params.iloc[0:0].assign(variant=key[2], reference=first["reference"], baseline=first["baseline"])
            rows.append(_variant_row(key, empty, {"?"}, group_rows(key), checks, posterior_checks,
                                     prior_predictive.get((key[0], key[2])), by_elpd.get(key)))
    return pd.DataFrame(rows)


def _variant_row(key, g: pd.DataFrame, base_params: set[str], group_rows: list, checks: dict,
                 posterior_checks: dict, pp: dict | None, elpd_row) -> dict:
    scenario, rep, variant = key
    first = group_rows[0][1] if group_rows and g.empty else None
    reference = first["reference"] if first is not None else g["reference"].iloc[0]
    baseline = first["baseline"] if first is not None else g["baseline"].iloc[0]
    margin = float(g["margin"].iloc[0]) if len(g) else MARGIN
    z_a = float(g["z_agree"].iloc[0]) if len(g) else z_agree()
    check, posterior_check = checks.get((scenario, variant)), posterior_checks.get((scenario, variant))
    trouble = "; ".join(dict.fromkeys(t for t in g["trouble"] if t)) if len(g) else ""
    outcome = (check or {}).get("outcome")
    unmatched = statements.unmatched_clause(set(g["parameter"]), base_params, baseline, outcome) if len(g) else (
        "no variable matches beta, tau or sigma by name (a rename: in its variant entry maps them), so only "
        "group-level quantities were compared")
    compared = g[g["verdict"] != Verdict.UNKNOWN] if len(g) else g
    factor, both, as_sampled = float("nan"), False, None
    if variant == baseline:
        posterior = Verdict.REFERENCE if variant == reference else Verdict.BASELINE
    elif len(g) and not base_params:
        posterior = Verdict.UNKNOWN
    else:
        labels = [v for q in QUANTITIES for v in compared[f"verdict_{q}"]] + [r["group_verdict"] for _, r in group_rows]
        posterior = combine(labels)
        if posterior == Verdict.AGREES and unmatched:  # agreement on what was compared does not cover the rest
            posterior = Verdict.INCONCLUSIVE
        if posterior == Verdict.INCONCLUSIVE:
            factor, both = _posterior_factor(compared, group_rows, margin, z_a)
        if trouble:
            posterior, as_sampled = Verdict.UNRELIABLE, posterior
    posterior_text = statements.posterior_statement(
        posterior, compared, baseline=baseline, reference=reference, margin=margin, quantities=list(QUANTITIES),
        factor=factor, both=both, groups=group_rows, unmatched=unmatched, trouble=trouble, as_sampled=as_sampled)
    structure = statements.structure_clauses(check)
    logp = statements.logp_clause(check, posterior_check)
    if variant == reference:
        model = Model.REFERENCE
    else:
        model = model_verdict(
            logp=check["logp"]["status"] if check else None,
            posterior_logp=posterior_check["logp"]["status"] if posterior_check else None,
            structure_differs=_structure_differs(check, checks.get((scenario, reference))),
            prior_predictive=pp["status"] if pp else None, power_stated=bool(pp and pp.get("power")),
            posterior=posterior)  # an unreliable posterior is not judged, so it shows nothing either way
    logp_differs = "different" in (check["logp"]["status"] if check else None,
                                   posterior_check["logp"]["status"] if posterior_check else None)
    model_text = statements.model_statement(model, structure=structure, logp=logp, logp_differs=logp_differs,
                                            prior_predictive=pp, posterior=posterior)
    clauses = [model_text, posterior_text]
    if variant != reference and elpd_row is not None:
        clauses.append(statements.elpd_clause(elpd_row))
    clauses.append(statements.outcome_clause(outcome, (checks.get((scenario, reference)) or {}).get("outcome"),
                                             (set(g["parameter"]) | base_params) if len(g) else set(),
                                             variant == reference))
    if model in (Model.REFERENCE, Model.SAME) and structure:
        clauses.append("; ".join(structure))
    text = "; ".join(c for c in clauses if c)
    if len(g):
        health = statements.health_items(g)
        text += f". {statements.recovery_clause(g)}. Sampler: " + ("; ".join(health) if health else "no warnings") + "."
    else:
        health = None
        text += ". Parameters not summarized, so recovery and sampler health are not scored."
    known = g["target"].notna() if len(g) else pd.Series(dtype=bool)
    return {
        "scenario": scenario, "rep": int(rep), "variant": variant, "reference": reference, "baseline": baseline,
        "model_verdict": str(model), "posterior_verdict": str(posterior),
        "outcome": outcome["family"] if outcome else None,
        "margin": margin, "alpha": float(g["alpha"].iloc[0]) if len(g) else ALPHA,
        "k_compared": int(g["k_compared"].iloc[0]) if len(g) else 0,
        "zero_sum_dims": None if not check or check["zero_sum_dims"] is None else ",".join(check["zero_sum_dims"]),
        "structure_ok": None if check is None else not structure,
        "logp": check["logp"]["status"] if check else None,
        "logp_posterior": posterior_check["logp"]["status"] if posterior_check else None,
        "max_effect_sd": float(g["effect_sd"].max()) if len(g) else float("nan"),
        "max_bound_sd": (float(compared["max_upper"].max()) if variant != baseline else 0.0) if len(g) else float("nan"),
        "ess_factor": factor, "ess_factor_both": both,
        **_evidence_columns(group_rows, elpd_row, pp),
        "truth_in_hdi": int((known & g["truth_in_hdi"].astype(bool)).sum()) if len(g) else 0,
        "n_truths": int(known.sum()), "n_parameters": len(g),
        "healthy": bool(health is not None and not health), "trouble": trouble,
        "statement": f"{variant}: {text}",
    }


def _evidence_columns(group_rows: list, elpd_row, pp) -> dict:
    """The verdict table's columns for the group-level, leave-one-group-out and prior-predictive comparisons."""
    rows = dict(group_rows)
    slope, response = rows.get(SLOPE_QUANTITY), rows.get(RESPONSE_QUANTITY)
    power = (pp or {}).get("power") or {}
    return {
        "group_verdict": None if slope is None else slope["group_verdict"],
        "worst_groups": None if slope is None else slope["worst_groups"],
        "response_verdict": None if response is None else response["group_verdict"],
        "worst_responses": None if response is None else response["worst_groups"],
        "elpd_diff": float("nan") if elpd_row is None else elpd_row["elpd_diff"],
        "elpd_diff_se": float("nan") if elpd_row is None else elpd_row["elpd_diff_se"],
        "prior_predictive": None if pp is None else pp["status"],
        "prior_predictive_p": float("nan") if pp is None or pp.get("p_value") is None else float(pp["p_value"]),
        "prior_predictive_power": float(min(power.values())) if power else float("nan"),
    }


def judge(summary: pd.DataFrame, reference: str, *, margin: float = MARGIN, alpha: float = ALPHA,
          checks: dict | None = None, posterior_checks: dict | None = None, slopes: pd.DataFrame | None = None,
          prior_predictive: dict | None = None, loo: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The whole study's verdicts: ``(parameter rows, variant rows)``, with the baselines chosen and ``K``
    counted over every quantity the study compares."""
    baselines = choose_baselines(summary, reference, checks, posterior_checks)
    k = count_compared(summary, slopes, reference, baselines)
    params = parameter_verdicts(summary, reference, margin, alpha, baselines, k)
    groups, responses = (None, None) if slopes is None else (
        group_slope_verdicts(slopes, reference, margin, quantity=q, alpha=alpha, baselines=baselines, k=k)
        for q in (SLOPE_QUANTITY, RESPONSE_QUANTITY))
    elpd = elpd_differences(loo, reference) if loo is not None else None
    return params, variant_verdicts(params, checks, groups, prior_predictive, elpd, responses, posterior_checks)


def verdict_counts(variants: pd.DataFrame, column: str = "posterior_verdict") -> dict[str, int]:
    """How many (scenario, rep, variant) rows carry each label of one question, in label order (the
    reference's and baseline's own labels left out)."""
    labels = [v for v in (Model if column == "model_verdict" else Verdict)
              if v not in (Verdict.REFERENCE, Verdict.BASELINE, Model.REFERENCE)]
    counts = variants[column].value_counts() if len(variants) else pd.Series(dtype=int)
    return {str(v): int(counts.get(str(v), 0)) for v in labels}
