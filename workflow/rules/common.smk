import ast
import os
import re
import sys
from functools import cache
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

sys.path.insert(0, f"{workflow.basedir}/src")  # the package, also when Snakemake runs outside its env
from zsneq.variants import parse_variant
from zsneq.workflow import (
    DIAGNOSTIC_KINDS,
    benchmark_figure_path,
    benchmark_table_paths,
    calibrated_scenarios,
    check_config,
    coverage_figure_path,
    diagnostic_path,
    forest_path,
    performance_path,
    prior_scenarios,
    replicate_batches,
    sbc_figure_path,
)


def config_error(exc) -> str:
    """One line naming the offending key and the rule it breaks, e.g.
    ``scenarios.seed.groups: 1 is less than the minimum of 2``."""
    from jsonschema.exceptions import ValidationError

    cause = exc
    while cause is not None and not isinstance(cause, ValidationError):
        cause = cause.__cause__ or cause.__context__  # validate() wraps the schema error
    if cause is not None:
        key = ".".join(str(p) for p in cause.absolute_path) or "config"
        return f"{key}: {cause.message}"
    return " ".join(str(exc).removeprefix("invalid config: ").split())


try:
    validate(config, schema="../schemas/config.schema.yaml")
    check_config(config)
except (WorkflowError, ValueError) as exc:  # schema violations; ConfigError from check_config
    print(f"config error: {config_error(exc)}", file=sys.stderr)
    sys.exit(1)  # a clear line and a non-zero exit, no traceback

SCENARIOS = list(config["scenarios"])
VARIANTS = list(config["variants"])
PKG = "src/zsneq"


wildcard_constraints:
    scenario="|".join(SCENARIOS),
    variant="|".join(re.escape(v) for v in VARIANTS),  # names may hold "+" (axis values)
    rep=r"\d+",


def any_of(names):
    """A wildcard regex matching exactly these names (nothing when there are none)."""
    return "|".join(re.escape(n) for n in names) if names else "(?!)"


# Scenarios with batch_size > 1 are simulated and fitted by one rule per batch of replicates
# (simulate.smk, fit.smk); the per-replicate rules serve the other scenarios only.
BATCHES = [
    (s, reps)
    for s in SCENARIOS
    if config["scenarios"][s]["batch_size"] > 1
    for reps in replicate_batches(config["scenarios"][s])
]
UNBATCHED_SCENARIOS = any_of([s for s in SCENARIOS if config["scenarios"][s]["batch_size"] == 1])
PRIOR_SCENARIOS = prior_scenarios(config)


def batch_rule_name(stage, scenario, reps):
    return f"{stage}_batch_{re.sub(r'\W', '_', scenario)}_rep{reps[0]}_{reps[-1]}"


def canonical(settings):
    """Settings as a params value that does not change when keys are reordered in the config
    (Snakemake compares params by their text, so key order alone would re-run jobs)."""
    return dict(sorted(settings.items()))


def rule_resources(rule, **extra):
    """Resources a rule's jobs ask a cluster for: its entry under ``resources:`` in the config, over
    ``default``. Memory and wall time grow with each attempt, so a job retried (``--retries``) after
    running out of either asks for more."""
    settings = {**config["resources"]["default"], **config["resources"].get(rule, {})}
    return {
        "mem_mb": lambda wildcards, attempt: settings["mem_mb"] * attempt,
        "runtime": lambda wildcards, attempt: settings["runtime"] * attempt,
        **extra,
    }


def check_resource_rules():
    """Stop with one line when ``resources:`` names a rule the workflow does not have (a typo would
    otherwise be ignored silently)."""
    rules = sorted(r.name for r in workflow.rules if r.name != "all")
    unknown = sorted(set(config["resources"]) - {"default", *rules})
    if unknown:
        print(f"config error: resources: unknown rule(s) {', '.join(unknown)}; rules: {', '.join(rules)}",
              file=sys.stderr)
        sys.exit(1)


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


# Package modules are inputs of the rules whose output they compute, so editing one re-runs exactly
# the jobs it affects. They are found by following the static imports of a rule's script (and of
# the variant modules it loads by name) through the package. I/O plumbing is not followed: editing
# it does not change results, and re-running the whole study for it would be wasteful.
PLUMBING = {"zsneq.io", "zsneq.workflow", "zsneq.provenance"}


def _module_file(name):
    base = Path("src", *name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if Path(workflow.basedir, candidate).is_file():
            return str(candidate)
    return None


@cache
def _imported(path):
    """zsneq modules a file imports (anywhere in it, also inside functions), as dotted names."""
    rel = Path(path).with_suffix("").parts
    package = list(rel[1:-1]) if rel[0] == "src" else []  # for relative imports
    names = set()
    for node in ast.walk(ast.parse(Path(workflow.basedir, path).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            parent = package[: len(package) - node.level + 1] if node.level else []
            base = ".".join([*parent, *([node.module] if node.module else [])])
            names.add(base)
            names.update(f"{base}.{a.name}" for a in node.names)  # `from pkg import submodule`
    return tuple(sorted(n for n in names if n.split(".")[0] == "zsneq" and _module_file(n)))


def package_code(*files):
    """Package modules the given files (scripts or modules) depend on, directly or indirectly."""
    seen, todo = {}, list(files)
    while todo:
        for name in _imported(todo.pop()):
            if name not in PLUMBING and name not in seen:
                seen[name] = _module_file(name)
                todo.append(seen[name])
    own = [f for f in files if f.startswith("src/")]
    return sorted(repo_file(f) for f in set(own) | set(seen.values()))


def repo_file(path):
    """A file of this repository as an input path: relative to the working directory, which is the
    repository unless Snakemake runs with ``--directory`` elsewhere."""
    return os.path.relpath(Path(workflow.basedir, path))


def variant_file(variant):
    """The module file of a variant name such as ``vectorized_fixed+sufficient``."""
    return f"{PKG}/variants/{parse_variant(variant).module}.py"


def variant_modules(variant):
    """Package files defining a variant, so edits to them re-run its jobs."""
    return package_code(variant_file(variant))


def script_code(script, variants=()):
    """Package files a rule's script depends on, plus those of the variants it loads by name."""
    return package_code(f"workflow/scripts/{script}", *[variant_file(v) for v in variants])


def variant_sources(wildcards):
    """Package files a variant's fit depends on."""
    return script_code("fit.py", [wildcards.variant])


def check_sources(wildcards):
    """Package files a variant's structural checks depend on (the reference's too)."""
    return script_code("check_variant.py", [wildcards.variant, config["reference_variant"]])


def all_checks():
    return [f"results/checks/{s}/{v}.json" for s in SCENARIOS for v in VARIANTS]


def report_figures():
    """Figures the HTML report embeds: per scenario, and diagnostics of replicate 0 of every fit."""
    figures = [str(f(s)) for s in SCENARIOS for f in (forest_path, performance_path)]
    figures += [str(diagnostic_path(s, v, 0, k)) for s in SCENARIOS for v in VARIANTS for k in DIAGNOSTIC_KINDS]
    return figures


def calibration_figures():
    """Coverage figure of every scenario; rank histograms and ECDF plots of every prior scenario."""
    figures = [str(coverage_figure_path(s)) for s in calibrated_scenarios(config)]
    figures += [str(sbc_figure_path(s, k)) for s in PRIOR_SCENARIOS for k in ("ranks", "ecdf")]
    return figures


def benchmark_tables(wildcards=None):
    """The likelihood benchmark's tables that exist: ``results/benchmark/fits.csv`` and, if present,
    ``scaling.csv`` (written by hand with ``benchmarks/likelihoods.py``, not by the workflow).

    An input function, so it is evaluated when the DAG is built: the benchmark figure and the report
    are re-made when the tables change, and without fits.csv there is nothing to show.
    """
    return [str(p) for p in benchmark_table_paths()]


def benchmark_figures():
    """The benchmark figure, when there is a benchmark to show."""
    return [str(benchmark_figure_path())] if benchmark_tables() else []


def get_final_output():
    return [
        "results/summary/summary.parquet",
        "results/summary/verdicts.parquet",
        "results/calibration/coverage.parquet",
        "results/calibration/sbc.parquet",
        "results/report/index.html",
        *report_figures(),
        *calibration_figures(),
        *benchmark_figures(),
    ]
