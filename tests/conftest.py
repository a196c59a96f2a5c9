import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))  # test-only variant modules (wrong_tau_prior, off_variants)

from zsneq.core.dataset import RegressionData  # noqa: E402
from zsneq.simulation.generator import simulate  # noqa: E402

TINY = {"groups": 20, "rows_per_group": 10, "beta": [1.0, 1.2, 0.8], "tau": [1.0, 1.5, 0.8], "sigma": 1.0}
# the tiny study's sampler settings, as ``fit`` options; its compiled models are kept in pytensor's compile
# directory (the session's, ``pytest_configure``), as the workflow's fits keep theirs
TINY_SAMPLER = {"chains": 2, "tune": 100, "draws": 100, "seed": 1, "numba_cache": True}


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


# --- one compile cache for the session's studies -----------------------------------------------------
COMPILE_CACHE_VAR = "ZSNEQ_TEST_COMPILE_CACHE"


def pytest_configure(config):
    """Make the session's compile cache (in the controller; xdist's workers inherit its environment) and
    compile the tests' own models into it too (pytensor's ``base_compiledir``, unless one is set already)."""
    if COMPILE_CACHE_VAR not in os.environ:
        os.environ[COMPILE_CACHE_VAR] = config._zsneq_compile_cache = tempfile.mkdtemp(prefix="zsneq-test-compile-")
    flags = os.environ.get("PYTENSOR_FLAGS", "")
    if "base_compiledir=" not in flags and "pytensor" not in sys.modules:
        os.environ["PYTENSOR_FLAGS"] = ",".join(filter(None, [flags, f"base_compiledir={os.environ[COMPILE_CACHE_VAR]}"]))


def pytest_unconfigure(config):
    if made := getattr(config, "_zsneq_compile_cache", None):
        shutil.rmtree(made, ignore_errors=True)


def session_compile_cache() -> Path:
    """The ``sampler.compile_cache`` of every study the test session runs, on both workers: a model's first
    fit in any study compiles it, later fits load it. Draws are bitwise the same from a cold or a warm cache
    (test_compile_cache), so no test's result depends on which study ran first; the tests of cold caches
    use caches of their own."""
    return Path(os.environ[COMPILE_CACHE_VAR])


def with_session_cache(config: dict) -> dict:
    """``config`` with its fits' compile cache the session's (``session_compile_cache``)."""
    return config | {"sampler": {**config.get("sampler", {}), "compile_cache": str(session_compile_cache())}}


def write_session_config(path: Path, config: Path = TEST_CONFIG) -> Path:
    """``config`` written to ``path`` with its fits compiling into the session's cache (``with_session_cache``)."""
    path.write_text(yaml.safe_dump(with_session_cache(yaml.safe_load(config.read_text())), sort_keys=False))
    return path


def snakemake_command(config: Path, *args: str) -> list[str]:
    """The command running the workflow on ``config`` (replacing the default config), its fits compiling into
    the session's compile cache."""
    return [sys.executable, "-m", "snakemake", "--cores", "2", "--configfile", str(config),
            "--replace-workflow-config", "--config", f"sampler={{compile_cache: {session_compile_cache()}}}", *args]


def run_snakemake(workdir: Path, *args: str, config: Path = TEST_CONFIG, timeout: int = 1500,
                  check: bool = True) -> subprocess.CompletedProcess:
    """Run the workflow in ``workdir`` (``snakemake_command``) and wait for it."""
    proc = subprocess.run(snakemake_command(config, *args), cwd=workdir, capture_output=True, text=True,
                          timeout=timeout)
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
    write_session_config(project / "config" / "config.yaml", SMALL_CONFIG)
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
# The SLURM study (test_slurm) joins them: its jobs mostly wait for the scheduler, so it runs in the background
# while the shared studies' tests run on the same worker (``pytest_collection_modifyitems``).
SHARED_STUDIES = ("tiny_study", "small_module_study", "slurm_study")


# Names whose use marks a module that samples or draws from models in the test process (tens of seconds).
IN_PROCESS = ("TINY_SAMPLER", "estimate_power", "compare_variants")


def modules_naming(names) -> set[str]:
    """File names of the test modules whose text names any of ``names``."""
    return {p.name for p in Path(__file__).parent.glob("test_*.py")
            if any(name in p.read_text(encoding="utf-8") for name in names)}


def shared_study_modules() -> set[str]:
    """File names of the test modules that use a shared study."""
    return modules_naming(SHARED_STUDIES)


def pytest_collection_modifyitems(config, items):
    """Longest first: the first SLURM test (it submits the SLURM study, which then runs in the background),
    the modules that use a shared study, the other SLURM tests (they wait for that study and check it), the
    other modules that run a study (``e2e``), the modules that sample models in the test process
    (``IN_PROCESS``), then the rest, each module's tests in their order. Under xdist, which hands the modules
    out in this order, the long studies start at once and the short tests fill in after them, instead of one
    worker running a long module alone at the end."""
    shared, in_process = shared_study_modules(), modules_naming(IN_PROCESS)
    slurm = [item for item in items if item.get_closest_marker("slurm")]

    def rank(item) -> int:
        if slurm and item is slurm[0]:
            return -1
        if item.get_closest_marker("slurm"):
            return 1
        if item.path.name in shared:
            return 0
        return 2 if item.get_closest_marker("e2e") else 3 if item.path.name in in_process else 4

    items.sort(key=rank)


def pytest_xdist_make_scheduler(config, log):
    """Under ``pytest -n 2`` (the default options): each test module runs on one worker, so its
    module-scoped fixtures are computed once, and every module that uses a shared study runs on the same
    worker, so each study runs once. Modules are handed out in collection order
    (``pytest_collection_modifyitems``), not by their number of tests."""
    from xdist.scheduler import LoadScopeScheduling

    shared = shared_study_modules()

    class StudyScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return "shared studies" if Path(module).name in shared else module

    return StudyScheduling(config, log)
