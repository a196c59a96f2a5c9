"""A small study (a subset of the tiny one) through profiles/slurm on a real, throwaway single-node SLURM cluster.

The fixture starts the cluster with scripts/slurm_cluster.sh (installing SLURM and MUNGE when they
are missing, which needs root and apt-get) and stops its daemons afterwards. Without root the test is
skipped, saying so; as root (CI), when the cluster cannot be started the test fails with the reason.
"""

import os
import re
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, SMALL_CONFIG, copy_workflow, run_snakemake
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


def _cluster(action: str, state: Path, timeout: int) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(CLUSTER), action, str(state)], capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def slurm_cluster(tmp_path_factory):
    """A running single-node cluster (its state directory); its daemons are stopped afterwards."""
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


def squeue_states() -> dict[str, str]:
    """SLURM job id -> state of every job the controller still knows (finished ones for MinJobAge)."""
    out = subprocess.run(["squeue", "--states=all", "--noheader", "--format=%i|%T"], capture_output=True,
                         text=True, timeout=30, check=True).stdout
    return dict(line.split("|", 1) for line in out.split())


def test_a_study_runs_through_sbatch(slurm_cluster, tmp_path):
    workdir = copy_workflow(tmp_path)
    started = time.monotonic()
    proc = run_snakemake(workdir, *SLURM_ARGS, config=SMALL_CONFIG, timeout=2700, check=False)
    log = proc.stdout + proc.stderr
    print(f"small study through SLURM: {time.monotonic() - started:.0f} s")
    assert proc.returncode == 0, log[-6000:]

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
