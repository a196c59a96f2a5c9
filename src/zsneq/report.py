"""The final HTML report: one self-contained page, figures embedded, opens from disk."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from pathlib import Path

import jinja2
import markupsafe
import numpy as np
import pandas as pd
import yaml

from .io import write_text
from .plots import parameter_order
from .provenance import git_revision, package_versions
from .workflow import DIAGNOSTIC_KINDS, FIGURES, diagnostic_path, forest_path, performance_path

TABLE_COLUMNS = ["mean", "sd", "hdi_3%", "hdi_97%", "ess_bulk", "ess_tail", "r_hat", "truth", "target"]


def _fmt(value, column: str) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    if column.startswith("ess"):
        return f"{value:.0f}"
    if column == "r_hat":
        return f"{value:.2f}"
    return f"{value:.3f}"


def variant_table(rows: pd.DataFrame) -> dict:
    """The thread-style table of one fit: parameters down, statistics across."""
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
    }


def verdict_rows(verdicts: pd.DataFrame | None, scenario: str) -> list[dict]:
    if verdicts is None or verdicts.empty:
        return []
    sub = verdicts[verdicts["scenario"] == scenario].sort_values(["rep", "variant"])
    return [{"rep": int(r["rep"]), "verdict": r["verdict"], "statement": r["statement"]} for _, r in sub.iterrows()]


def inline_svg(path: Path) -> str | None:
    """An SVG file's ``<svg>`` element, for embedding; None when the file is absent."""
    path = Path(path)
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    return text[text.index("<svg"):]


def data_uri(path: Path) -> str | None:
    """A PNG file as a data: URI, for embedding; None when the file is absent."""
    path = Path(path)
    if not path.is_file():
        return None
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def diagnostics(scenario: str, config: dict, verdicts: pd.DataFrame | None, figures_root: Path) -> list[dict]:
    """Replicate 0's diagnostic plots per variant; flagged fits (disagreeing or unhealthy) open first."""
    flagged = set()
    if verdicts is not None and not verdicts.empty:
        rows = verdicts[(verdicts["scenario"] == scenario) & (verdicts["rep"] == 0)]
        flagged = set(rows.loc[rows["verdict"].isin(["disagrees", "unknown"]) | ~rows["healthy"], "variant"])
    out = []
    for variant in config["variants"]:
        images = {k: data_uri(diagnostic_path(scenario, variant, 0, k, figures_root)) for k in DIAGNOSTIC_KINDS}
        images = {k: v for k, v in images.items() if v}
        if images:
            out.append({"variant": variant, "flagged": variant in flagged, "images": images})
    return sorted(out, key=lambda d: not d["flagged"])


def scenario_sections(summary: pd.DataFrame, config: dict, verdicts: pd.DataFrame | None = None,
                      checks: list[dict] = (), figures_root: Path = FIGURES) -> list[dict]:
    sections = []
    for scenario in config["scenarios"]:
        sub = summary[summary["scenario"] == scenario]
        reps = []
        for rep, rep_rows in sub.groupby("rep", sort=True):
            tables = []
            for variant in config["variants"]:
                rows = rep_rows[rep_rows["variant"] == variant]
                tables.append({"variant": variant, **(variant_table(rows) if len(rows) else {"missing": True})})
            reps.append({"rep": int(rep), "tables": tables})
        sections.append({
            "name": scenario,
            "settings": config["scenarios"][scenario],
            "figure": inline_svg(forest_path(scenario, figures_root)),
            "performance": inline_svg(performance_path(scenario, figures_root)),
            "diagnostics": diagnostics(scenario, config, verdicts, figures_root),
            "reps": reps,
            "verdicts": verdict_rows(verdicts, scenario),
            "checks": [c for c in checks if c["scenario"] == scenario],
        })
    return sections


def codespans(text: str) -> markupsafe.Markup:
    """Escape ``text`` and show its `backticked` spans as code."""
    escaped = str(markupsafe.escape(text))
    return markupsafe.Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped))


def add_fit_problems(sections: list[dict], fits: pd.DataFrame | None) -> list[dict]:
    """Name every failed fit in its scenario (``failed``) and give missing tables their fit's error.

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
        for rep in section["reps"]:
            for table in rep["tables"]:
                if table["missing"]:
                    table["error"] = errors.get((rep["rep"], table["variant"]), "")
    return sections


def render(summary: pd.DataFrame, template: Path, config: dict, verdicts: pd.DataFrame | None = None,
           checks: list[dict] = (), figures_root: Path = FIGURES, fits: pd.DataFrame | None = None) -> str:
    """Render the self-contained report: tables, verdicts, checks and every figure embedded."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(template).parent),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["codespans"] = codespans
    return env.get_template(Path(template).name).render(
        sections=add_fit_problems(scenario_sections(summary, config, verdicts, list(checks), Path(figures_root)), fits),
        config_yaml=yaml.safe_dump(config, sort_keys=False),
        versions=package_versions(),
        revision=git_revision(Path(template).parent),
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        reference=config.get("reference_variant", config["variants"][0]),
        json=json,
    )


def write_report(html: str, path) -> None:
    write_text(path, html)
