# Are "equivalent" hierarchical-regression specifications really equivalent?
# Simulate datasets, fit every model variant with nutpie, summarize, report.
from snakemake.utils import min_version

min_version("9.0")


# The default study, unless a study is given with --configfile: that file then replaces it, in
# this process and in cluster jobs alike (jobs are not passed --replace-workflow-config).
if not workflow.overwrite_configfiles:

    configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/simulate.smk"
include: "workflow/rules/checks.smk"
include: "workflow/rules/fit.smk"
include: "workflow/rules/summarize.smk"
include: "workflow/rules/calibration.smk"
include: "workflow/rules/report.smk"


check_resource_rules()


rule all:
    input:
        get_final_output(),
    default_target: True
