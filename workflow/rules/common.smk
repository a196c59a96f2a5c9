import sys

from snakemake.utils import validate

sys.path.insert(0, f"{workflow.basedir}/src")  # the package, also when Snakemake runs outside its env
from zsneq.workflow import DIAGNOSTIC_KINDS, check_config, diagnostic_path, forest_path, performance_path


validate(config, schema="../schemas/config.schema.yaml")


check_config(config)

SCENARIOS = list(config["scenarios"])
VARIANTS = list(config["variants"])
PKG = "src/zsneq"


wildcard_constraints:
    scenario="|".join(SCENARIOS),
    variant="|".join(VARIANTS),
    rep=r"\d+",


def scenario_reps(scenario):
    return range(config["scenarios"][scenario]["replicates"])


def all_fits():
    return [
        f"results/fits/{s}/{v}/rep{r}.nc"
        for s in SCENARIOS
        for r in scenario_reps(s)
        for v in VARIANTS
    ]


def all_truths():
    return [f"results/data/{s}/rep{r}.truth.parquet" for s in SCENARIOS for r in scenario_reps(s)]


def variant_modules(variant):
    """Package files defining a variant, so edits to them re-run its jobs."""
    return [
        f"{PKG}/variants/{variant}.py",
        f"{PKG}/variants/__init__.py",
        f"{PKG}/variants/_common.py",
        f"{PKG}/variants/_vectorized.py",
    ]


def variant_sources(wildcards):
    """Package files a variant's fit depends on."""
    return [*variant_modules(wildcards.variant), f"{PKG}/fit.py"]


def check_sources(wildcards):
    """Package files a variant's structural checks depend on (the reference's too)."""
    reference = variant_modules(config["reference_variant"])
    return list(dict.fromkeys([*variant_modules(wildcards.variant), *reference, f"{PKG}/checks.py"]))


def all_checks():
    return [f"results/checks/{s}/{v}.json" for s in SCENARIOS for v in VARIANTS]


def report_figures():
    """Figures the HTML report embeds: per scenario, and diagnostics of replicate 0 of every fit."""
    figures = [str(f(s)) for s in SCENARIOS for f in (forest_path, performance_path)]
    figures += [str(diagnostic_path(s, v, 0, k)) for s in SCENARIOS for v in VARIANTS for k in DIAGNOSTIC_KINDS]
    return figures


def get_final_output():
    return [
        "results/summary/summary.parquet",
        "results/summary/verdicts.parquet",
        "results/report/index.html",
        *report_figures(),
    ]
