"""A study's configuration: schema validation, consistency rules, and what scenarios ask for.

Variant names are checked one layer up (``zsneq.workflow.check_config``), where the variants live.
"""

from __future__ import annotations

import math
from pathlib import Path

import yaml

SCHEMA = Path(__file__).resolve().parents[3] / "workflow" / "schemas" / "config.schema.yaml"


def read_config(path: str | Path) -> dict:
    """Read a config YAML, validate it against the workflow's schema and fill defaults (no other checks)."""
    from snakemake.utils import validate

    with open(path, encoding="utf-8") as fh:
        config = yaml.safe_load(fh)
    validate(config, str(SCHEMA), set_default=True)
    return config


class ConfigError(ValueError):
    """The configuration is valid against the schema but inconsistent."""


def config_problems(config: dict) -> list[str]:
    """Problems JSON Schema cannot express (scenarios, sampler vs calibration), one line each."""
    problems = []
    for name, sc in config["scenarios"].items():
        if "data" in sc or "generator" in sc:
            continue  # data of the user's own: nothing simulated, no truth to check
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
    reference = config.get("reference_variant", "nonvectorized")
    names = [v["name"] if isinstance(v, dict) else v for v in config["variants"]]  # user variants: their name
    if reference not in names:
        problems.append(f"reference_variant: {reference!r} is not among variants {names}")
    return problems


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


