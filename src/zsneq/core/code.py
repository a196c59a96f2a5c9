"""The package's own files as workflow inputs, so that editing one re-runs exactly the jobs it affects.

Each rule declares the layers or modules its results are computed by (``workflow/rules/*.smk``,
``code(...)``); this module turns those names into files of the package that is imported — the
workflow's own ``src/`` when it runs from a checkout or as a module from a local path, the installed
package otherwise. Plumbing that does not change results (config checks, paths, I/O, provenance,
this module) is left out: editing it re-runs nothing.

What fits are computed by is not kept by hand: it is read from the package's imports (``ast``, the
same graph ``tests/test_layers.py`` checks), starting from the fit entry points and a variant's own
module, so a module split off or added is an input of the fits that import it.
"""

from __future__ import annotations

import ast
import os
from importlib import resources
from pathlib import Path

PACKAGE = Path(str(resources.files("zsneq")))  # the imported package's directory, installed or a checkout's src/zsneq
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


# What fits are computed by, derived from the package's imports (:func:`package_imports`): every module
# the fit entry points import, directly or through others, also inside functions. Built-in variant
# modules and the shared likelihood module are loaded by name (``importlib``), so no import reaches
# them: a variant's own module adds what it imports (:func:`variant_code`), and a likelihood axis value
# adds what the module it loads on demand imports (``zsneq.models.variants._likelihood_module``).
FIT_ENTRY_POINTS = ("models/fit.py", "models/user.py", "models/variants/__init__.py")
ON_DEMAND = {"sufficient": "models/variants/_likelihoods.py", "marginal": "models/variants/_likelihoods.py"}


def module_file(name: str) -> str | None:
    """The package file of a module name (``zsneq.models.fit`` -> ``models/fit.py``; a package ->
    its ``__init__.py``), None for names outside the package or not modules (an imported function)."""
    parts = name.split(".")
    if parts[0] != PACKAGE.name:
        return None
    rel = "/".join(parts[1:])
    for path in (f"{rel}.py", f"{rel}/__init__.py".lstrip("/")):
        if (PACKAGE / path).is_file():
            return path
    return None


def package_imports() -> dict[str, set[str]]:
    """Every module of the package -> the package modules it imports, anywhere in it (also inside
    functions), as files relative to the package (``"models/fit.py"``). ``from zsneq.models import
    marginal`` imports ``models/__init__.py`` and ``models/marginal.py``; relative imports are resolved."""
    graph = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        own = [PACKAGE.name, *rel.removesuffix(".py").split("/")]
        if own[-1] == "__init__":
            own = own[:-1] + [""]  # a package's relative imports start from the package itself
        imports = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = ".".join([*own[:-node.level], *([node.module] if node.module else [])]) if node.level \
                    else node.module or ""
                imports.update(f for f in (module_file(base), *(module_file(f"{base}.{a.name}") for a in node.names))
                               if f)
            elif isinstance(node, ast.Import):
                imports.update(f for a in node.names if (f := module_file(a.name)))
        graph[rel] = imports - {rel}
    return graph


def imported_by(*files: str, graph: dict[str, set[str]] | None = None) -> tuple[str, ...]:
    """``files`` and every package module they import, directly or through others, with the packages'
    ``__init__.py`` files that importing them runs, sorted."""
    graph = package_imports() if graph is None else graph
    seen, todo = set(), list(files)
    while todo:
        rel = todo.pop()
        if rel not in seen:
            seen.add(rel)
            inits = [f"{p.as_posix()}/__init__.py".removeprefix("./") for p in Path(rel).parents]
            todo.extend([*graph[rel], *inits])
    return tuple(sorted(seen))


_GRAPH = package_imports()
MODEL_CODE = imported_by(*FIT_ENTRY_POINTS, graph=_GRAPH)
LIKELIHOOD_CODE = {value: tuple(sorted(set(imported_by(module, graph=_GRAPH)) - set(MODEL_CODE)))
                   for value, module in ON_DEMAND.items()}


def variant_code(name) -> list[str]:
    """Package files a variant's results are computed by, beyond ``MODEL_CODE``: its built-in module, what
    that imports, and the code of the likelihood its name asks for (``LIKELIHOOD_CODE``;
    ``nonvectorized+sufficient`` -> ``models/variants/nonvectorized.py``, ``models/variants/_common.py``,
    ``models/marginal.py``, ``models/variants/_likelihoods.py``)."""
    module = built_in_variant(name)
    if module is None:
        return []
    values = str(name).split(SEPARATOR)[1:]
    own = [p for p in imported_by(module, graph=_GRAPH) if p not in MODEL_CODE]
    return list(dict.fromkeys([*own, *(part for v in values for part in LIKELIHOOD_CODE.get(v, ()))]))


def built_in_variant(name) -> str | None:
    """The module of a built-in variant name (``vectorized_fixed+sufficient`` ->
    ``models/variants/vectorized_fixed.py``); None for names that are not built-in modules."""
    if not isinstance(name, str):
        return None
    path = f"models/variants/{name.split(SEPARATOR)[0]}.py"
    return path if (PACKAGE / path).is_file() else None
