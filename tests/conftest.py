import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
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


# --- the small study as a module of another project, killed and resumed --------------------------------
MODULE_SNAKEFILE = """\
configfile: "config/config.yaml"


module zsneq:
    snakefile:
        "{snakefile}"
    config:
        config


use rule * from zsneq
"""
FINISHED = re.compile(r"Finished jobid: (\d+) \(Rule: (\w+)\)")


def logged_jobs(text: str) -> dict[str, tuple[str, str]]:
    """Jobs a Snakemake log (or dry run) lists: jobid -> (rule, first output)."""
    jobs = {}
    for block in re.split(r"\n(?=(?:local)?rule \w+:\n)", text):
        head = re.match(r"(?:local)?rule (\w+):\n", block.lstrip("\n"))
        jobid = re.search(r"^\s+jobid: (\d+)$", block, re.M)
        if head and jobid:
            output = re.search(r"^\s+output: (\S+?),?(?:\s|$)", block, re.M)
            jobs[jobid.group(1)] = (head.group(1), output.group(1) if output else "")
    return jobs


def result_files(workdir: Path) -> dict[str, int]:
    """Finished outputs under results/ (hidden temporaries excluded) -> modification time (ns)."""
    return {str(p.relative_to(workdir)): p.stat().st_mtime_ns
            for p in (workdir / "results").rglob("*") if p.is_file() and not p.name.startswith(".")}


@dataclass(frozen=True)
class ResumedStudy:
    project: Path  # the project directory: config/config.yaml, a Snakefile using the workflow as a module
    finished: dict  # outputs the killed run had finished -> their modification times then
    log: str  # what the second run printed


def module_snakemake(project: Path, *args: str, timeout: int = 1500) -> subprocess.CompletedProcess:
    """``snakemake --cores 2`` in a project that uses the workflow as a module (its own config)."""
    proc = subprocess.run([sys.executable, "-m", "snakemake", "--cores", "2", *args], cwd=project,
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc


@pytest.fixture(scope="session")
def small_module_study(tmp_path_factory) -> ResumedStudy:
    """The small study (a subset of the tiny one) in a project of its own that loads this repository's
    Snakefile as a ``module`` by local path, as snakedeploy sets it up; killed (SIGKILL, whole process
    group) once a fit has finished, unlocked, then run again to the end. Shared by the module tests and
    the resume tests."""
    project = tmp_path_factory.mktemp("project")
    (project / "config").mkdir()
    (project / "config" / "config.yaml").write_text(SMALL_CONFIG.read_text())
    (project / "Snakefile").write_text(MODULE_SNAKEFILE.format(snakefile=ROOT / "Snakefile"))
    first_log = project / "first.log"
    with open(first_log, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "snakemake", "--cores", "2"], cwd=project, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 1200
        while not any(rule == "fit" for _, rule in FINISHED.findall(first_log.read_text())):
            assert proc.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "no fit finished in time"
            time.sleep(0.1)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    text = first_log.read_text()
    jobs = logged_jobs(text)
    finished = {jobs[jobid][1] for jobid, rule in FINISHED.findall(text) if rule != "all"}
    mtimes = result_files(project)
    # The killed run could not release its lock; README: `snakemake --unlock`, then the same command.
    # (a dry run does not take the lock, so look for the lock files the killed run left behind)
    assert any((project / ".snakemake" / "locks").glob("*.lock")), "the killed run left no lock"
    module_snakemake(project, "--unlock")
    second = module_snakemake(project)
    return ResumedStudy(project, {p: mtimes[p] for p in finished}, second.stdout + second.stderr)


# --- pytest-xdist: which tests share a worker ------------------------------------------------------------
# Studies that run the workflow are session fixtures shared across test modules; each must run once.
SHARED_STUDIES = ("tiny_study", "small_module_study")


def shared_study_modules() -> set[str]:
    """File names of the test modules that use a shared study (read from their text)."""
    return {p.name for p in Path(__file__).parent.glob("test_*.py")
            if any(name in p.read_text(encoding="utf-8") for name in SHARED_STUDIES)}


def pytest_xdist_make_scheduler(config, log):
    """Under ``pytest -n 2`` (the default options): each test module runs on one worker, so its
    module-scoped fixtures are computed once, and every module that uses a shared study runs on the same
    worker, so each study runs once."""
    from xdist.scheduler import LoadScopeScheduling

    shared = shared_study_modules()

    class StudyScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return "shared studies" if Path(module).name in shared else module

    return StudyScheduling(config, log)
