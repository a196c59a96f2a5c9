"""The workflow's files are snakefmt-formatted and pass Snakemake's linter, as catalog workflows' CI checks."""

import subprocess
import sys
from pathlib import Path

from conftest import ROOT

SNAKEFILES = [ROOT / "Snakefile", *sorted((ROOT / "workflow" / "rules").glob("*.smk"))]


def test_snakefiles_are_snakefmt_formatted():
    snakefmt = Path(sys.executable).with_name("snakefmt")
    proc = subprocess.run([str(snakefmt), "--check", *map(str, SNAKEFILES)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_snakemake_lint_finds_nothing_on_the_default_study():
    proc = subprocess.run([sys.executable, "-m", "snakemake", "--lint"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert "Lints for" not in out, out[-3000:]
    assert "Congratulations, your workflow is in a good condition!" in out
