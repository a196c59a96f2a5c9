"""The package's layers import one way only, and the analysis layer does not load matplotlib."""

import ast
import subprocess
import sys
from pathlib import Path

from zsneq.core import code

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "zsneq"
# Lowest first: a module may import its own layer and the layers before it, never one after it.
LAYERS = ["core", "simulation", "models", "analysis", "presentation", "workflow"]


def layer_of(module: str) -> str:
    """``zsneq.analysis.checks`` -> ``analysis``; the top-level modules (``zsneq.workflow``, the command
    line ``zsneq.cli``) are the top layer."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS) else "workflow"


def module_name(file: str) -> str:
    """``models/fit.py`` -> ``zsneq.models.fit``; ``models/__init__.py`` -> ``zsneq.models``."""
    parts = ["zsneq", *file.removesuffix(".py").split("/")]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_imports() -> dict[str, set[str]]:
    """Every package module -> the package modules it imports (anywhere in it, also inside functions): the
    graph the workflow's code inputs are derived from (``zsneq.core.code``), by module name."""
    return {module_name(f): {module_name(i) for i in imports} for f, imports in code.package_imports().items()}


def test_imports_are_absolute():
    relative = [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                if isinstance(node, ast.ImportFrom) and node.level]
    assert not relative, f"relative imports (write them absolute, zsneq....): {relative}"


def test_package_modules_exist_in_every_layer():
    assert {layer_of(m) for m in package_imports() if m != "zsneq"} == set(LAYERS)


def test_imports_point_down_the_layers_only():
    upward = [(m, i) for m, imports in package_imports().items() for i in imports
              if m != "zsneq" and i != "zsneq" and LAYERS.index(layer_of(i)) > LAYERS.index(layer_of(m))]
    assert not upward, f"imports from a higher layer: {upward}"


def test_there_is_no_import_cycle():
    graph = package_imports()
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module, path):
        state[module] = 1
        for dep in graph.get(module, ()):
            assert state.get(dep) != 1, f"import cycle: {' -> '.join([*path, dep])}"
            if dep not in state:
                visit(dep, [*path, dep])
        state[module] = 2

    for module in graph:
        if module not in state:
            visit(module, [module])


def modules_loaded_by(modules: list[str]) -> set[str]:
    """Every module a fresh interpreter has loaded once it has imported ``modules``."""
    code = f"import sys\nfor m in {modules!r}: __import__(m)\nprint('\\n'.join(sys.modules))"
    return set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())


def test_the_analysis_layer_does_not_load_matplotlib():
    modules = sorted(m for m in package_imports() if layer_of(m) in LAYERS[:4] and m.count(".") > 1)
    loaded = sorted(m for m in modules_loaded_by(modules) if m.split(".")[0] == "matplotlib")
    assert loaded == [], f"importing core..analysis loads matplotlib: {str(loaded)[:300]}"


def test_the_verdict_and_report_jobs_do_not_load_scipy_stats():
    """Verdicts and the report need normal quantiles only (``rules.upper_quantile``, scipy.special):
    loading scipy.stats would cost each of those jobs about 0.4 CPU-s."""
    assert "scipy.stats" not in modules_loaded_by(["zsneq.analysis.verdicts", "zsneq.presentation.report"])


def test_a_built_in_variant_imports_only_the_shared_variant_modules():
    """Declared code inputs (workflow/rules/common.smk) give each variant's jobs its own module plus the
    shared ``_`` modules; a variant importing another variant's module would escape that."""
    graph = package_imports()
    variants = {m for m in graph if m.startswith("zsneq.models.variants.") and not m.split(".")[-1].startswith("_")}
    assert variants
    crossing = {(m, i) for m in variants for i in graph[m] if i in variants}
    assert not crossing, crossing


def test_every_package_module_a_fit_loads_is_among_its_code_inputs():
    """The code inputs of fits (``zsneq.core.code``, read from the imports) cover what a fit really loads,
    variant modules loaded by name included: a module they missed could change draws without re-running."""
    names = ["nonvectorized", "vectorized_as_posted", "vectorized_fixed+marginal", "vectorized_dims+sufficient",
             "vectorized_shared_tau"]
    script = ("import sys\nimport zsneq.models.fit\nfrom zsneq.models.variants import get_variant\n"
              f"for name in {names!r}: get_variant(name)\n"
              "print('\\n'.join(m.__file__ for k, m in list(sys.modules.items()) if k.split('.')[0] == 'zsneq'))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    loaded = {Path(f).resolve().relative_to(code.PACKAGE.resolve()).as_posix() for f in out.split()}
    inputs = {*code.MODEL_CODE, *(p for name in names for p in code.variant_code(name)), *code.PLUMBING}
    assert loaded - inputs == set()
