"""The package installed from its wheel, away from the checkout, finds its config schema and report template."""

import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT

SHOW = """
import json
import zsneq
from zsneq.core import code, config
from zsneq.presentation import report
print(json.dumps({"package": zsneq.__file__, "schema": str(config.SCHEMA), "template": str(report.TEMPLATE),
                  "workflow_template": code.package_files("presentation/templates/index.html.j2")[0]}))
"""


def uv() -> str:
    """The uv that runs the tests (``uv run`` names itself in ``UV``), else the one on PATH."""
    found = os.environ.get("UV") or shutil.which("uv")
    if found is None:
        pytest.fail("uv not found (run the tests with `uv run pytest`)", pytrace=False)
    return found


def test_the_installed_package_reads_its_schema_and_template_from_itself(tmp_path):
    wheels, target = tmp_path / "wheels", tmp_path / "site"
    subprocess.run([uv(), "build", "--wheel", "--out-dir", str(wheels), str(ROOT)], check=True, capture_output=True,
                   timeout=300)
    (wheel,) = wheels.glob("*.whl")
    subprocess.run([uv(), "pip", "install", "--no-deps", "--target", str(target), "--python", sys.executable,
                    str(wheel)], check=True, capture_output=True, timeout=300)
    # run outside the checkout, the installed copy first on the path (ahead of the checkout's editable install)
    out = subprocess.run([sys.executable, "-c", SHOW], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(target)},
                         capture_output=True, text=True, check=True, timeout=120).stdout
    found = json.loads(out)
    for key in ("package", "schema", "template"):
        assert found[key].startswith(str(target)), (key, found[key])
    assert (tmp_path / found["workflow_template"]).resolve().is_relative_to(target)
    assert found["schema"].endswith("zsneq/resources/config.schema.yaml")
    shipped = (target / "zsneq" / "resources" / "config.schema.yaml").read_text()
    assert shipped == (ROOT / "workflow" / "schemas" / "config.schema.yaml").read_text()
