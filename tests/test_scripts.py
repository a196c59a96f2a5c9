"""Workflow scripts are thin adapters: they take the paths Snakemake (or their command line) gives them, or
ask ``zsneq.core.paths`` for them, and never build a path of their own."""

import ast
import re

import pytest
from conftest import ROOT

SCRIPTS = sorted((ROOT / "workflow" / "scripts").glob("*.py"))
# a string that is a path or a file name (a message with words around a file name is not)
FILE_LIKE = re.compile(r"^[\w./{}*-]*(\.(parquet|nc|png|svg|json|html|csv|tsv|yaml)|results/[\w./{}*-]*|logs/[\w./{}*-]*)$")


def _bootstrap(node: ast.stmt) -> bool:
    """The one path a script builds by design: where the package's source is, for sys.path."""
    return "_here" in ast.unparse(node) and ("sys.path" in ast.unparse(node) or isinstance(node, ast.Assign))


def path_building(source: str) -> list[str]:
    """Places in a script's source that build a path: a ``/`` on a path, or a literal or f-string naming a
    file or a results folder (docstrings and ``help=`` texts aside)."""
    tree = ast.parse(source)
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and ast.get_docstring(node):
            skipped.add(id(node.body[0].value))
        if isinstance(node, ast.keyword) and node.arg in ("help", "description"):
            skipped |= {id(n) for n in ast.walk(node.value)}
        if isinstance(node, ast.stmt) and _bootstrap(node):
            skipped |= {id(n) for n in ast.walk(node)}
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and not all(
                isinstance(o, ast.Constant) and isinstance(o.value, (int, float)) for o in (node.left, node.right)):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and FILE_LIKE.search(node.value):
            found.append(f"line {node.lineno}: {node.value!r}")
    return found


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_no_script_builds_a_path(script):
    assert path_building(script.read_text()) == []


def test_the_check_finds_a_path_built_in_a_script():
    assert path_building('"""Doc."""\nout = Path(a.outdir) / f"{name}.parquet"\n')
    assert path_building('"""Doc."""\nmain(a.fit, {k: f"{a.prefix}_{k}.png" for k in KINDS})\n')
    assert not path_building('"""Doc with results/x.parquet."""\np.add_argument("--x", help="results/a.json")\n')
