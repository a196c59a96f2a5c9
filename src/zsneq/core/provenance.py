"""Package versions and other provenance recorded with every output."""

from __future__ import annotations

import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PACKAGES = (
    "zsn-equivalence",
    "pymc",
    "pytensor",
    "nutpie",
    "numpy",
    "arviz",
    "arviz-base",
    "arviz-stats",
    "arviz-plots",
    "xarray",
    "pandas",
    "snakemake",
)


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_revision(path: str | Path = ".") -> str:
    """Commit of the checkout at ``path`` (``+dirty`` if modified), or ``unknown``."""
    try:
        rev = subprocess.run(
            ["git", "-C", str(path), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(path), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return rev + ("+dirty" if dirty else "")
