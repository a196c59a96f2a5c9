"""The report's per-scenario figures: one list, read by the rules that draw them, the report rule and the report.

Each entry names a figure; from it follow its file (``paths.figure``), its rule (``plot_<name>``, made in
``workflow/rules/report.smk`` by a loop over this list), its caption (``workflow/report/<name>.rst``,
shown in Snakemake's own report and in the HTML report), the study tables its plot function reads and
where the HTML report shows it. Adding a figure touches four files: its plot function (in
a figure family's module of ``zsneq.presentation``, called as ``function(tables, scenario, settings) -> matplotlib Figure``), its
caption, its entry here and a test.
"""

from __future__ import annotations

from dataclasses import dataclass

from zsneq.core import paths
from zsneq.core.config import calibrated_scenarios, prior_scenarios

# the study tables a figure may read, by name
TABLES = {
    "summary": paths.SUMMARY,
    "coverage": paths.calibration_table("coverage"),
    "replicates": paths.calibration_table("replicates"),
    "sbc": paths.calibration_table("sbc"),
    "parameter_verdicts": paths.PARAMETER_VERDICTS,
}


@dataclass(frozen=True)
class Figure:
    """One per-scenario figure of the report."""

    name: str  # file stem, rule suffix and caption file: results/figures/{scenario}/<name>.svg
    title: str  # shown above it in the HTML report
    plot: str  # "module:function" under zsneq.presentation
    tables: tuple[str, ...]  # keys of TABLES the plot reads
    section: str = "scenario"  # where the HTML report shows it: "scenario" or "calibration"
    scenarios: str = "all"  # which scenarios have it: "all", "calibrated" (2+ replicates), "prior" (truth: prior)
    category: str = "Figures"  # Snakemake report category


FIGURES = (
    Figure("forest", "Posterior means and 94% HDIs, replicate 0", "summary_figures:forest", ("summary",)),
    Figure("differences", "Differences from the baseline, in baseline sds", "summary_figures:differences",
           ("parameter_verdicts",)),
    Figure("performance", "Wall time and effective draws per second", "summary_figures:performance",
           ("summary",)),
    Figure("sbc_ranks", "SBC rank histograms", "calibration_figures:sbc_ranks", ("replicates", "sbc"), "calibration",
           "prior", "Calibration"),
    Figure("sbc_ecdf", "SBC: PIT ECDF minus uniform", "calibration_figures:sbc_ecdf", ("replicates", "sbc"), "calibration",
           "prior", "Calibration"),
    Figure("coverage", "Coverage of central intervals", "calibration_figures:coverage", ("coverage",), "calibration",
           "calibrated", "Calibration"),
)
BY_NAME = {f.name: f for f in FIGURES}


def figure_scenarios(figure: Figure, config: dict) -> list[str]:
    """The scenarios of a study that have this figure."""
    if figure.scenarios == "calibrated":
        return list(calibrated_scenarios(config))
    if figure.scenarios == "prior":
        return list(prior_scenarios(config))
    return list(config["scenarios"])


def study_figures(config: dict) -> list[tuple[str, str, str]]:
    """``(name, scenario, path)`` of every per-scenario figure of a study, in report order."""
    return [(f.name, s, paths.figure(s, f.name)) for f in FIGURES for s in figure_scenarios(f, config)]
