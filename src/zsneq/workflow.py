"""Helpers shared by the workflow scripts when run outside Snakemake."""

from __future__ import annotations

import math
from pathlib import Path

import yaml

SCHEMA = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"


def load_config(path: str | Path) -> dict:
    """Read a config YAML, validate it against the workflow's schema and fill defaults."""
    from snakemake.utils import validate

    with open(path, encoding="utf-8") as fh:
        config = yaml.safe_load(fh)
    validate(config, str(SCHEMA), set_default=True)
    check_config(config)
    return config


class ConfigError(ValueError):
    """The configuration is valid against the schema but inconsistent."""


def check_config(config: dict) -> None:
    """Checks JSON Schema cannot express; raises with one line per problem."""
    problems = []
    for name, sc in config["scenarios"].items():
        if sc.get("truth", "fixed") == "prior":
            given = [k for k in ("beta", "tau", "sigma") if k in sc]
            if given:
                problems.append(f"scenarios.{name}: {', '.join(given)} must not be given with truth: prior "
                                "(every replicate draws them from the prior)")
            continue
        if "predictors" in sc:
            problems.append(f"scenarios.{name}.predictors: only for truth: prior; with fixed truths the number "
                            "of predictors is the length of beta")
        for key in ("beta", "tau", "sigma"):
            values = sc[key] if isinstance(sc[key], list) else [sc[key]]
            if not all(math.isfinite(v) for v in values):
                problems.append(f"scenarios.{name}.{key}: {sc[key]} is not finite")
        if len(sc["beta"]) != len(sc["tau"]):
            problems.append(
                f"scenarios.{name}: beta has {len(sc['beta'])} entries but tau has "
                f"{len(sc['tau'])}; they must have one entry per predictor"
            )
    sampler = config.get("sampler", {})
    rank_draws = config.get("calibration", {}).get("rank_draws", 100)
    total = sampler.get("chains", 4) * sampler.get("draws", 1000)
    if rank_draws > total:
        problems.append(f"calibration.rank_draws: {rank_draws} is more than the {total} posterior draws per fit "
                        "(sampler.chains x sampler.draws)")
    from .variants import SEPARATOR, VARIANTS, VariantError, parse_variant

    unknown = [v for v in config["variants"] if v.split(SEPARATOR)[0] not in VARIANTS]
    if unknown:
        problems.append(f"variants: unknown variant(s) {unknown}; known variants: {', '.join(VARIANTS)}")
    models: dict[str, str] = {}
    for name in config["variants"]:
        if name in unknown:
            continue
        try:
            model = parse_variant(name).name
        except VariantError as exc:
            problems.append(f"variants: {exc}")
            continue
        if model in models:
            problems.append(f"variants: {models[model]!r} and {name!r} name the same model; list it once")
        models.setdefault(model, name)
    reference = config.get("reference_variant", "nonvectorized")
    if reference not in config["variants"]:
        problems.append(f"reference_variant: {reference!r} is not among variants {config['variants']}")
    if problems:
        raise ConfigError("invalid config: " + "; ".join(problems))


def prior_scenarios(config: dict) -> list[str]:
    """Scenarios whose truths are drawn from the prior (simulation-based calibration)."""
    return [name for name, sc in config["scenarios"].items() if sc.get("truth", "fixed") == "prior"]


def calibrated_scenarios(config: dict) -> list[str]:
    """Scenarios scored across replicates in the report: those with at least two replicates (coverage
    of one dataset says nothing), and every scenario whose truths come from the prior."""
    prior = set(prior_scenarios(config))
    return [name for name, sc in config["scenarios"].items() if sc.get("replicates", 1) >= 2 or name in prior]


def replicate_batches(scenario: dict) -> list[list[int]]:
    """A scenario's replicate numbers cut into consecutive batches of ``batch_size``."""
    reps, size = list(range(scenario.get("replicates", 1))), scenario.get("batch_size", 1)
    return [reps[i : i + size] for i in range(0, len(reps), size)]


def truth_path_for(data_path: str | Path) -> Path:
    """``results/data/s/rep0.parquet`` -> ``results/data/s/rep0.truth.parquet``."""
    data_path = Path(data_path)
    return data_path.with_name(data_path.stem + ".truth.parquet")


FIGURES = Path("results/figures")
DIAGNOSTIC_KINDS = ("rank", "trace", "energy")


def forest_path(scenario: str, root: Path = FIGURES) -> Path:
    return Path(root) / scenario / "forest.svg"


def performance_path(scenario: str, root: Path = FIGURES) -> Path:
    return Path(root) / scenario / "performance.svg"


CALIBRATION = Path("results/calibration")


def coverage_figure_path(scenario: str, root: Path = CALIBRATION) -> Path:
    return Path(root) / scenario / "coverage.svg"


def sbc_figure_path(scenario: str, kind: str, root: Path = CALIBRATION) -> Path:
    """``kind``: ``ranks`` (rank histograms) or ``ecdf`` (PIT ECDF differences with simultaneous bands)."""
    return Path(root) / scenario / f"sbc_{kind}.svg"


def diagnostic_path(scenario: str, variant: str, rep: int, kind: str, root: Path = FIGURES) -> Path:
    return Path(root) / scenario / variant / f"rep{rep}_{kind}.png"


BENCHMARK = Path("results/benchmark")
BENCHMARK_TABLES = ("fits", "scaling")  # <name>.csv, written by benchmarks/likelihoods.py


def benchmark_table_paths(root: Path = BENCHMARK) -> list[Path]:
    """The likelihood benchmark's tables under ``root`` that exist: ``fits.csv`` and, if present,
    ``scaling.csv``; none without ``fits.csv``."""
    paths = [Path(root) / f"{name}.csv" for name in BENCHMARK_TABLES]
    return [p for p in paths if p.is_file()] if paths[0].is_file() else []


def benchmark_figure_path(root: Path = FIGURES) -> Path:
    return Path(root) / "benchmark.svg"
