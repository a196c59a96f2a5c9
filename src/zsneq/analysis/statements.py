"""The verdicts in words: every sentence of a variant's verdict line, from numbers the rules computed.

Nothing here decides a label (``zsneq.analysis.rules`` does); these functions only say what was decided.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from zsneq.analysis.rules import ESS_MIN, K_GOOD, RHAT_MAX, Model, Verdict
from zsneq.core.vocabulary import RESPONSE_QUANTITY, SLOPE_QUANTITY, parameter_order

QUANTITY_NAMES = {"mean": "mean", "sd": "sd", "q5": "5% quantile", "q95": "95% quantile"}
GROUP_QUANTITY_NAMES = {SLOPE_QUANTITY: "group slopes", RESPONSE_QUANTITY: "each group's expected response"}

RULES = {
    Verdict.AGREES: "every compared quantity lies within the margin of the baseline's, shown at level {alpha:g}: "
                    "|Δ| + {z_a:.3g}·MCSE ≤ {margin:g} baseline sd for each (z(1−α), intersection-union)",
    Verdict.DISAGREES: "some quantity lies beyond the margin, shown at family level {alpha:g} over all {k} "
                       "quantities compared in the study: |Δ| − z(1−α/K)·MCSE > {margin:g} baseline sd",
    Verdict.INCONCLUSIVE: "neither shown: the line says how many times the effective draws would settle it "
                          "with probability 0.9 if the two posteriors were equal",
    Verdict.UNRELIABLE: "divergences, r_hat > {rhat:g} or an effective sample size below {ess} in this fit or the "
                        "baseline's: the comparison is not judged",
}
MODEL_RULES = {
    Model.SAME: "the log densities are equal up to a constant at points from both priors (and both posteriors): exact",
    Model.NO_DIFFERENCE: "no map between the parameters, but the prior predictive shows no difference at its "
                         "stated power and the posteriors agree",
    Model.DIFFERENT: "the log density differs, the group offsets sum to zero along another axis, the prior "
                     "predictive differs, or the posteriors disagree",
    Model.NOT_SHOWN: "none of the above was shown; the line says what is missing",
}


def rule_sentences(margin: float, alpha: float, k: int, z_a: float) -> dict[str, dict[str, str]]:
    """The two questions' rules in one sentence per label (for the report)."""
    fill = {"margin": margin, "alpha": alpha, "k": k, "z_a": z_a, "rhat": RHAT_MAX, "ess": ESS_MIN}
    return {"model": {str(k): v for k, v in MODEL_RULES.items()},
            "posterior": {str(label): v.format(**fill) for label, v in RULES.items()}}


# --- names -------------------------------------------------------------------------------------------


def compact(params: list[str]) -> str:
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


# --- the model question ------------------------------------------------------------------------------


def structure_clauses(check: dict | None) -> list[str]:
    """What the zero-sum check found wrong ([] when nothing)."""
    if not check:
        return []
    clauses = []
    dims, expected = check["zero_sum_dims"], check["expected_zero_sum_dim"]
    if check.get("offsets_all_zero"):
        clauses.append("its group offsets are all zero (a zero-sum over an axis of length 1), so groups cannot differ")
    elif dims is None:  # group offsets not recovered (a user model without group slopes): the graph says
        clauses += [r["sentence"] for r in check.get("zero_sum_variables", []) if r["flagged"]]
    elif dims != [expected]:
        along = " and ".join(f"`{d}`" for d in dims) if dims else "no named dimension"
        clauses.append(f"its group offsets sum to zero along {along}, not `{expected}`")
    return clauses


def logp_clause(check: dict | None, posterior: dict | None) -> str:
    """The log-density check at prior (and posterior) points in a few words ('' when not run)."""
    if not check:
        return ""
    logp, reference = check["logp"], check["reference"]
    status = logp["status"]
    if status == "equivalent":
        where = f"{logp.get('n_points', logp.get('points', ''))} prior points".strip()
        if posterior and posterior["logp"]["status"] == "equivalent":
            where += f" and {posterior['logp'].get('n_points', '')} posterior points"
        text = f"log density equal to {reference}'s up to a constant at {where}: exact"
    elif status == "no_map":
        text = f"no map to {reference}'s parameters ({logp['reason']})"
    elif status == "needs_map":
        text = f"log densities not compared with {reference}'s ({logp['reason']})"
    else:
        text = f"log density not {reference}'s up to a constant ({logp['reason']})"
    if posterior and posterior["logp"]["status"] == "different":
        text += f"; at posterior draws: {posterior['logp']['reason']}"
    elif posterior and posterior["logp"]["status"] not in ("equivalent", "different") and status == "equivalent":
        text += f" (posterior points not checked: {posterior['logp'].get('reason', posterior['logp']['status'])})"
    return text


def prior_predictive_clause(result: dict | None) -> str:
    """The prior-predictive comparison in a few words, with its power where stated ('' when not run)."""
    if not result:
        return ""
    if result["status"] == "differs":
        return result["sentence"]
    if result["status"] == "no_difference":
        text = f"prior predictive: no difference found (p = {result['p_value']:.3g}"
        power = result.get("power")
        if power:
            text += "; power " + ", ".join(f"{v:.2f} against {k}" for k, v in power.items())
        text += ")"
        return text + (f" ({result['drawn_note']})" if result.get("drawn_note") else "")
    return f"prior predictive not compared ({result.get('reason') or result.get('sentence', '')})"


def model_statement(label: Model, *, structure: list[str], logp: str, logp_differs: bool,
                    prior_predictive: dict | None, posterior: Verdict) -> str:
    """``different model (<evidence>)``-style text: the label and the evidence behind it. ``logp_differs``:
    the log-density check found the densities different, at prior or posterior points."""
    if label == Model.REFERENCE:
        return "the reference"
    evidence = []
    pp = prior_predictive_clause(prior_predictive)
    if label == Model.SAME:
        evidence = [logp]
    elif label == Model.DIFFERENT:
        if logp_differs:
            evidence.append(logp)
        evidence += structure
        if prior_predictive and prior_predictive["status"] == "differs":
            evidence.append(pp)
        if posterior == Verdict.DISAGREES:
            evidence.append("the posteriors disagree on these data")
    elif label == Model.NO_DIFFERENCE:
        evidence = [logp, pp, "the posteriors agree"]
    else:
        missing = [logp] if logp else ["no log-density check"]
        missing.append(pp if pp else "no prior-predictive test")
        if prior_predictive and prior_predictive["status"] == "no_difference" and not prior_predictive.get("power"):
            missing.append("the prior-predictive test states no power")
        if posterior != Verdict.AGREES:
            missing.append(f"the posteriors do not agree (posterior {posterior})")
        evidence = missing
    return f"{label} ({'; '.join(e for e in evidence if e)})"


# --- the posterior question --------------------------------------------------------------------------


def quantity_list(rows: pd.DataFrame, label: Verdict, quantities) -> list[str]:
    """``tau[x1..x3] (mean, sd)``-style items: which quantities of which parameters carry ``label``."""
    by_quantities: dict[tuple[str, ...], list[str]] = {}
    for _, r in rows.iterrows():
        qs = tuple(QUANTITY_NAMES[q] for q in quantities if r[f"verdict_{q}"] == label)
        if qs:
            by_quantities.setdefault(qs, []).append(r["parameter"])
    return [f"{compact(params)} ({', '.join(qs)})" for qs, params in by_quantities.items()]


def settle_clause(factor: float, both: bool, ess: float) -> str:
    """How many more effective draws would settle an inconclusive comparison if the posteriors were equal."""
    whose = "both fits'" if both else "this fit's"
    if factor <= 1.0:
        return ("had the two posteriors been equal, the current draws would have settled it with probability 0.9: "
                "the difference seen sits near the margin")
    more = math.ceil((factor - 1) * ess) if np.isfinite(ess) else None
    extra = f" (about {more:,} more)" if more is not None and not both else ""
    return f"{factor:.1f}× {whose} effective draws{extra} would settle it with probability 0.9 if the two were equal"


def group_clause(quantity: str, row) -> str:
    return (f"{GROUP_QUANTITY_NAMES[quantity]} ({row['n_slopes']} compared) {row['group_verdict']}, "
            f"largest differences {row['worst_groups']}")


def unmatched_clause(own: set[str], base_params: set[str], baseline: str, outcome: dict | None = None) -> str:
    """Which quantities were not compared because only one of the two models has them ('' if none); a
    ``sigma`` the variant lacks because its outcome (``{family, discrete}``) has no noise sd is said so."""
    missing, extra = base_params - own, own - base_params
    if not base_params or not (missing or extra):
        return ""
    inapplicable = {"sigma"} & missing if sigma_note(outcome) else set()
    missing -= inapplicable
    parts = [f"{compact(sorted(missing))} (no variable of this variant matches them by name; "
             "a rename: in its variant entry maps one)"] if missing else []
    parts += [f"sigma (it does not apply to a {outcome['family']} outcome)"] if inapplicable else []
    parts += [f"{compact(sorted(extra))} (not in {baseline})"] if extra else []
    return "not compared: " + "; ".join(parts)


def baseline_name(baseline: str, reference: str) -> str:
    return baseline if baseline == reference else f"{baseline} (the most precise fit of {reference}'s model)"


def posterior_statement(label: Verdict, g: pd.DataFrame, *, baseline: str, reference: str, margin: float,
                        quantities, factor: float, both: bool, groups: list[tuple[str, dict]], unmatched: str,
                        trouble: str, as_sampled: Verdict | None = None) -> str:
    """The posterior question's answer: ``posteriors agree on these data with <baseline> within 0.08 sd``."""
    base = baseline_name(baseline, reference)
    if label == Verdict.BASELINE:
        return f"the baseline: the most precise healthy fit proven to be {reference}'s model; the others are compared with it"
    if label == Verdict.REFERENCE:
        return "the baseline the others are compared with (no fit proven to be its model is more precise and healthy)"
    if label == Verdict.UNKNOWN:
        return f"posterior not compared: the {baseline} fit is missing"
    if label == Verdict.UNRELIABLE:
        inner = posterior_statement(as_sampled, g, baseline=baseline, reference=reference, margin=margin,
                                    quantities=quantities, factor=factor, both=both, groups=groups,
                                    unmatched=unmatched, trouble="") if as_sampled else ""
        return (f"posterior unreliable: sampler trouble ({trouble}), so it is not judged"
                + (f" (as sampled it would read: {inner})" if inner else ""))
    n = len(g)
    group_text = "".join(f"; {group_clause(q, row)}" for q, row in groups)
    if label == Verdict.DISAGREES:
        bad = g[g[[f"verdict_{q}" for q in quantities]].eq(Verdict.DISAGREES).any(axis=1)]
        text = f"posteriors disagree on these data with {base}"
        if len(bad):
            lower = bad[[f"lower_{q}" for q in quantities]].max(axis=1).max()
            text += (f" on {'; '.join(quantity_list(bad, Verdict.DISAGREES, quantities))}: at least {lower:.2f} sd "
                     f"apart beyond Monte Carlo noise (margin {margin:g} sd; Δmean up to {bad['effect_sd'].max():.2f} sd)")
        return text + group_text
    if label == Verdict.AGREES and not unmatched:
        what = f"all {n} parameters (mean, sd, 5% and 95% quantiles)" if n else "the group-level quantities"
        return (f"posteriors agree on these data with {base} on {what}: every difference within "
                f"{g['max_upper'].max() if n else 0:.2f} sd including Monte Carlo error (margin {margin:g} sd)"
                + group_text)
    if n and unmatched and not (g[[f"verdict_{q}" for q in quantities]] != Verdict.AGREES).any().any():
        text = (f"posterior inconclusive against {base}: agrees on all compared {n} parameters "
                f"within {g['max_upper'].max():.2f} sd; {unmatched}")
        return text + group_text
    unsure = quantity_list(g, Verdict.INCONCLUSIVE, quantities)
    text = f"posterior inconclusive against {base}"
    if unsure:
        text += f" on {'; '.join(unsure)}"
    ess = float(g[["ess_bulk", "ess_tail"]].min(axis=1).min()) if n else float("nan")
    text += (f": not shown within the margin {margin:g} sd nor beyond it"
             + (f" (Δmean up to {g['effect_sd'].max():.2f} sd)" if n else "")
             + f"; {settle_clause(factor, both, ess)}")
    if unmatched:
        text += f"; {unmatched}"
    return text + group_text


def elpd_clause(row) -> str:
    if row is None:
        return ""
    text = (f"leave-one-group-out ELPD {row['elpd_diff']:+.1f} ± {row['elpd_diff_se']:.1f} (se) against the "
            f"reference's over {row['n_groups']} groups")
    if row["high_k_groups"]:
        text += f" ({row['high_k_groups']} group(s) with Pareto k > {K_GOOD}: the estimate is rough)"
    return text


def sigma_note(outcome: dict | None) -> str:
    """``sigma: does not apply to a poisson outcome`` for an outcome with integer values (a check's
    ``outcome``, ``{family, discrete}``), whose law has no noise sd; '' otherwise."""
    if not outcome or not outcome.get("discrete"):
        return ""
    return f"sigma: does not apply to a {outcome['family']} outcome (it has no noise sd)"


def outcome_clause(outcome: dict | None, reference_outcome: dict | None, parameters: set[str],
                   is_reference: bool = False) -> str:
    """What the outcome family changes in a verdict line: ``sigma`` does not apply to a count or binary
    outcome (unless ``parameters``, the model's and its baseline's, name a ``sigma``: one of its own, or the
    baseline's, which ``unmatched_clause`` speaks of), and a variant whose outcome family is not the
    reference's says so ('' when there is nothing to say)."""
    parts = [] if "sigma" in parameters else [sigma_note(outcome)]
    if not is_reference and outcome and reference_outcome and outcome["family"] != reference_outcome["family"]:
        parts.append(f"its outcome is {outcome['family']}, the reference's {reference_outcome['family']}")
    return "; ".join(p for p in parts if p)


def recovery_clause(g: pd.DataFrame) -> str:
    known = g["target"].notna()
    outside = g.loc[known & ~g["truth_in_hdi"].astype(bool), "parameter"].tolist()
    if not known.any():
        return "No known truth (the scenario's own data): recovery not scored"
    return (f"Truth inside the 94% HDI for {int(known.sum()) - len(outside)}/{int(known.sum())}"
            + (f" (outside: {compact(outside)})" if outside else ""))


def health_items(g: pd.DataFrame) -> list[str]:
    health = []
    if len(g) and g["divergences"].iloc[0] > 0:
        health.append(f"{int(g['divergences'].iloc[0])} divergences")
    if g["rhat_high"].any():
        health.append(f"r_hat > {RHAT_MAX} for {compact(list(g.loc[g['rhat_high'], 'parameter']))}")
    if g["ess_low"].any():
        health.append(f"ess < {ESS_MIN} for {compact(list(g.loc[g['ess_low'], 'parameter']))}")
    return health
