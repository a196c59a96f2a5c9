import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))  # test-only variant modules (wrong_tau_prior, off_variants)

from zsneq.core.dataset import RegressionData  # noqa: E402
from zsneq.simulation.generator import simulate  # noqa: E402

TINY = {"groups": 20, "rows_per_group": 10, "beta": [1.0, 1.2, 0.8], "tau": [1.0, 1.5, 0.8], "sigma": 1.0}
TINY_SAMPLER = {"chains": 2, "tune": 100, "draws": 100, "seed": 1}


@pytest.fixture(scope="session")
def tiny_data() -> RegressionData:
    frame, _ = simulate(rng=np.random.default_rng(42), **TINY)
    return RegressionData.from_frame(frame)


@pytest.fixture(scope="session")
def tiny_truth():
    return simulate(rng=np.random.default_rng(42), **TINY)[1]


TEST_CONFIG = ROOT / ".test" / "config" / "config.yaml"
# a subset of the tiny study (one scenario, three variants) for tests that need a study run in another setting
SMALL_CONFIG = ROOT / ".test" / "config" / "small.yaml"
WORKFLOW_FILES = ["Snakefile", "workflow", "src", "config", "profiles", "envs"]


def copy_workflow(dest: Path) -> Path:
    """A fresh copy of the workflow (no results) in ``dest``."""
    for name in WORKFLOW_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / name)
    return dest


def run_snakemake(workdir: Path, *args: str, config: Path = TEST_CONFIG, timeout: int = 1500,
                  check: bool = True) -> subprocess.CompletedProcess:
    """Run the workflow in ``workdir`` on ``config`` (replacing the default config)."""
    cmd = [sys.executable, "-m", "snakemake", "--cores", "2", "--configfile", str(config),
           "--replace-workflow-config", *args]
    proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=timeout)
    if check:
        assert proc.returncode == 0, proc.stderr[-4000:]
    return proc


@pytest.fixture(scope="session")
def tiny_study(tmp_path_factory) -> Path:
    """The tiny test study, run once per test session in a temporary copy of the workflow."""
    workdir = copy_workflow(tmp_path_factory.mktemp("study"))
    run_snakemake(workdir)
    return workdir
