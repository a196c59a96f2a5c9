"""A study's configuration: schema validation, consistency rules, and what scenarios ask for.

Variant names are checked one layer up (``zsneq.workflow.check_config``), where the variants live.
"""

from __future__ import annotations

import math
from importlib import resources
from collections.abc import Mapping
from pathlib import Path

import yaml

from zsneq.core.vocabulary import TOP_LEVEL

CHECKOUT_SCHEMA = Path(__file__).resolve().parents[3] / "workflow" / "schemas" / "config.schema.yaml"
SHIPPED_SCHEMA = "resources/config.schema.yaml"  # the wheel's copy of CHECKOUT_SCHEMA (pyproject.toml, force-include)


def schema_path() -> Path:
    """The workflow's config schema: the copy shipped in the installed package (``importlib.resources``),
    or, in a checkout, ``workflow/schemas/config.schema.yaml`` itself, the one source of both."""
    shipped = resources.files("zsneq").joinpath(SHIPPED_SCHEMA)
    return Path(str(shipped)) if shipped.is_file() else CHECKOUT_SCHEMA  # an installed package is a directory


SCHEMA = schema_path()


def read_config(path: str | Path) -> dict:
    """Read a config YAML, validate it against the workflow's schema and fill defaults (no other checks)."""
    from snakemake.utils import validate

    with open(path, encoding="utf-8") as fh:
        config = yaml.safe_load(fh)
    validate(config, str(SCHEMA), set_default=True)
    return config


def merged(base: dict, overlay: dict) -> dict:
    """``overlay`` over ``base``: mappings merge key by key (recursively), anything else — lists,
    numbers, strings — replaces the base's value whole."""
    out = dict(base)
    for key, value in overlay.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def typed(value):
    """A value given on the command line (``--config 'sampler={chains: 2}'``) with its strings read as
    YAML scalars, so ``"2"`` becomes 2 and ``"true"`` True; mappings and lists are typed throughout."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    if isinstance(value, str):
        try:
            parsed = yaml.safe_load(value)
        except yaml.YAMLError:
            return value
        return parsed if isinstance(parsed, (int, float, bool, dict, list)) else value
    return value


def default_overlay(config: dict, default_path: str | Path, command_line: dict | None = None,
                    study_path: str | Path = "config/config.yaml") -> dict:
    """Complete ``config`` in place. Where nothing was given (no ``--configfile``, no module ``config:``),
    the study directory's own ``study_path`` is read when it exists (so ``--directory <study>`` runs that
    study). A config without ``scenarios`` is then an overlay on the default study (``default_path``),
    merged over it with ``merged``; one with ``scenarios`` is a study of its own. ``command_line``: the
    ``--config`` values, typed (``typed``) and applied last."""
    command_line = typed(command_line or {})
    given = dict(config)
    if not set(given) - set(command_line) and Path(study_path).is_file():  # only --config values were given
        with open(study_path, encoding="utf-8") as fh:
            given = merged(yaml.safe_load(fh) or {}, given)
    given = merged(given, command_line)
    if "scenarios" not in given:
        with open(default_path, encoding="utf-8") as fh:
            given = merged(yaml.safe_load(fh), given)
    config.clear()
    config.update(given)
    return config


def config_error(exc: Exception) -> str:
    """One line naming the offending key and the rule it breaks, e.g.
    ``scenarios.seed.groups: 1 is less than the minimum of 2`` (schema errors are found in the
    exception's causes, as Snakemake's ``validate`` wraps them)."""
    from jsonschema.exceptions import ValidationError

    cause = exc
    while cause is not None and not isinstance(cause, ValidationError):
        cause = cause.__cause__ or cause.__context__
    if cause is not None:
        key = ".".join(str(p) for p in cause.absolute_path) or "config"
        return f"{key}: {cause.message}"
    return " ".join(str(exc).removeprefix("invalid config: ").split())


def unknown_resource_rules(config: dict, rules) -> str | None:
    """A one-line error when ``resources:`` names a rule the workflow does not have (a typo would
    otherwise be ignored silently); None when every key is a rule or ``default``."""
    known = sorted(set(rules) - {"all"})
    unknown = sorted(set(config.get("resources", {})) - {"default", *known})
    if unknown:
        return f"resources: unknown rule(s) {', '.join(unknown)}; rules: {', '.join(known)}"
    return None


class ConfigError(ValueError):
    """The configuration is valid against the schema but inconsistent."""


def config_problems(config: dict) -> list[str]:
    """Problems JSON Schema cannot express (scenarios, sampler vs calibration), one line each."""
    problems = []
    for name, sc in config["scenarios"].items():
        if "data" in sc or "generator" in sc:  # data of the user's own: nothing simulated, no truth to check
            if sc.get("replicates", 1) != 1:
                problems.append(f"scenarios.{name}.replicates: a scenario with data of its own has one dataset "
                                f"(replicates: 1), not {sc['replicates']}")
            continue
        if sc.get("truth", "fixed") == "prior":
            given = [k for k in TOP_LEVEL if k in sc]
            if given:
                problems.append(f"scenarios.{name}: {', '.join(given)} must not be given with truth: prior "
                                "(every replicate draws them from the prior)")
            continue
        if "predictors" in sc:
            problems.append(f"scenarios.{name}.predictors: only for truth: prior; with fixed truths the number "
                            "of predictors is the length of beta")
        for key in TOP_LEVEL:
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
    reference = config["reference_variant"]
    names = variant_names(config)
    if reference not in names:
        problems.append(f"reference_variant: {reference!r} is not among variants {names}")
    return problems


def variant_name(entry) -> str:
    """The name results use for a ``variants:`` entry: the string itself, or a user entry's ``name``."""
    return str(entry["name"]) if isinstance(entry, Mapping) else str(entry)


def variant_names(config: dict) -> list[str]:
    """The names results use for the config's ``variants:`` entries."""
    return [variant_name(v) for v in config["variants"]]


def prior_scenarios(config: dict) -> list[str]:
    """Scenarios whose truths are drawn from the prior (simulation-based calibration)."""
    return [name for name, sc in config["scenarios"].items() if sc.get("truth", "fixed") == "prior"]


def user_data_scenarios(config: dict) -> list[str]:
    """Scenarios whose dataset is the user's own (``data:`` or ``generator:``): no truth is known."""
    return [name for name, sc in config["scenarios"].items() if "data" in sc or "generator" in sc]


def calibrated_scenarios(config: dict) -> list[str]:
    """Scenarios scored across replicates in the report: those with at least two replicates (coverage
    of one dataset says nothing), and every scenario whose truths come from the prior; never one with
    data of the user's own (no truth to score against)."""
    prior, user = set(prior_scenarios(config)), set(user_data_scenarios(config))
    return [name for name, sc in config["scenarios"].items()
            if (sc.get("replicates", 1) >= 2 or name in prior) and name not in user]


def replicate_batches(scenario: dict) -> list[list[int]]:
    """A scenario's replicate numbers cut into consecutive batches of ``batch_size``."""
    reps, size = list(range(scenario.get("replicates", 1))), scenario.get("batch_size", 1)
    return [reps[i : i + size] for i in range(0, len(reps), size)]


