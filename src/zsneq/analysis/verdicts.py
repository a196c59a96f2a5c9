"""Post-sampling verdicts: agreement with the reference variant, recovery of the truth, sampler health.

Rules (per scenario, replicate, variant and parameter; ``margin`` from the config, default 0.2):

- **Compared quantities**: the posterior mean, sd, 5% and 95% quantiles of each top-level
  parameter, each with its Monte Carlo standard error (``mcse_mean``, ``mcse_sd``, ``mcse_q5``,
  ``mcse_q95``). For a quantity with difference ``delta = x - x_ref`` (same data) and
  ``se = sqrt(mcse**2 + mcse_ref**2)``, all in units of the reference's posterior sd ``sd_ref``:

  - **agrees** when the equivalence margin is shown: ``|delta| + Z * se <= margin * sd_ref``
    (the whole ``Z``-MCSE interval of the difference lies inside the margin);
  - **disagrees** when the difference exceeds the margin by more than Monte Carlo noise:
    ``|delta| - Z * se > margin * sd_ref``;
  - **inconclusive** otherwise. MCSEs shrink as ``1 / sqrt(ESS)``, so with the difference as
    estimated, ``ess_factor = (Z * se / | margin * sd_ref - |delta| |) ** 2`` times the effective
    draws of both fits would settle it.

  A parameter agrees when all four quantities agree, disagrees when one disagrees.
- **Group slopes** (where both fits have them, ``group_slope_verdicts``): the same rule for every
  group's posterior mean slope, in units of that slope's reference sd. Showing that *all* groups
  agree needs each group's own ``Z``-MCSE interval inside the margin (intersection-union, no
  correction); claiming that *some* group disagrees is a search over ``n`` groups, so it needs
  ``|delta| - z_n * se > margin * sd_ref`` with the Bonferroni value ``z_n`` that keeps the
  family-wise false-alarm probability at that of one ``Z``-MCSE comparison.
- **Each group's expected response** (the mean over the group's rows of ``E[y | parameters]``, stored
  by every fit whose likelihood has a known mean): the same rule group by group. It needs no shared
  parameter names, so it compares user models that share none.
- **Sampler trouble** in either fit (divergences, ``r_hat > RHAT_MAX``, ``ess_bulk`` or ``ess_tail``
  below ``ESS_MIN``) makes the verdict **unreliable**, with the reason; never *disagrees*.
- A **variant** agrees only when every compared quantity (and its group slopes and expected
  responses) agrees; it is
  unreliable when either fit had trouble, disagrees when any quantity disagrees, and inconclusive
  otherwise.
- **Recovery**: whether the value the model targets lies inside the 94% HDI, and
  ``z_truth = (mean - target) / sd``. For tau and sigma the target is the simulated
  value; for beta it is the mean of the simulated groups' slopes, which is what a
  model with zero-sum group offsets estimates (see ``Truth.targets``).
"""

from __future__ import annotations

import math
from enum import StrEnum

import numpy as np
import pandas as pd
from scipy.stats import norm

from zsneq.core.vocabulary import RESPONSE_QUANTITY, SLOPE_QUANTITY, parameter_order

MARGIN = 0.2  # default equivalence margin, in reference posterior sds (config: verdicts.margin)
Z = 3.0  # Monte Carlo standard errors a difference must clear
RHAT_MAX = 1.01
ESS_MIN = 400
QUANTITIES = {"mean": "mcse_mean", "sd": "mcse_sd", "q5": "mcse_q5", "q95": "mcse_q95"}
QUANTITY_NAMES = {"mean": "mean", "sd": "sd", "q5": "5% quantile", "q95": "95% quantile"}
WORST_GROUPS = 3  # groups named in a statement

KEYS = ["scenario", "rep", "variant", "parameter"]


class Verdict(StrEnum):
    """Labels of a comparison with the reference."""

    REFERENCE = "reference"
    AGREES = "agrees"
    DISAGREES = "disagrees"
    INCONCLUSIVE = "inconclusive"
    UNRELIABLE = "unreliable"
    UNKNOWN = "unknown"  # the reference fit is missing


RULES = {
    Verdict.AGREES: "every compared quantity differs from the reference by less than the margin, with "
                    "{z:g} Monte Carlo standard errors to spare: |Δ| + {z:g}·MCSE ≤ {margin:g} reference sd",
    Verdict.DISAGREES: "some quantity differs from the reference by more than the margin, beyond {z:g} Monte "
                       "Carlo standard errors: |Δ| − {z:g}·MCSE > {margin:g} reference sd (group slopes and "
                       "expected responses: "
                       "with a Bonferroni-corrected number of MCSEs)",
    Verdict.INCONCLUSIVE: "neither shown: the Monte Carlo error is too large to tell; the line says how many "
                          "times the effective draws would settle it",
    Verdict.UNRELIABLE: "divergences, r_hat > {rhat:g} or an effective sample size below {ess} in this fit or "
                        "the reference's: the comparison is not judged",
}


def rule_sentences(margin: float = MARGIN) -> dict[str, str]:
    """One sentence per label, with the margin filled in (for the report)."""
    return {str(k): v.format(z=Z, margin=margin, rhat=RHAT_MAX, ess=ESS_MIN) for k, v in RULES.items()}


def equivalence(delta, se, scale, margin: float = MARGIN, z: float = Z, z_disagree: float | None = None):
    """Three-way comparison of differences ``delta`` with MCSE ``se`` against ``margin * scale``.

    Returns ``(verdicts, lower, upper, ess_factor)`` as arrays: ``lower``/``upper`` are
    ``(|delta| -/+ z * se) / scale``; ``ess_factor`` the multiple of the current effective draws that
    would settle an inconclusive comparison (NaN when settled, inf when ``|delta|`` sits on the margin).
    ``z_disagree`` (default ``z``) is the number of MCSEs a disagreement must clear.
    """
    delta, se, scale = (np.asarray(a, dtype=float) for a in (delta, se, scale))
    z_disagree = z if z_disagree is None else z_disagree
    size = np.abs(delta)
    bound = margin * scale
    lower, upper = (size - z_disagree * se) / scale, (size + z * se) / scale
    agrees, disagrees = upper <= margin, lower > margin
    verdicts = np.where(agrees, Verdict.AGREES, np.where(disagrees, Verdict.DISAGREES, Verdict.INCONCLUSIVE))
    gap = np.abs(bound - size)
    needed = np.where(size < bound, z, z_disagree) * se
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(gap > 0, (needed / gap) ** 2, np.inf)
    factor = np.where(agrees | disagrees, np.nan, np.maximum(factor, 1.0))
    return verdicts.astype(object), lower, upper, factor


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


def parameter_verdicts(summary: pd.DataFrame, reference: str, margin: float = MARGIN) -> pd.DataFrame:
    """One row per (scenario, rep, variant, parameter): each quantity's comparison, the verdict, recovery, health."""
    ref_cols = ["mean", "sd", "q5", "q95", *QUANTITIES.values(), "divergences", "r_hat", "ess_bulk", "ess_tail"]
    ref = summary[summary["variant"] == reference][["scenario", "rep", "parameter", *ref_cols]]
    ref = ref.rename(columns={c: f"ref_{c}" for c in ref_cols})
    out = summary.merge(ref, on=["scenario", "rep", "parameter"], how="left")
    out.insert(3, "reference", reference)
    out["margin"] = float(margin)
    is_ref = (out["variant"] == reference).to_numpy()
    missing = out["ref_mean"].isna().to_numpy()
    parts = []
    for q, mcse in QUANTITIES.items():
        delta = out[q] - out[f"ref_{q}"]
        se = np.sqrt(out[mcse] ** 2 + out[f"ref_{mcse}"] ** 2)
        verdicts, lower, upper, factor = equivalence(delta, se, out["ref_sd"], margin)
        out[f"delta_{q}"], out[f"se_{q}"] = delta, se
        out[f"lower_{q}"], out[f"upper_{q}"], out[f"factor_{q}"] = lower, upper, factor
        out[f"verdict_{q}"] = verdicts
        parts.append(verdicts)
    out["z_ref"] = out["delta_mean"] / out["se_mean"]
    out["effect_sd"] = out["delta_mean"].abs() / out["ref_sd"]
    out.loc[is_ref, ["delta_mean", "z_ref", "effect_sd"]] = 0.0
    out["max_upper"] = out[[f"upper_{q}" for q in QUANTITIES]].max(axis=1)
    out["ess_factor"] = out[[f"factor_{q}" for q in QUANTITIES]].max(axis=1)  # NaN when all settled
    own, theirs = _health(out), _health(out, "ref_")
    out["trouble"] = [
        "; ".join(x for x in (f"this fit: {a}" if a else "", f"{reference}: {b}" if b and not r else "") if x)
        for a, b, r in zip(own, theirs, is_ref, strict=True)
    ]
    stacked = np.stack(parts, axis=1)
    verdict = np.where((stacked == Verdict.DISAGREES).any(axis=1), Verdict.DISAGREES,
                       np.where((stacked == Verdict.AGREES).all(axis=1), Verdict.AGREES, Verdict.INCONCLUSIVE))
    verdict = np.where(out["trouble"] != "", Verdict.UNRELIABLE, verdict)
    verdict = np.where(missing, Verdict.UNKNOWN, verdict)
    out["verdict"] = np.where(is_ref, Verdict.REFERENCE, verdict).astype(str)
    out["truth_in_hdi"] = (out["hdi_3%"] <= out["target"]) & (out["target"] <= out["hdi_97%"])
    out["z_truth"] = (out["mean"] - out["target"]) / out["sd"]
    out["divergent"] = out["divergences"] > 0
    out["rhat_high"] = out["r_hat"] > RHAT_MAX
    out["ess_low"] = np.minimum(out["ess_bulk"], out["ess_tail"]) < ESS_MIN
    per_q = [f"{k}_{q}" for q in QUANTITIES for k in ("delta", "se", "lower", "upper", "factor", "verdict")]
    cols = [
        *KEYS[:3], "reference", "parameter", "mean", "sd", "q5", "q95", "truth", "target", "ref_mean", "ref_sd",
        "margin", *per_q, "z_ref", "effect_sd", "max_upper", "ess_factor", "verdict", "trouble", "truth_in_hdi",
        "z_truth", "divergences", "r_hat", "ess_bulk", "ess_tail", "divergent", "rhat_high", "ess_low",
    ]
    return out[cols]


def bonferroni_z(n: int, z: float = Z) -> float:
    """MCSEs a difference must clear in a search over ``n`` comparisons, for the false-alarm rate of one at ``z``."""
    alpha = 2 * norm.sf(z)
    return float(norm.isf(alpha / (2 * max(int(n), 1))))


GROUP_COLUMNS = ["scenario", "rep", "variant", "reference", "n_slopes", "z_disagree", "group_verdict",
                 "group_max_upper", "group_ess_factor", "worst_groups"]


def group_slope_verdicts(slopes: pd.DataFrame, reference: str, margin: float = MARGIN,
                         quantity: str = SLOPE_QUANTITY) -> pd.DataFrame:
    """One row per (scenario, rep, variant) other than the reference: every group's posterior mean of
    ``quantity`` compared (``slope``: each group's slope per predictor; ``expected_response``: each
    group's expected response, which needs no shared parameter names).

    ``slopes``: rows of ``summarize_group_slopes`` (quantity, group, predictor, mean, sd, mcse_mean) for
    every fit. ``worst_groups`` names the ``WORST_GROUPS`` groups (``group[predictor]`` for slopes) with
    the largest standardized difference ``|delta| / sd_ref`` and their ``z = delta / se``.
    """
    if slopes is not None and "quantity" in slopes:
        slopes = slopes[slopes["quantity"] == quantity]
    if slopes is None or slopes.empty:
        return pd.DataFrame(columns=GROUP_COLUMNS)
    on = ["scenario", "rep", "group", "predictor"]
    ref = slopes[slopes["variant"] == reference][[*on, "mean", "sd", "mcse_mean"]]
    pairs = slopes[slopes["variant"] != reference].merge(ref, on=on, suffixes=("", "_ref"))
    rows = []
    for (scenario, rep, variant), g in pairs.groupby(["scenario", "rep", "variant"], sort=False):
        delta = (g["mean"] - g["mean_ref"]).to_numpy()
        se = np.sqrt(g["mcse_mean"] ** 2 + g["mcse_mean_ref"] ** 2).to_numpy()
        scale = g["sd_ref"].to_numpy()
        z_n = bonferroni_z(len(g))
        verdicts, _, upper, factor = equivalence(delta, se, scale, margin, z_disagree=z_n)
        if (verdicts == Verdict.DISAGREES).any():
            verdict = Verdict.DISAGREES
        elif (verdicts == Verdict.AGREES).all():
            verdict = Verdict.AGREES
        else:
            verdict = Verdict.INCONCLUSIVE
        effect = np.abs(delta) / scale
        worst = np.argsort(-effect, kind="stable")[:WORST_GROUPS]
        names = [f"{gr}[{p}]" if p else str(gr) for gr, p in
                 zip(g["group"].to_numpy()[worst], g["predictor"].to_numpy()[worst], strict=True)]
        rows.append({
            "scenario": scenario, "rep": int(rep), "variant": variant, "reference": reference, "n_slopes": len(g),
            "z_disagree": z_n, "group_verdict": str(verdict), "group_max_upper": float(np.max(upper)),
            "group_ess_factor": float(np.nanmax(factor)) if verdict == Verdict.INCONCLUSIVE else float("nan"),
            "worst_groups": ", ".join(f"{n} {e:.2f} sd (z = {d / s:.1f})" for n, e, d, s in
                                      zip(names, effect[worst], delta[worst], se[worst], strict=True)),
        })
    return pd.DataFrame(rows, columns=GROUP_COLUMNS)


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
    elif dims is None:  # group offsets not recovered (a user model without group slopes): the graph says
        clauses += [r["sentence"] for r in check.get("zero_sum_variables", []) if r["flagged"]]
    elif dims != [expected]:
        along = " and ".join(f"`{d}`" for d in dims) if dims else "no named dimension"
        clauses.append(f"its group offsets sum to zero along {along}, not `{expected}`")
    logp = check["logp"]
    if logp["status"] == "no_map":
        clauses.append(f"no map to {check['reference']}'s parameters: {logp['reason']}")
    elif logp["status"] == "needs_map":
        clauses.append(f"log densities not compared with {check['reference']}'s: {logp['reason']}")
    elif logp["status"] == "different":
        clauses.append(f"its log density is not {check['reference']}'s up to a constant ({logp['reason']})")
    return "; ".join(clauses)


def _quantity_list(rows: pd.DataFrame, label: Verdict) -> list[str]:
    """``tau[x1..x3] (mean, sd)``-style items: which quantities of which parameters carry ``label``."""
    by_quantities: dict[tuple[str, ...], list[str]] = {}
    for _, r in rows.iterrows():
        qs = tuple(QUANTITY_NAMES[q] for q in QUANTITIES if r[f"verdict_{q}"] == label)
        if qs:
            by_quantities.setdefault(qs, []).append(r["parameter"])
    return [f"{_compact(params)} ({', '.join(qs)})" for qs, params in by_quantities.items()]


def _settle_clause(factor: float, ess: float) -> str:
    if not np.isfinite(factor):
        return "a difference this close to the margin cannot be settled by more draws"
    more = math.ceil((factor - 1) * ess) if np.isfinite(ess) else None
    extra = f", about {more:,} more effective draws per fit" if more is not None else ""
    return f"about {factor:.1f}× the effective draws{extra} would settle it"


def _unmatched_clause(own: set[str], reference_params: set[str], reference: str) -> str:
    """Which quantities were not compared because only one of the two models has them ('' if none)."""
    missing, extra = reference_params - own, own - reference_params
    if not reference_params or not (missing or extra):
        return ""
    parts = [f"{_compact(sorted(missing))} (no variable of this variant matches them by name; "
             "a rename: in its variant entry maps one)"] if missing else []
    parts += [f"{_compact(sorted(extra))} (not in {reference})"] if extra else []
    return "not compared: " + "; ".join(parts)


GROUP_QUANTITY_NAMES = {SLOPE_QUANTITY: "group slopes", RESPONSE_QUANTITY: "each group's expected response"}


def _group_rows(groups: dict | None, responses: dict | None) -> list[tuple[str, dict]]:
    """(quantity, ``group_slope_verdicts`` row) of the group-level comparisons a variant has."""
    return [(q, row) for q, row in ((SLOPE_QUANTITY, groups), (RESPONSE_QUANTITY, responses)) if row is not None]


def _group_clause(quantity: str, row) -> str:
    return (f"; {GROUP_QUANTITY_NAMES[quantity]} ({row['n_slopes']} compared) {row['group_verdict']}, "
            f"largest differences {row['worst_groups']}")


def _comparison(g: pd.DataFrame, groups: dict | None, reference: str, margin: float,
                responses: dict | None = None) -> tuple[Verdict, str, float]:
    """The verdict of one variant's compared quantities (health aside), its sentence and ``ess_factor``.

    ``groups`` / ``responses``: the variant's ``group_slope_verdicts`` rows for group slopes and for
    each group's expected response (None where not compared)."""
    labels = [str(v) for q in QUANTITIES for v in g[f"verdict_{q}"]]
    n = len(g)
    group_text = ""
    factors = [g["ess_factor"].max()]
    for quantity, row in _group_rows(groups, responses):
        labels.append(row["group_verdict"])
        group_text += _group_clause(quantity, row)
        if row["group_verdict"] == Verdict.INCONCLUSIVE:
            factors.append(row["group_ess_factor"])
    known = [float(f) for f in factors if not np.isnan(f)]
    factor = max(known) if known else float("nan")
    if Verdict.DISAGREES in labels:
        bad = g[g[[f"verdict_{q}" for q in QUANTITIES]].eq(Verdict.DISAGREES).any(axis=1)]
        text = f"disagrees with {reference}"
        if len(bad):
            lower = bad[[f"lower_{q}" for q in QUANTITIES]].max(axis=1).max()
            text += (f" on {'; '.join(_quantity_list(bad, Verdict.DISAGREES))}: at least {lower:.2f} sd apart "
                     f"beyond Monte Carlo noise (margin {margin:g} sd; Δmean up to {bad['effect_sd'].max():.2f} sd)")
        return Verdict.DISAGREES, text + group_text, float("nan")
    if all(label == Verdict.AGREES for label in labels):
        text = (f"agrees with {reference} on all {n} parameters (mean, sd, 5% and 95% quantiles): every "
                f"difference within {g['max_upper'].max():.2f} sd including Monte Carlo error (margin {margin:g} sd)")
        return Verdict.AGREES, text + group_text, float("nan")
    unsure = _quantity_list(g, Verdict.INCONCLUSIVE)
    text = f"inconclusive against {reference}"
    if unsure:
        text += f" on {'; '.join(unsure)}"
    ess = float(g[["ess_bulk", "ess_tail"]].min(axis=1).min())
    text += (f": not shown within the margin {margin:g} sd nor beyond it (Δmean up to "
             f"{g['effect_sd'].max():.2f} sd); {_settle_clause(factor, ess)}")
    return Verdict.INCONCLUSIVE, text + group_text, factor


K_GOOD = 0.7  # Pareto k above this: the importance-sampling estimate of that group's elpd is unreliable


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


def _elpd_clause(row) -> str:
    if row is None:
        return ""
    text = (f"leave-one-group-out ELPD {row['elpd_diff']:+.1f} ± {row['elpd_diff_se']:.1f} (se) against the "
            f"reference's over {row['n_groups']} groups")
    if row["high_k_groups"]:
        text += f" ({row['high_k_groups']} group(s) with Pareto k > {K_GOOD}: the estimate is rough)"
    return text


def _prior_predictive_clause(result: dict | None) -> str:
    """The prior-predictive comparison (``zsneq.analysis.prior_predictive``) in a few words, or ''."""
    if not result:
        return ""
    if result["status"] == "differs":
        return result["sentence"]  # "prior predictive differs (p = ...): <the statistic that separates most>"
    if result["status"] == "no_difference":
        drawn = result.get("drawn_note")
        return (f"prior predictive: no difference from the reference's found (p = {result['p_value']:.3g})"
                + (f" ({drawn})" if drawn else ""))
    return f"prior predictive not compared ({result.get('reason') or result.get('sentence', '')})"


def variant_verdicts(params: pd.DataFrame, checks: dict[tuple[str, str], dict] | None = None,
                     groups: pd.DataFrame | None = None,
                     prior_predictive: dict[tuple[str, str], dict] | None = None,
                     elpd: pd.DataFrame | None = None,
                     responses: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (scenario, rep, variant): a verdict (a ``Verdict`` value) and a plain-language sentence.

    ``groups``: the rows of ``group_slope_verdicts`` (optional; without them group slopes are not compared);
    ``responses``: its rows for each group's expected response (``quantity="expected_response"``).
    ``prior_predictive``: each (scenario, variant)'s prior-predictive comparison with the reference, shown
    beside the posterior verdict. ``elpd``: the rows of ``elpd_differences`` (leave-one-group-out).
    """
    checks, prior_predictive = checks or {}, prior_predictive or {}
    by_elpd = {} if elpd is None or elpd.empty else {
        (r["scenario"], int(r["rep"]), r["variant"]): r for _, r in elpd.iterrows()}
    by_fit, by_response = ({} if rows is None or rows.empty else {
        (r["scenario"], int(r["rep"]), r["variant"]): r for _, r in rows.iterrows()} for rows in (groups, responses))
    reference_parameters = {key: set(g["parameter"]) for key, g in
                            params[params["variant"] == params["reference"]].groupby(["scenario", "rep"])}
    rows = []
    for (scenario, rep, variant), g in params.groupby(["scenario", "rep", "variant"], sort=False):
        reference = g["reference"].iloc[0]
        margin = float(g["margin"].iloc[0])
        check = checks.get((scenario, variant))
        group_row = by_fit.get((scenario, int(rep), variant))
        response_row = by_response.get((scenario, int(rep), variant))
        structure = _structure_clause(check)
        n = len(g)
        trouble = "; ".join(dict.fromkeys(t for t in g["trouble"] if t))
        factor = float("nan")
        ref_params = reference_parameters.get((scenario, rep), set())
        unmatched = _unmatched_clause(set(g["parameter"]), ref_params, reference)
        if variant == reference:
            verdict, text = Verdict.REFERENCE, f"the reference variant ({n} parameters)"
        elif not ref_params:
            verdict, text = Verdict.UNKNOWN, f"cannot compare: the {reference} fit is missing"
        else:
            g = g[g["verdict"] != Verdict.UNKNOWN]  # quantities the reference has too
            verdict, text, factor = _comparison(g, group_row, reference, margin, response_row)
            if unmatched:
                text += "; " + unmatched
                if verdict == Verdict.AGREES:  # agreement on what was compared does not cover the rest
                    verdict = Verdict.INCONCLUSIVE
                    text = f"inconclusive against {reference}: " + text.replace(
                        f"agrees with {reference} on all", "agrees on all compared", 1)
            if trouble:
                text = (f"unreliable: sampler trouble ({trouble}), so the comparison is not judged "
                        f"(as sampled it would read: {text})")
                verdict, factor = Verdict.UNRELIABLE, float("nan")
        if structure:
            text += "; " + structure
        elif check and check["logp"]["status"] == "equivalent" and variant != reference:
            text += "; same log density as the reference up to a constant"
        elpd_row = by_elpd.get((scenario, int(rep), variant))
        if variant != reference and _elpd_clause(elpd_row):
            text += "; " + _elpd_clause(elpd_row)
        pp = prior_predictive.get((scenario, variant))
        if _prior_predictive_clause(pp):
            text += "; " + _prior_predictive_clause(pp)
        known = g["target"].notna()
        outside = g.loc[known & ~g["truth_in_hdi"].astype(bool), "parameter"].tolist()
        if known.any():
            text += (
                f". Truth inside the 94% HDI for {int(known.sum()) - len(outside)}/{int(known.sum())}"
                + (f" (outside: {_compact(outside)})" if outside else "")
            )
        else:
            text += ". No known truth (the scenario's own data): recovery not scored"
        health = []
        if g["divergences"].iloc[0] > 0:
            health.append(f"{int(g['divergences'].iloc[0])} divergences")
        if g["rhat_high"].any():
            health.append(f"r_hat > {RHAT_MAX} for {_compact(list(g.loc[g['rhat_high'], 'parameter']))}")
        if g["ess_low"].any():
            health.append(f"ess < {ESS_MIN} for {_compact(list(g.loc[g['ess_low'], 'parameter']))}")
        text += ". Sampler: " + ("; ".join(health) if health else "no warnings") + "."
        rows.append({
            "scenario": scenario, "rep": int(rep), "variant": variant, "reference": reference,
            "verdict": str(verdict), "margin": margin,
            "structure_ok": None if check is None else bool(check["zero_sum_ok"] and check["logp"]["status"] == "equivalent"),
            "max_effect_sd": float(g["effect_sd"].max()),
            "max_bound_sd": float(g["max_upper"].max()) if variant != reference else 0.0,
            "ess_factor": factor,
            **_evidence_columns(group_row, response_row, elpd_row, pp),
            "truth_in_hdi": int(known.sum()) - len(outside), "n_parameters": n,
            "healthy": not health, "trouble": trouble, "statement": f"{variant}: {text}",
        })
    seen = {(r["scenario"], r["rep"], r["variant"]) for r in rows}
    for key, row in {**by_fit, **by_response}.items():  # fits with no parameter named alike: map-free only
        if key not in seen:
            rows.append(_map_free_row(key, by_fit.get(key), by_response.get(key), by_elpd.get(key),
                                      checks.get((key[0], key[2])), prior_predictive.get((key[0], key[2]))))
    return pd.DataFrame(rows)


def _evidence_columns(group_row, response_row, elpd_row, pp) -> dict:
    """The verdict table's columns for the group-level, leave-one-group-out and prior-predictive comparisons."""
    return {
        "group_verdict": None if group_row is None else group_row["group_verdict"],
        "worst_groups": None if group_row is None else group_row["worst_groups"],
        "response_verdict": None if response_row is None else response_row["group_verdict"],
        "worst_responses": None if response_row is None else response_row["worst_groups"],
        "elpd_diff": float("nan") if elpd_row is None else elpd_row["elpd_diff"],
        "elpd_diff_se": float("nan") if elpd_row is None else elpd_row["elpd_diff_se"],
        "prior_predictive": None if pp is None else pp["status"],
        "prior_predictive_p": float("nan") if pp is None or pp.get("p_value") is None else float(pp["p_value"]),
    }


def _map_free_row(key, group_row, response_row, elpd_row, check, pp) -> dict:
    """The verdict line of a fit none of whose variables matches beta, tau or sigma by name: the group-level
    comparisons only, never *agrees* (the parameters are not compared)."""
    scenario, rep, variant = key
    reference = (response_row if response_row is not None else group_row)["reference"]
    compared = _group_rows(group_row, response_row)
    labels = [row["group_verdict"] for _, row in compared]
    verdict = Verdict.DISAGREES if Verdict.DISAGREES in labels else Verdict.INCONCLUSIVE
    text = (f"{verdict} against {reference}: no variable matches beta, tau or sigma by name (a rename: in its "
            "variant entry maps them), so only group-level quantities were compared")
    text += "".join(_group_clause(quantity, row) for quantity, row in compared)
    for clause in (_structure_clause(check), _elpd_clause(elpd_row), _prior_predictive_clause(pp)):
        if clause:
            text += "; " + clause
    return {
        "scenario": scenario, "rep": int(rep), "variant": variant, "reference": reference, "verdict": str(verdict),
        "margin": float("nan"),
        "structure_ok": None if check is None else bool(check["zero_sum_ok"] and check["logp"]["status"] == "equivalent"),
        "max_effect_sd": float("nan"), "max_bound_sd": float("nan"),
        "ess_factor": float("nan"),
        **_evidence_columns(group_row, response_row, elpd_row, pp),
        "truth_in_hdi": 0, "n_parameters": 0, "healthy": False, "trouble": "",  # health not scored
        "statement": f"{variant}: {text}. Parameters not summarized, so recovery and sampler health are not scored.",
    }


def verdict_counts(variants: pd.DataFrame) -> dict[str, int]:
    """How many (scenario, rep, variant) rows carry each label other than ``reference``, in label order."""
    counts = variants["verdict"].value_counts() if len(variants) else pd.Series(dtype=int)
    return {str(v): int(counts.get(str(v), 0)) for v in Verdict if v != Verdict.REFERENCE}
