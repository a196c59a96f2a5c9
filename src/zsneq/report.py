"""The final HTML report: one self-contained page, figures embedded, opens from disk."""

from __future__ import annotations

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


def scenario_sections(summary: pd.DataFrame, figures: dict[str, str], config: dict,
                      verdicts: pd.DataFrame | None = None, checks: list[dict] = ()) -> list[dict]:
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
            "figure": figures.get(scenario),
            "reps": reps,
            "verdicts": verdict_rows(verdicts, scenario),
            "checks": [c for c in checks if c["scenario"] == scenario],
        })
    return sections


def codespans(text: str) -> markupsafe.Markup:
    """Escape ``text`` and show its `backticked` spans as code."""
    escaped = str(markupsafe.escape(text))
    return markupsafe.Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped))


def render(summary: pd.DataFrame, figures: dict[str, Path], template: Path, config: dict,
           verdicts: pd.DataFrame | None = None, checks: list[dict] = ()) -> str:
    """Render the report from the summary table, figure files (SVG, inlined) and config."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(template).parent),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["codespans"] = codespans
    inline = {name: Path(path).read_text(encoding="utf-8") for name, path in figures.items()}
    inline = {name: svg[svg.index("<svg"):] for name, svg in inline.items()}
    return env.get_template(Path(template).name).render(
        sections=scenario_sections(summary, inline, config, verdicts, list(checks)),
        config_yaml=yaml.safe_dump(config, sort_keys=False),
        versions=package_versions(),
        revision=git_revision(Path(template).parent),
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        reference=config.get("reference_variant", config["variants"][0]),
        json=json,
    )


def write_report(html: str, path) -> None:
    write_text(path, html)
