"""A small study (a subset of the tiny one) through profiles/slurm on a real, throwaway single-node SLURM cluster.

The fixture starts the cluster with scripts/slurm_cluster.sh (installing SLURM and MUNGE when they
are missing, which needs root and apt-get) and stops its daemons at the end of the session. Without root
the tests are skipped, saying so; as root (CI), when the cluster cannot be started they fail with the reason.
The study runs in the background: the first test sees it submitted, the last one (after the shared studies'
tests, ``conftest.pytest_collection_modifyitems``) waits for it and checks it.
"""

import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, SMALL_CONFIG, copy_workflow, snakemake_command
from test_workflow import expected_outputs

pytestmark = [pytest.mark.slurm, pytest.mark.e2e, pytest.mark.skipif(
    os.geteuid() != 0, reason="needs root: scripts/slurm_cluster.sh installs SLURM and MUNGE and starts their daemons")]

CLUSTER = ROOT / "scripts" / "slurm_cluster.sh"
# The throwaway cluster keeps no job accounting, so the plugin asks squeue (not sacct) for job
# states; finished jobs stay visible to squeue for MinJobAge (an hour there). Short first and later status
# checks suit a cluster where jobs start at once.
SLURM_ARGS = ["--workflow-profile", "profiles/slurm", "--slurm-status-command", "squeue",
              "--slurm-init-seconds-before-status-checks", "5", "--seconds-between-status-checks", "5"]
SUBMITTED = re.compile(r"Job (\S+) has been submitted with SLURM jobid (\d+) \(log: (\S+)\)\.")
TIMEOUT = 2700  # seconds the study may take, from its start


def _cluster(action: str, state: Path, timeout: int) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(CLUSTER), action, str(state)], capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="session")
def slurm_cluster(tmp_path_factory):
    """A running single-node cluster (its state directory); its daemons are stopped at the end of the session."""
    state = tmp_path_factory.mktemp("slurm-cluster")
    try:
        started = _cluster("start", state, timeout=1800)
        if started.returncode != 0:
            pytest.fail(f"could not start the throwaway SLURM cluster ({CLUSTER.relative_to(ROOT)} start):\n"
                        f"{started.stderr[-3000:]}", pytrace=False)
        yield state
    finally:
        stopped = _cluster("stop", state, timeout=300)
        assert stopped.returncode == 0, stopped.stderr[-3000:]


@dataclass
class BackgroundStudy:
    workdir: Path
    proc: subprocess.Popen
    output: Path  # what Snakemake printed (stdout and stderr)
    started: float  # time.time() at the start

    def text(self) -> str:
        return self.output.read_text(errors="replace")


@pytest.fixture(scope="session")
def slurm_study(slurm_cluster, tmp_path_factory):
    """The small study started through the SLURM profile in a copy of the workflow, not waited for; stopped
    if still running at the end of the session."""
    workdir = copy_workflow(tmp_path_factory.mktemp("slurm-study"))
    output = workdir / "snakemake.out"
    with open(output, "w") as out:
        proc = subprocess.Popen(snakemake_command(SMALL_CONFIG, *SLURM_ARGS), cwd=workdir, stdout=out,
                                stderr=subprocess.STDOUT, text=True)
    study = BackgroundStudy(workdir, proc, output, time.time())
    yield study
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=120)


def squeue_states() -> dict[str, str]:
    """SLURM job id -> state of every job the controller still knows (finished ones for MinJobAge)."""
    out = subprocess.run(["squeue", "--states=all", "--noheader", "--format=%i|%T"], capture_output=True,
                         text=True, timeout=30, check=True).stdout
    return dict(line.split("|", 1) for line in out.split())


def test_the_study_is_submitted_to_the_cluster(slurm_study):
    """Snakemake's first job goes to sbatch within minutes, and the controller knows its job id."""
    deadline = time.monotonic() + 600
    while not SUBMITTED.search(slurm_study.text()):
        assert slurm_study.proc.poll() is None, slurm_study.text()[-6000:]
        assert time.monotonic() < deadline, slurm_study.text()[-6000:]
        time.sleep(1)
    _, jobid, _ = SUBMITTED.search(slurm_study.text()).groups()
    assert jobid in squeue_states()


def test_a_study_runs_through_sbatch(slurm_study):
    """The study finishes (its outputs all there), every job went through sbatch and finished as COMPLETED,
    and the SLURM logs of those jobs show every output made inside them."""
    workdir = slurm_study.workdir
    returncode = slurm_study.proc.wait(timeout=max(1.0, TIMEOUT - (time.time() - slurm_study.started)))
    log = slurm_study.text()
    print(f"small study through SLURM: {slurm_study.output.stat().st_mtime - slurm_study.started:.0f} s")
    assert returncode == 0, log[-6000:]

    config = yaml.safe_load(SMALL_CONFIG.read_text())
    missing = [p for p in expected_outputs(config) if not (workdir / p).is_file()]
    assert not missing

    # Every job went through sbatch: the controller knows every job id Snakemake was given, each
    # finished as COMPLETED, and the SLURM logs of those jobs show every output made inside them.
    submitted = SUBMITTED.findall(log)
    assert submitted, log[-6000:]
    states = squeue_states()
    assert {jobid: states.get(jobid) for _, jobid, _ in submitted} == {
        jobid: "COMPLETED" for _, jobid, _ in submitted}
    made_in_slurm_jobs = set()
    for _, jobid, slurm_log in submitted:
        assert Path(slurm_log).name == f"{jobid}.log"
        text = Path(slurm_log).read_text()
        assert "Finished jobid" in text, slurm_log
        made_in_slurm_jobs.update(re.findall(r"^\s+output: (.+)$", text, re.M))
    produced = {p.strip() for line in made_in_slurm_jobs for p in line.split(",")}
    assert set(expected_outputs(config)) - produced == set()
