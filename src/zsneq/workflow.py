"""A study's configuration, checked whole: the schema, its consistency rules and the variant names.

Above every layer: it reads config rules from ``zsneq.core.config`` and variant names from
``zsneq.models.variants`` (which imports no modelling library until a variant is built).
"""

from __future__ import annotations

from pathlib import Path

from zsneq.core.config import ConfigError, config_problems, read_config


def load_config(path: str | Path) -> dict:
    """Read a config YAML, validate it against the workflow's schema, fill defaults and check it whole."""
    config = read_config(path)
    check_config(config)
    return config


def check_config(config: dict) -> None:
    """Raise ConfigError with one line per problem of a schema-valid config."""
    from zsneq.models.variants import variant_problems

    problems = config_problems(config) + variant_problems(config["variants"])
    if problems:
        raise ConfigError("invalid config: " + "; ".join(problems))


