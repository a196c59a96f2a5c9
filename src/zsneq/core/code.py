"""The package's own files as workflow inputs, so that editing one re-runs exactly the jobs it affects.

Each rule declares the layers or modules its results are computed by (``workflow/rules/*.smk``,
``code(...)``); this module turns those names into files of the package that is imported — the
workflow's own ``src/`` when it runs from a checkout or as a module from a local path, the installed
package otherwise. Plumbing that does not change results (config checks, paths, I/O, provenance,
this module) is left out: editing it re-runs nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
PLUMBING = {"core/code.py", "core/config.py", "core/io.py", "core/paths.py", "core/provenance.py"}
SEPARATOR = "+"  # between a variant's module name and its axis values, e.g. vectorized_fixed+sufficient


def package_files(*parts: str) -> list[str]:
    """Files of the package under the given parts (a layer folder such as ``"models"`` or a module such
    as ``"analysis/checks.py"``), plumbing left out, as sorted paths relative to the working directory.

    A layer folder stands for its modules, with the built-in variants' own modules left out
    (``models/variants/<name>.py``): a rule names the variants it uses with ``built_in_variant``.
    """
    files = set()
    for part in parts:
        path = PACKAGE / part
        if path.is_file():
            files.add(path)
        elif path.is_dir():
            files.update(p for p in path.rglob("*.py") if not _variant_module(p))
        else:
            raise FileNotFoundError(f"package part {part!r} not found under {PACKAGE}")
    rel = {p.relative_to(PACKAGE).as_posix() for p in files}
    return sorted(os.path.relpath(PACKAGE / r) for r in rel - PLUMBING)


def _variant_module(path: Path) -> bool:
    """A built-in variant's own module (shared modules start with ``_``)."""
    return path.parent == PACKAGE / "models" / "variants" and not path.name.startswith("_")


# What every fit is computed by, and what each likelihood adds (the axis values of a variant name).
MODEL_CODE = ("core", "models/fit.py", "models/loglik.py", "models/user.py", "models/variants/__init__.py",
              "models/variants/_common.py", "models/variants/_vectorized.py")
LIKELIHOOD_CODE = {
    "sufficient": ("models/sufficient.py", "models/variants/_likelihoods.py"),
    "marginal": ("models/sufficient.py", "models/marginal.py", "models/variants/_likelihoods.py"),
}


def variant_code(name) -> list[str]:
    """Package parts a variant's results are computed by, beyond ``MODEL_CODE``: its built-in module and
    the code of the likelihood its name asks for (``vectorized_fixed+marginal`` -> its module,
    ``models/sufficient.py``, ``models/marginal.py``, ``models/variants/_likelihoods.py``)."""
    module = built_in_variant(name)
    if module is None:
        return []
    values = str(name).split(SEPARATOR)[1:]
    return [module, *(part for v in values for part in LIKELIHOOD_CODE.get(v, ()))]


def built_in_variant(name) -> str | None:
    """The module of a built-in variant name (``vectorized_fixed+sufficient`` ->
    ``models/variants/vectorized_fixed.py``); None for names that are not built-in modules."""
    if not isinstance(name, str):
        return None
    path = f"models/variants/{name.split(SEPARATOR)[0]}.py"
    return path if (PACKAGE / path).is_file() else None
