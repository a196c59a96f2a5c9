"""Where every output lives: the one source of truth for result, log and benchmark paths.

Each function returns a path relative to the study directory (Snakemake's working directory).
Called without arguments it returns the rule's pattern with Snakemake wildcards, e.g. ``fit()`` ->
``results/fits/{scenario}/{variant}/rep{rep}.nc``; called with values, the path of one file, e.g.
``fit("seed", "nonvectorized", 0)``. The rules are written with these functions; scripts take the
paths Snakemake gives them (or the same paths on their command line) and never build their own.
"""

from __future__ import annotations

from pathlib import Path

S, V, R = "{scenario}", "{variant}", "{rep}"  # the wildcards, as pattern defaults

RESULTS = "results"
CONFIG = "config/config.yaml"  # the default study's config, relative to the repository
DIAGNOSTIC_KINDS = ("rank", "trace", "energy")
CALIBRATION_TABLES = ("replicates", "coverage", "sbc", "sbc_variants", "sbc_paired", "batching")
BENCHMARK_TABLES = ("fits", "scaling")  # <name>.csv, written by scripts/benchmarks/likelihoods.py


# --- per dataset, fit and check --------------------------------------------------------------------

def dataset(scenario=S, rep=R) -> str:
    return f"{RESULTS}/data/{scenario}/rep{rep}.parquet"


def truth(scenario=S, rep=R) -> str:
    return f"{RESULTS}/data/{scenario}/rep{rep}.truth.parquet"


def fit(scenario=S, variant=V, rep=R) -> str:
    return f"{RESULTS}/fits/{scenario}/{variant}/rep{rep}.nc"


def check(scenario=S, variant=V) -> str:
    return f"{RESULTS}/checks/{scenario}/{variant}.json"


def posterior_check(scenario=S, variant=V) -> str:
    """The log-density check of a variant against the reference at draws of both posteriors (replicate 0)."""
    return f"{RESULTS}/checks/{scenario}/{variant}.posterior.json"


def prior_predictive(scenario=S, variant=V) -> str:
    """The prior-predictive comparison of a variant with the reference (no parameter map needed)."""
    return f"{RESULTS}/prior_predictive/{scenario}/{variant}.json"


def prior_predictive_power(scenario=S) -> str:
    """The prior-predictive test's power against known alternatives to the reference, on a scenario's design."""
    return f"{RESULTS}/prior_predictive_power/{scenario}.json"


# --- tables over the whole study -------------------------------------------------------------------

SUMMARY = f"{RESULTS}/summary/summary.parquet"
FIT_TABLE = f"{RESULTS}/summary/fits.parquet"
GROUP_SLOPES = f"{RESULTS}/summary/group_slopes.parquet"
LOO = f"{RESULTS}/summary/loo.parquet"  # leave-one-group-out elpd per fit and group
PARAMETER_VERDICTS = f"{RESULTS}/summary/verdicts.parquet"
VARIANT_VERDICTS = f"{RESULTS}/summary/variant_verdicts.parquet"
REPORT = f"{RESULTS}/report/index.html"


def calibration_table(name: str) -> str:
    """One of ``CALIBRATION_TABLES``."""
    return f"{RESULTS}/calibration/{name}.parquet"


def benchmark_table(name: str, root: str | Path = f"{RESULTS}/benchmark") -> str:
    """One of ``BENCHMARK_TABLES`` of the likelihood benchmark (written by hand, not by the workflow)."""
    return f"{root}/{name}.csv"


def benchmark_tables(root: str | Path = f"{RESULTS}/benchmark") -> list[str]:
    """The likelihood benchmark's tables under ``root`` that exist: ``fits.csv`` and, if present,
    ``scaling.csv``; none without ``fits.csv``."""
    paths = [benchmark_table(name, root) for name in BENCHMARK_TABLES]
    return [p for p in paths if Path(p).is_file()] if Path(paths[0]).is_file() else []


# --- figures ---------------------------------------------------------------------------------------

def figure(scenario=S, name: str = "{figure}") -> str:
    """One of a scenario's report figures (``zsneq.core.figures.FIGURES``)."""
    return f"{RESULTS}/figures/{scenario}/{name}.svg"


def caption(name: str) -> str:
    """A report figure's caption, relative to the repository (Snakemake's report and the HTML report read it)."""
    return f"workflow/report/{name}.rst"


def diagnostic(scenario=S, variant=V, rep=R, kind: str = "{kind}") -> str:
    """One of ``DIAGNOSTIC_KINDS`` of one fit."""
    return f"{RESULTS}/figures/{scenario}/{variant}/rep{rep}_{kind}.png"


BENCHMARK_FIGURE = f"{RESULTS}/figures/benchmark.svg"


# --- logs and Snakemake job benchmarks: mirror the outputs -----------------------------------------

def run_label(reps) -> str:
    """The label of a job's replicates in its log and benchmark names: ``rep3`` for one, ``rep0-9`` for a batch."""
    reps = list(reps)
    return f"rep{reps[0]}" if len(reps) == 1 else f"rep{reps[0]}-{reps[-1]}"


def log(rule: str, *parts) -> str:
    """``logs/<rule>/<parts joined by />.log``, e.g. ``log("fit", S, V, f"rep{R}")``."""
    return "/".join(["logs", rule, *map(str, parts)]) + ".log"


def job_benchmark(rule: str, *parts) -> str:
    """Snakemake's ``benchmark:`` file of a job: ``benchmarks/<rule>/<parts>.tsv`` (seconds, max RSS, CPU time)."""
    return "/".join(["benchmarks", rule, *map(str, parts)]) + ".tsv"
