import re
import os

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from zsneq.core import paths
from zsneq.core.code import MODEL_CODE, package_files, variant_code
from zsneq.core.figures import FIGURES, TABLES, figure_scenarios, study_figures
from zsneq.core.config import (
    config_error,
    prior_scenarios,
    replicate_batches,
)
from zsneq.models.variants import parse_variant, variant_entries
from zsneq.workflow import check_config

# --- validation: one line naming the key, no traceback ---------------------------------------------
# (schema violations raise WorkflowError; check_config's ConfigError is a ValueError)
try:
    validate(config, schema="../schemas/config.schema.yaml")
    check_config(config)
except (WorkflowError, ValueError) as exc:
    raise SystemExit(f"config error: {config_error(exc)}")

SCENARIOS = list(config["scenarios"])
# a variant's name -> its entry: a built-in name, or a user model's mapping
ENTRIES = variant_entries(config["variants"])
VARIANTS = list(ENTRIES)
REFERENCE = config["reference_variant"]
PRIOR_SCENARIOS = prior_scenarios(config)


def any_of(names):
    """A wildcard regex matching exactly these names (nothing when there are none)."""
    return "|".join(re.escape(n) for n in names) if names else "(?!)"


def reps(scenario):
    return range(config["scenarios"][scenario]["replicates"])


def batches(scenario):
    """A scenario's replicates as its jobs run them: batches of ``batch_size`` (of one by default)."""
    return replicate_batches(config["scenarios"][scenario])


# Scenarios with batch_size > 1 are simulated and fitted by one job per batch of replicates (a rule
# per batch, as a job's outputs are fixed by its rule); the per-replicate rule serves the others.
BATCHES = [
    (s, batch)
    for s in SCENARIOS
    if config["scenarios"][s]["batch_size"] > 1
    for batch in batches(s)
]
UNBATCHED = any_of([s for s in SCENARIOS if config["scenarios"][s]["batch_size"] == 1])


def batch_rule_name(stage, scenario, reps):
    return f"{stage}_batch_{re.sub(r'\W', '_', scenario)}_rep{reps[0]}_{reps[-1]}"


def stage_rules(stage):
    """``(name, scenario, reps, constraints)`` of each rule of a per-replicate stage (simulate, fit), all
    made from one definition: first the rule ``stage`` itself, with wildcards ``{scenario}`` (the unbatched
    scenarios) and ``{rep}``, a batch of one; then one rule per batch of replicates. The scenario and
    replicates are patterns: ``filled`` gives a job's values."""
    yield stage, "{scenario}", ["{rep}"], {"scenario": UNBATCHED}
    for scenario, batch in BATCHES:
        yield batch_rule_name(stage, scenario, batch), scenario, list(batch), {}


def filled(pattern, wildcards):
    """A ``stage_rules`` pattern with a job's wildcards filled in: ``"{rep}"`` -> ``"3"``; a fixed value
    stays as it is."""
    return str(pattern).format(**dict(wildcards.items()))


def canonical(settings):
    """Settings as a params value that does not change when keys are reordered in the config
    (Snakemake compares params by their text, so key order alone would re-run jobs)."""
    return dict(sorted(settings.items()))


def sampler_settings():
    """The sampler settings that change a fit's draws (``compile_cache`` only says where compiled models
    are kept, and compiles are bitwise the same from a cold or warm cache), key order not counting.
    """
    return canonical(
        {k: v for k, v in config["sampler"].items() if k != "compile_cache"}
    )


def fit_threads():
    """Sampler threads of a fit job: one per chain; one when a local run has at least
    ``FITS_PER_CORE_FOR_ONE_THREAD`` fit jobs per core. Then the cores sample different fits side by
    side instead of one of them idling through each fit's single-threaded start (loading, compiling)
    and end (writing the fit file), while the study's last fits, which run alone at one thread, are a
    small part of it. With fewer fits per core a long last fit would leave a core idle for longer than
    that saves. A cluster job always gets one per chain. Draws do not depend on the number of threads.
    """
    chains = config["sampler"]["chains"]
    cores = getattr(workflow.resource_settings, "cores", None)
    if not workflow.local_exec or not isinstance(cores, int) or cores < 1:
        return chains
    fits = len(VARIANTS) * sum(len(batches(s)) for s in SCENARIOS)
    return 1 if fits >= FITS_PER_CORE_FOR_ONE_THREAD * cores else chains


FITS_PER_CORE_FOR_ONE_THREAD = 4


def rule_resources(rule, **extra):
    """Resources a rule's jobs ask a cluster for: its entry under ``resources:`` over ``default``;
    memory and wall time grow with each attempt (``--retries``)."""
    settings = {**config["resources"]["default"], **config["resources"].get(rule, {})}
    return {
        "mem_mb": lambda wildcards, attempt: settings["mem_mb"] * attempt,
        "runtime": lambda wildcards, attempt: settings["runtime"] * attempt,
        **extra,
    }


# --- code inputs: editing a file re-runs exactly the jobs whose results it computes (README) -------
def code(*parts, variants=()):
    """Package files as inputs of a rule: the given layer folders or modules of ``zsneq`` (e.g.
    ``"simulation"``, ``"analysis/checks.py"``) and, with ``variants``, what fits of them are computed
    by (``zsneq.core.code.MODEL_CODE`` and ``variant_code``), a user variant's own file included.
    """
    models = (
        [*MODEL_CODE, *(p for v in variants for p in variant_code(v))]
        if variants
        else []
    )
    user = [ENTRIES[v]["file"] for v in variants if isinstance(ENTRIES.get(v), dict)]
    return package_files(*parts, *models) + user


def scenario_files(name):
    """A scenario's own data file or generator file, when it has one."""
    scenario = config["scenarios"][name]
    if "data" in scenario:
        data = scenario["data"]
        return [data["file"] if isinstance(data, dict) else data]
    return [scenario["generator"]["file"]] if "generator" in scenario else []


def fit_code(wildcards):
    return code(variants=[wildcards.variant])


def check_code(wildcards):
    return code("analysis/checks.py", variants=[wildcards.variant, REFERENCE])


def prior_predictive_code(wildcards):
    return code(
        "analysis/prior_predictive.py",
        variants=[wildcards.variant, REFERENCE, *REFERENCE_FORMS],
    )


def prior_predictive_power_code(wildcards):
    """The reference's code and the modules the known alternatives to it are built from."""
    alternatives = ["vectorized_fixed", "vectorized_shared_tau", "vectorized_as_posted"]
    return code(
        "analysis/prior_predictive.py",
        variants=[REFERENCE, *REFERENCE_FORMS, *alternatives],
    )


def diagnostic_figure(kind):
    """A diagnostic figure of one fit, as a report() output."""
    return report(
        paths.diagnostic(kind=kind),
        caption="../report/diagnostics.rst",
        category="Diagnostics",
        subcategory="{scenario}",
        labels={"variant": "{variant}", "replicate": "{rep}", "figure": kind},
    )


# --- targets ---------------------------------------------------------------------------------------
def all_fits():
    return [paths.fit(s, v, r) for s in SCENARIOS for r in reps(s) for v in VARIANTS]


def all_truths():
    """The truth table of every fit's dataset, in the order of ``all_fits()``."""
    return [paths.truth(s, r) for s in SCENARIOS for r in reps(s) for v in VARIANTS]


def all_checks():
    return [paths.check(s, v) for s in SCENARIOS for v in VARIANTS]


COMPARED = [
    v for v in VARIANTS if v != REFERENCE
]  # the variants compared with the reference


def all_posterior_checks():
    return [paths.posterior_check(s, v) for s in SCENARIOS for v in COMPARED]


def reference_forms():
    """The reference's row-wise form, as a one-item list, when its likelihood has no forward draws
    (``+sufficient``, ``+marginal``); else empty. The prior-predictive test may draw it in the
    reference's place only where its log-density check against the reference (rule ``check_variant``,
    which also checks it when it is not among the variants) says they are equivalent."""
    entry = ENTRIES[REFERENCE]
    if not isinstance(entry, str) or parse_variant(entry).likelihood == "rowwise":
        return []
    from zsneq.analysis.prior_predictive import forward_form

    return [forward_form(entry)]


REFERENCE_FORMS = reference_forms()
# the variants checked by check_variant (all, and the reference's row-wise form)
CHECKED = VARIANTS + [v for v in REFERENCE_FORMS if v not in VARIANTS]


def all_prior_predictive():
    return [paths.prior_predictive(s, v) for s in SCENARIOS for v in COMPARED]


DIAGNOSTICS = [
    (s, v, k) for s in SCENARIOS for v in VARIANTS for k in paths.DIAGNOSTIC_KINDS
]


def job_benchmarks():
    """Snakemake's benchmark files of the compute jobs (simulation, checks, fits, summaries), for the
    report's table of compute used per rule."""
    jobs = []
    for s in SCENARIOS:
        runs = [paths.run_label(b) for b in batches(s)]
        jobs += [paths.job_benchmark("simulate", s, run) for run in runs]
        jobs += [
            paths.job_benchmark("fit", s, v, run) for v in VARIANTS for run in runs
        ]
        jobs += [paths.job_benchmark("check_variant", s, v) for v in VARIANTS]
        jobs += [paths.job_benchmark("prior_predictive", s, v) for v in COMPARED]
        jobs += [paths.job_benchmark("posterior_check", s, v) for v in COMPARED]
        jobs += [paths.job_benchmark("prior_predictive_power", s)]
    return jobs + [
        paths.job_benchmark(r, r) for r in ("summarize", "verdicts", "calibrate")
    ]


def benchmark_tables(wildcards=None):
    """The likelihood benchmark's tables, when ``scripts/benchmarks/likelihoods.py`` has written them;
    an input function, so the figure and report are re-made when they change."""
    return paths.benchmark_tables()


def benchmark_figures():
    return [paths.BENCHMARK_FIGURE] if benchmark_tables() else []


def get_final_output():
    return [
        paths.SUMMARY,
        paths.PARAMETER_VERDICTS,
        *map(paths.calibration_table, paths.CALIBRATION_TABLES),
        paths.REPORT,
        *all_prior_predictive(),
        *[path for _, _, path in study_figures(config)],
        *[paths.diagnostic(s, v, 0, k) for s, v, k in DIAGNOSTICS],
        *benchmark_figures(),
    ]
