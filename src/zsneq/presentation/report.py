"""The final HTML report: one self-contained page, figures embedded, opens from disk."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import markupsafe
import numpy as np
import pandas as pd
import yaml

from zsneq.analysis.benchmark import (
    FIT_HEADER,
    baseline_of,
    fast_variant,
    fit_rows,
    scaling_grid,
)
from zsneq.analysis.job_benchmarks import job_benchmark_summary
from zsneq.analysis.rules import ALPHA, MARGIN, Model, Verdict, z_agree
from zsneq.analysis.statements import rule_sentences, sigma_note
from zsneq.analysis.verdicts import verdict_counts
from zsneq.core.config import calibrated_scenarios, prior_scenarios, variant_names
from zsneq.core.figures import FIGURES
from zsneq.core.io import write_text
from zsneq.core.paths import DIAGNOSTIC_KINDS
from zsneq.core.provenance import git_revision, package_versions
from zsneq.core.vocabulary import has_two_truths, parameter_order

TABLE_COLUMNS = ["mean", "sd", "hdi_3%", "hdi_97%", "ess_bulk", "ess_tail", "r_hat", "truth", "target"]


def _fmt(value, column: str) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    if column.startswith("ess"):
        return f"{value:.0f}"
    if column == "r_hat":
        return f"{value:.2f}"
    return f"{value:.3f}"


def variant_table(rows: pd.DataFrame, outcome: dict | None = None) -> dict:
    """The thread-style table of one fit: parameters down, statistics across; ``note`` says which
    parameter does not apply to the fit's outcome (``outcome``: its check's ``{family, discrete}``)."""
    rows = rows.set_index("parameter").loc[parameter_order(rows["parameter"])]
    body = []
    for param, r in rows.iterrows():
        inside = r["hdi_3%"] <= r["target"] <= r["hdi_97%"] if np.isfinite(r["target"]) else True
        body.append({
            "parameter": param,
            "cells": [_fmt(r[c], c) for c in TABLE_COLUMNS],
            "truth_outside": not inside,
            "rhat_bad": bool(r["r_hat"] > 1.01),
        })
    first = rows.iloc[0]
    return {
        "missing": False,
        "columns": TABLE_COLUMNS,
        "rows": body,
        "divergences": int(first["divergences"]),
        "compile_seconds": float(first["compile_seconds"]),
        "sampling_seconds": float(first["sampling_seconds"]),
        "note": "" if "sigma" in rows.index else sigma_note(outcome),
    }


MAX_REPLICATES_SHOWN = 3  # replicates with full tables and verdict lines; the rest are tallied
SEVERITY = [Verdict.DISAGREES, Verdict.UNRELIABLE, Verdict.UNKNOWN, Verdict.INCONCLUSIVE, Verdict.AGREES,
            Verdict.BASELINE, Verdict.REFERENCE]  # the label a tally of replicates shows first
MODEL_CLASS = {Model.SAME: "ok", Model.NO_DIFFERENCE: "ok", Model.DIFFERENT: "notok", Model.NOT_SHOWN: "unsure",
               Model.REFERENCE: "ref"}
POSTERIOR_CLASS = {Verdict.AGREES: "ok", Verdict.DISAGREES: "notok", Verdict.INCONCLUSIVE: "unsure",
                   Verdict.UNRELIABLE: "unsure", Verdict.UNKNOWN: "unsure", Verdict.REFERENCE: "ref",
                   Verdict.BASELINE: "ref"}
EVIDENCE_COLUMNS = ["model", "posterior", "structure / zero-sum axis", "log density", "prior predictive",
                    "posterior (worst quantity)", "groups", "ELPD vs reference", "sampler health", "truth coverage"]


def verdict_overview(verdicts: pd.DataFrame | None, config: dict) -> dict:
    """First-screen summary: how many variant fits carry each label of each question, the margin and level,
    one rule sentence per label."""
    settings = config.get("verdicts", {})
    margin, alpha = float(settings.get("margin", MARGIN)), float(settings.get("alpha", ALPHA))
    frame = verdicts if verdicts is not None and not verdicts.empty else pd.DataFrame(
        columns=["model_verdict", "posterior_verdict"])
    k = int(frame["k_compared"].max()) if "k_compared" in frame and len(frame) else 0
    return {"model_counts": verdict_counts(frame, "model_verdict"),
            "posterior_counts": verdict_counts(frame, "posterior_verdict"),
            "margin": margin, "alpha": alpha, "k": k, "rules": rule_sentences(margin, alpha, k, z_agree(alpha))}


def _cell(text, cls: str = "", title: str = "") -> dict:
    return {"text": text, "cls": cls, "title": title}


def _finite(value) -> bool:
    return value is not None and not (isinstance(value, float) and not np.isfinite(value))


def _value(r, key):
    """A verdict row's value, None where it is missing (absent, None or NaN)."""
    value = r.get(key)
    return None if value is None or (isinstance(value, float) and not np.isfinite(value)) else value


def evidence_cells(r) -> list[dict]:
    """One variant's row of the first screen's table: the two verdicts, then each piece of evidence."""
    model, posterior = r["model_verdict"], r["posterior_verdict"]
    if model == Model.REFERENCE:  # its checks are against itself
        r = {**r, "logp": None, "logp_posterior": None, "prior_predictive": None}
    dims = r.get("zero_sum_dims")
    structure = _cell("–") if r.get("structure_ok") is None else _cell(
        dims or "–", "ok" if r["structure_ok"] else "notok")
    logp, post = _value(r, "logp"), _value(r, "logp_posterior")
    if logp is None:
        logp_cell = _cell("–")
    elif logp == "equivalent" and post in (None, "equivalent"):
        logp_cell = _cell("equal up to a constant" + (" (prior + posterior points)" if post else ""), "ok")
    elif "different" in (logp, post):
        logp_cell = _cell("differs" + (" at posterior points" if logp != "different" else ""), "notok")
    else:
        logp_cell = _cell({"no_map": "no map", "needs_map": "not compared (no shared variables)"}.get(logp, logp),
                          "unsure")
    pp, p = _value(r, "prior_predictive"), _value(r, "prior_predictive_p")
    power = _value(r, "prior_predictive_power")
    if pp is None:
        pp_cell = _cell("–")
    elif pp == "differs":
        pp_cell = _cell(f"differs (p = {p:.3g})", "notok")
    elif pp == "no_difference":
        pp_cell = _cell(f"none found (p = {p:.3g}" + (f"; power ≥ {power:.2f}" if _finite(power) else "") + ")",
                        "ok" if _finite(power) else "unsure")
    else:
        pp_cell = _cell("not compared", "unsure")
    if posterior in (Verdict.REFERENCE, Verdict.BASELINE) or not _finite(r.get("max_effect_sd")):
        worst = _cell("–")
    else:
        worst = _cell(f"Δ {r['max_effect_sd']:.2f} sd (bound {r['max_bound_sd']:.2f})",
                      POSTERIOR_CLASS.get(posterior, ""))
    groups = [f"slopes {_value(r, 'group_verdict')}" if _value(r, "group_verdict") else "",
              f"responses {_value(r, 'response_verdict')}" if _value(r, "response_verdict") else ""]
    group_labels = [_value(r, "group_verdict"), _value(r, "response_verdict")]
    groups_cell = _cell(", ".join(g for g in groups if g) or "–",
                        "notok" if "disagrees" in group_labels else ("ok" if any(group_labels) and all(
                            g in (None, "agrees") for g in group_labels) else ""),
                        _value(r, "worst_groups") or "")
    elpd = _cell(f"{r['elpd_diff']:+.1f} ± {r['elpd_diff_se']:.1f}") if _finite(r.get("elpd_diff")) else _cell("–")
    health = _cell("ok", "ok") if r["healthy"] else _cell("trouble" if r.get("trouble") else "–",
                                                          "notok" if r.get("trouble") else "", r.get("trouble") or "")
    n_truths = int(r.get("n_truths", 0) or 0)
    truth = _cell(f"{int(r['truth_in_hdi'])}/{n_truths} in 94% HDI" if n_truths else "no known truth",
                  "ok" if n_truths and int(r["truth_in_hdi"]) == n_truths else "")
    return [_cell(str(model), MODEL_CLASS.get(model, "")), _cell(str(posterior), POSTERIOR_CLASS.get(posterior, "")),
            structure, logp_cell, pp_cell, worst, groups_cell, elpd, health, truth]


def evidence_table(verdicts: pd.DataFrame | None, scenario: str) -> list[dict]:
    """The first screen's table of one scenario: replicate 0's variants as rows, evidence as columns."""
    if verdicts is None or verdicts.empty:
        return []
    sub = verdicts[(verdicts["scenario"] == scenario) & (verdicts["rep"] == verdicts["rep"].min())]
    return [{"variant": r["variant"], "baseline": r["variant"] == r["baseline"], "cells": evidence_cells(r)}
            for _, r in sub.iterrows()]


def verdict_rows(verdicts: pd.DataFrame | None, scenario: str) -> list[dict]:
    """Verdict lines of the first ``MAX_REPLICATES_SHOWN`` replicates; with more, one tally line per variant."""
    if verdicts is None or verdicts.empty:
        return []
    sub = verdicts[verdicts["scenario"] == scenario].sort_values(["rep", "variant"])
    shown = sorted(sub["rep"].unique())[:MAX_REPLICATES_SHOWN]
    rows = [{"rep": int(r["rep"]), "verdict": r["posterior_verdict"], "model": r["model_verdict"],
             "statement": r["statement"]} for _, r in sub[sub["rep"].isin(shown)].iterrows()]
    if sub["rep"].nunique() > len(shown):
        for variant, v in sub.groupby("variant", sort=False):
            counts = v["posterior_verdict"].value_counts()
            tally = ", ".join(f"posterior {name} in {n}" for name, n in counts.items())
            worst = next((str(label) for label in SEVERITY if str(label) in counts), counts.index[0])
            models = ", ".join(f"{name} in {n}" for name, n in v["model_verdict"].value_counts().items())
            rows.append({"rep": None, "verdict": worst, "model": None,
                         "statement": f"`{variant}` over all {len(v)} replicates: model {models}; {tally}."})
    return rows


def inline_svg(path: Path) -> str | None:
    """An SVG file's ``<svg>`` element, for embedding, without its metadata and the indentation between
    elements; None when the file is absent."""
    path = Path(path)
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"<metadata>.*?</metadata>", "", text[text.index("<svg"):], flags=re.S)
    return re.sub(r">\s+<", "><", text).strip()


def data_uri(path: Path) -> str | None:
    """A PNG file as a data: URI, for embedding; None when the file is absent."""
    path = Path(path)
    if not path.is_file():
        return None
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")

TEMPLATE = Path(__file__).parent / "templates" / "index.html.j2"  # the report's HTML template


@dataclass
class Figures:
    """The figure files the report embeds, as the workflow gives them."""

    scenario: dict[tuple[str, str], Path] = field(default_factory=dict)  # (figure name, scenario): FIGURES' files
    captions: dict[str, str] = field(default_factory=dict)  # figure name: its caption's text (.rst)
    diagnostics: dict[tuple[str, str, str], Path] = field(default_factory=dict)  # (scenario, variant, kind)
    benchmark: Path | None = None


def caption_text(text: str | None, scenario: str) -> str:
    """A figure's caption (reStructuredText for Snakemake's report) as the HTML report's text."""
    if not text:
        return ""
    text = text.replace("{{ snakemake.wildcards.scenario }}", scenario)
    return " ".join(text.replace("``", "`").split())


def figure_blocks(figures: Figures, scenario: str, section: str) -> list[dict]:
    """The per-scenario figures of one section of the report, in ``FIGURES`` order: title, inline SVG, caption."""
    blocks = []
    for figure in FIGURES:
        path = figures.scenario.get((figure.name, scenario))
        if figure.section == section and path is not None and (svg := _svg(path)):
            blocks.append({"name": figure.name, "title": figure.title, "svg": svg,
                           "caption": caption_text(figures.captions.get(figure.name), scenario)})
    return blocks


def _svg(path) -> str | None:
    return inline_svg(path) if path is not None else None


def diagnostics(scenario: str, config: dict, verdicts: pd.DataFrame | None, figures: Figures) -> list[dict]:
    """Replicate 0's diagnostic plots per variant; flagged fits (disagreeing or unhealthy) open first."""
    flagged = set()
    if verdicts is not None and not verdicts.empty:
        rows = verdicts[(verdicts["scenario"] == scenario) & (verdicts["rep"] == 0)]
        flagged = set(rows.loc[rows["posterior_verdict"].isin([Verdict.DISAGREES, Verdict.UNKNOWN, Verdict.UNRELIABLE,
                                                               Verdict.INCONCLUSIVE])
                               | rows["model_verdict"].isin([Model.DIFFERENT, Model.NOT_SHOWN]) | ~rows["healthy"],
                               "variant"])
    out = []
    for variant in variant_names(config):
        images = {k: data_uri(figures.diagnostics[scenario, variant, k]) for k in DIAGNOSTIC_KINDS
                  if (scenario, variant, k) in figures.diagnostics}
        images = {k: v for k, v in images.items() if v}
        if images:
            out.append({"variant": variant, "flagged": variant in flagged, "images": images})
    return sorted(out, key=lambda d: not d["flagged"])


def scenario_sections(summary: pd.DataFrame, config: dict, verdicts: pd.DataFrame | None = None,
                      checks: list[dict] = (), figures: Figures | None = None) -> list[dict]:
    figures = figures or Figures()
    sections = []
    for scenario in config["scenarios"]:
        sub = summary[summary["scenario"] == scenario]
        outcomes = {c["variant"]: c.get("outcome") for c in checks if c["scenario"] == scenario}
        reps = []
        for rep, rep_rows in list(sub.groupby("rep", sort=True))[:MAX_REPLICATES_SHOWN]:
            tables = []
            for variant in variant_names(config):
                rows = rep_rows[rep_rows["variant"] == variant]
                tables.append({"variant": variant, **(variant_table(rows, outcomes.get(variant)) if len(rows)
                                                      else {"missing": True})})
            reps.append({"rep": int(rep), "tables": tables})
        sections.append({
            "name": scenario,
            "settings": config["scenarios"][scenario],
            "figures": figure_blocks(figures, scenario, "scenario"),
            "diagnostics": diagnostics(scenario, config, verdicts, figures),
            "reps": reps,
            "more_reps": max(0, int(sub["rep"].nunique()) - len(reps)),
            "verdicts": verdict_rows(verdicts, scenario),
            "evidence": evidence_table(verdicts, scenario),
            "checks": [c for c in checks if c["scenario"] == scenario],
        })
    return sections


def codespans(text: str) -> markupsafe.Markup:
    """Escape ``text`` and show its `backticked` spans as code."""
    escaped = str(markupsafe.escape(text))
    return markupsafe.Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped))


def add_fit_problems(sections: list[dict], fits: pd.DataFrame | None) -> list[dict]:
    """Name every failed fit in its scenario (``failed``) and give missing tables their fit's error, or
    mark them ``unnamed`` when the fit ran but none of its variables is named beta, tau or sigma.

    ``fits`` is the fit table (``results/summary/fits.parquet``: status and error of every fit).
    """
    if fits is None:
        fits = pd.DataFrame(columns=["scenario", "rep", "variant", "status", "error"])
    failed = fits[fits["status"] != "ok"]
    for section in sections:
        rows = failed[failed["scenario"] == section["name"]]
        section["failed"] = [
            {"rep": int(r["rep"]), "variant": r["variant"], "error": r["error"] or r["status"]}
            for _, r in rows.sort_values(["rep", "variant"]).iterrows()
        ]
        errors = {(f["rep"], f["variant"]): f["error"] for f in section["failed"]}
        ran = fits[(fits["scenario"] == section["name"]) & (fits["status"] == "ok")]
        ran = {(int(r), v) for r, v in zip(ran["rep"], ran["variant"])}
        for rep in section["reps"]:
            for table in rep["tables"]:
                if table["missing"]:
                    table["error"] = errors.get((rep["rep"], table["variant"]), "")
                    table["unnamed"] = (rep["rep"], table["variant"]) in ran  # fitted, but no beta, tau, sigma
    return sections


def _coverage_cell(row) -> str:
    return f"{row['coverage']:.2f} [{row['ci_lower']:.2f}, {row['ci_upper']:.2f}]"


def coverage_rows(coverage: pd.DataFrame) -> tuple[list[str], list[dict]]:
    """Coverage of one scenario as table rows (variant, parameter, truth) with one cell per level."""
    levels = sorted(coverage["level"].unique())
    rows = []
    for (variant, parameter, kind), sub in coverage.groupby(["variant", "parameter", "truth_kind"], sort=False):
        by_level = sub.set_index("level")
        rows.append({
            "variant": variant, "parameter": parameter,
            "truth": ("groups' mean (targeted)" if kind == "target" else "population") if has_two_truths(parameter)
            else "simulated value",
            "n": int(sub["n"].iloc[0]),
            "cells": [_coverage_cell(by_level.loc[lv]) for lv in levels],
        })
    return [f"{100 * lv:g}%" for lv in levels], rows


def calibration_sections(config: dict, coverage: pd.DataFrame | None, sbc: pd.DataFrame | None,
                         sbc_variants: pd.DataFrame | None, batching: pd.DataFrame | None,
                         figures: Figures | None = None) -> list[dict]:
    """Per scenario with replicates to score (``calibrated_scenarios``): coverage figure and table; for
    prior scenarios SBC verdicts and figures; batching savings."""
    if coverage is None:
        return []
    figures = figures or Figures()
    prior = set(prior_scenarios(config))
    sections = []
    for scenario in calibrated_scenarios(config):
        cov = coverage[coverage["scenario"] == scenario]
        levels, rows = coverage_rows(cov) if len(cov) else ([], [])
        section = {
            "name": scenario, "prior": scenario in prior,
            "figures": figure_blocks(figures, scenario, "calibration"),
            "levels": levels, "coverage_rows": rows,
            "n": int(cov["n"].max()) if len(cov) else 0,
            "batching": [] if batching is None else batching[batching["scenario"] == scenario].to_dict("records"),
        }
        if scenario in prior and sbc is not None:
            table = sbc[sbc["scenario"] == scenario]
            params = parameter_order(table["parameter"])
            variants = [] if sbc_variants is None else sbc_variants[sbc_variants["scenario"] == scenario]
            section["sbc_params"] = params
            section["sbc_rows"] = [
                {
                    "variant": v["variant"],
                    "passes": None if pd.isna(v["passes"]) else bool(v["passes"]),
                    "min_p": v.get("min_p_ecdf", float("nan")),
                    "paired": _paired_cell(v),
                    "n": int(v["n"]),
                    "cells": [
                        _sbc_cell(table[(table["variant"] == v["variant"]) & (table["parameter"] == p)]) for p in params
                    ],
                }
                for _, v in variants.iterrows()
            ]
            section["band_prob"] = float(table["band_prob"].iloc[0]) if len(table) else float("nan")
            section["rank_draws"] = int(table["rank_draws"].iloc[0]) if len(table) else 0
        sections.append(section)
    return sections


def _paired_cell(row) -> dict:
    """Differential SBC of one variant (``sbc_variants`` row): text, whether it differs, hover title."""
    differs = row.get("paired_differs", pd.NA)
    if row.get("reference") is None or pd.isna(row.get("reference")):
        return {"text": "reference" if pd.isna(differs) else "–", "differs": None, "title": ""}
    if pd.isna(differs):
        return {"text": "–", "differs": None, "title": "no verdict (too few replicates)"}
    p = float(row["min_p_paired"])
    text = (f"differs (p = {p:.2g}) on {row['paired_differing']}" if differs else f"no difference (p = {p:.2g})")
    return {"text": text, "differs": bool(differs),
            "title": f"ranks paired with {row['reference']}'s on the same datasets; smallest p over parameters"}


def _sbc_cell(rows: pd.DataFrame) -> dict:
    if rows.empty or pd.isna(rows["passes"].iloc[0]):
        return {"text": "–", "passes": None, "title": "no verdict (too few replicates)"}
    r = rows.iloc[0]
    return {
        "text": f"{'pass' if r['passes'] else 'FAIL'} (p {r['p_ecdf']:.2g})" if "p_ecdf" in r else
                ("pass" if r["passes"] else "FAIL"),
        "passes": bool(r["passes"]),
        "title": f"{int(r['points_outside'])} ECDF points outside the band (by up to {r['max_excess']:.3f}); "
                 f"mean PIT {r['mean_pit']:.2f}; "
                 f"{int(r['low_ess'])} replicate(s) with ess_bulk < {int(r['rank_draws'])}; "
                 f"{int(r['divergent'])} with divergences",
    }


def benchmark_section(fits: pd.DataFrame | None, scaling: pd.DataFrame | None, figure: Path | None = None) -> dict | None:
    """The likelihood benchmark's tables (``results/benchmark/``) and figure; None without ``fits``."""
    if fits is None:
        return None
    reference = baseline_of(fits)
    section = {"reference": reference, "columns": FIT_HEADER[1:], "rows": fit_rows(fits, reference),
               "figure": _svg(figure), "scaling": None}
    if scaling is not None and len(scaling):
        fast = fast_variant(scaling, reference)
        rows_per_group, grid = scaling_grid(scaling, fast, reference)
        section["scaling"] = {"fast": fast, "rows_per_group": rows_per_group, "rows": grid}
    return section


def compute_rows(jobs: pd.DataFrame | None) -> list[dict]:
    """Per rule, what its jobs used (``zsneq.analysis.job_benchmarks.job_benchmark_summary`` of Snakemake's
    benchmark files), formatted; empty without benchmark files."""
    if jobs is None or jobs.empty:
        return []

    def cell(value, digits):
        return "–" if pd.isna(value) else f"{value:,.{digits}f}"

    return [{"rule": r["rule"], "jobs": int(r["jobs"]), "total_s": cell(r["total_s"], 1), "max_s": cell(r["max_s"], 1),
             "cpu_s": cell(r["cpu_s"], 1), "max_rss_mb": cell(r["max_rss_mb"], 0)}
            for _, r in job_benchmark_summary(jobs).iterrows()]


def render(summary: pd.DataFrame, template: Path, config: dict, verdicts: pd.DataFrame | None = None,
           checks: list[dict] = (), figures: Figures | None = None, fits: pd.DataFrame | None = None,
           calibration: dict | None = None, benchmark: dict | None = None,
           job_benchmarks: pd.DataFrame | None = None) -> str:
    """Render the self-contained report: tables, verdicts, checks, calibration, benchmark and every figure embedded.

    ``calibration``: the tables ``coverage``, ``sbc``, ``sbc_variants`` and ``batching`` of
    ``results/calibration/`` (each may be None). ``benchmark``: the tables ``fits`` and ``scaling`` of
    ``results/benchmark/`` (each may be None; the report has a benchmark section when ``fits`` is given).
    ``figures``: the figure files to embed; a figure not given is left out. ``job_benchmarks``:
    Snakemake's per-job benchmark files (``read_job_benchmarks``); the report then lists, per rule,
    jobs, wall and CPU seconds and peak memory.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(template).parent),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["codespans"] = codespans
    return env.get_template(Path(template).name).render(
        sections=add_fit_problems(scenario_sections(summary, config, verdicts, list(checks), figures), fits),
        calibration=calibration_sections(config, **(calibration or {"coverage": None, "sbc": None,
                                                                   "sbc_variants": None, "batching": None}),
                                         figures=figures),
        benchmark=benchmark_section(**(benchmark or {"fits": None, "scaling": None}),
                                    figure=(figures or Figures()).benchmark),
        compute=compute_rows(job_benchmarks),
        config_yaml=yaml.safe_dump(config, sort_keys=False),
        versions=package_versions(),
        revision=git_revision(Path(template).parent),
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        reference=config["reference_variant"],
        overview=verdict_overview(verdicts, config),
        evidence_columns=EVIDENCE_COLUMNS,
        config_alpha=config.get("calibration", {}).get("alpha", 0.05),
        json=json,
    )


def write_report(html: str, path) -> None:
    write_text(path, html)
