"""envs/zsneq.yaml (the environment of every rule under ``--sdm conda``) against uv.lock and the code's imports.

Static checks only: conda channels cannot be reached from the tests, so the environment is not built.
"""

import ast
import importlib.metadata
import re
import sys
import tomllib

import pytest
import yaml

from conftest import ROOT

ENV_FILE = ROOT / "envs" / "zsneq.yaml"
CODE_DIRS = [ROOT / "src", ROOT / "workflow" / "scripts"]
CONDA_NAMES = {"snakemake": "snakemake-minimal"}  # PyPI name -> conda-forge name, where they differ
NOT_IN_RULES = {  # distributions the code imports or depends on that no rule's job needs
    "snakemake-executor-plugin-slurm": "loaded by the submitting Snakemake process, not inside jobs",
}


def normalize(name: str) -> str:
    """A distribution name in PEP 503 form (lower case, runs of -_. as one -)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def env_pins(path=ENV_FILE) -> dict[str, str]:
    """``{conda name: pinned spec}`` of an environment file's conda dependencies."""
    deps = yaml.safe_load(path.read_text())["dependencies"]
    pins = {}
    for dep in deps:
        assert isinstance(dep, str), f"{path.name}: unexpected entry {dep!r} (pip sections are not used)"
        name, _, version = dep.partition("=")
        pins[name.strip()] = version.strip()
    return pins


def lock_versions() -> dict[str, str]:
    """``{normalized name: version}`` of every package in uv.lock."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    return {normalize(p["name"]): p["version"] for p in lock["package"]}


def imported_modules(dirs=CODE_DIRS) -> set[str]:
    """Top-level names of every absolute import in the Python files under ``dirs``."""
    names = set()
    for path in (p for d in dirs for p in d.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def third_party_distributions(modules: set[str]) -> dict[str, str]:
    """``{import name: normalized distribution name}`` for modules neither stdlib nor this project."""
    owners = importlib.metadata.packages_distributions()
    out = {}
    for module in sorted(modules - set(sys.stdlib_module_names) - {"zsneq", "__future__"}):
        assert module in owners, f"import {module!r} is provided by no installed distribution"
        out[module] = normalize(owners[module][0])
    return out


def conda_name(distribution: str) -> str:
    return CONDA_NAMES.get(distribution, distribution)


def pin_drift(pins: dict[str, str], locked: dict[str, str]) -> dict[str, tuple[str, str | None]]:
    """``{conda name: (pin, uv.lock version)}`` for every pin (python aside) that is not its locked version."""
    pypi_names = {conda: pypi for pypi, conda in CONDA_NAMES.items()}
    drift = {}
    for name, version in pins.items():
        if name == "python":
            continue
        lock_version = locked.get(normalize(pypi_names.get(name, name)))
        if version != lock_version:
            drift[name] = (version, lock_version)
    return drift


def test_every_pin_is_the_uv_lock_version():
    pins = env_pins()
    assert pins["python"] == (ROOT / ".python-version").read_text().strip()
    drift = pin_drift(pins, lock_versions())
    assert not drift, f"pins differing from uv.lock (env, lock): {drift}"


def test_every_imported_package_is_in_the_env():
    pins = env_pins()
    distributions = third_party_distributions(imported_modules())
    assert {"numpy", "pymc", "nutpie"} <= set(distributions.values())  # the scan sees the code's imports
    missing = {module: dist for module, dist in distributions.items()
               if dist not in NOT_IN_RULES and conda_name(dist) not in pins}
    assert not missing, f"imported but not in {ENV_FILE.name}: {missing}"


def test_every_runtime_dependency_is_in_the_env():
    """pyproject's dependencies include packages only read through (pyarrow, h5netcdf): they belong too."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = env_pins()
    names = [normalize(re.match(r"[A-Za-z0-9_.-]+", dep).group()) for dep in project["dependencies"]]
    missing = [n for n in names if n not in NOT_IN_RULES and conda_name(n) not in pins]
    assert not missing, f"pyproject dependencies not in {ENV_FILE.name}: {missing}"


def test_the_pin_check_sees_drift_unpinned_and_unlocked_packages(tmp_path):
    locked = lock_versions()
    env = tmp_path / "env.yaml"
    deps = ["python=3.12", f"numba={locked['numba']}", "scipy=0.0.1", "jinja2", "snakemake-minimal=0.0.1",
            "not-a-locked-package=1.0"]
    env.write_text(yaml.safe_dump({"channels": ["conda-forge"], "dependencies": deps}))
    assert pin_drift(env_pins(env), locked) == {
        "scipy": ("0.0.1", locked["scipy"]), "jinja2": ("", locked["jinja2"]),
        "snakemake-minimal": ("0.0.1", locked["snakemake"]), "not-a-locked-package": ("1.0", None)}
