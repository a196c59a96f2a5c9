# Are "equivalent" hierarchical-regression specifications really equivalent?
# Simulate datasets, fit every model variant with nutpie, summarize, report.
import sys
from pathlib import Path

from snakemake.utils import min_version

min_version("9.0")

# The package: this checkout's src/ when there is one (also when used as a module from a local path),
# else the installed zsneq.
if Path(workflow.basedir, "src", "zsneq").is_dir():
    sys.path.insert(0, str(Path(workflow.basedir, "src")))
from zsneq.core.config import default_overlay, unknown_resource_rules

# The default study; a --configfile (or a module's config) without `scenarios:` is an overlay on it,
# one with `scenarios:` is a study of its own (README, config/README.md).
default_overlay(
    config, workflow.source_path("config/config.yaml"), workflow.config_settings.config
)


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"


wildcard_constraints:
    scenario=any_of(SCENARIOS),
    variant=any_of(VARIANTS),  # names may hold "+" (axis values)
    rep=r"\d+",


include: "workflow/rules/simulate.smk"
include: "workflow/rules/checks.smk"
include: "workflow/rules/fit.smk"
include: "workflow/rules/summarize.smk"
include: "workflow/rules/calibration.smk"
include: "workflow/rules/report.smk"


if problem := unknown_resource_rules(config, [r.name for r in workflow.rules]):
    raise SystemExit(f"config error: {problem}")


rule all:
    default_target: True
    input:
        get_final_output(),
