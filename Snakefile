# Are "equivalent" hierarchical-regression specifications really equivalent?
# Simulate datasets, fit every model variant with nutpie, summarize, report.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/simulate.smk"
include: "workflow/rules/checks.smk"
include: "workflow/rules/fit.smk"
include: "workflow/rules/summarize.smk"
include: "workflow/rules/calibration.smk"
include: "workflow/rules/report.smk"


rule all:
    input:
        get_final_output(),
    default_target: True
