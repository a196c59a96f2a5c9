"""The workflow used as a Snakemake module from another project, as snakedeploy sets it up.

A fresh directory holds only ``config/config.yaml`` (a small study, a subset of the tiny one) and a
Snakefile that loads this repository's Snakefile as a ``module`` by local path; the study runs end to end
and its outputs land in that directory.
"""

from pathlib import Path

import pytest
from conftest import ROOT, module_snakemake

pytestmark = pytest.mark.e2e  # runs the workflow on a study


@pytest.fixture(scope="module")
def project(small_module_study) -> Path:
    """A project of its own that uses the workflow as a module; the small study run in it (killed once and
    resumed: conftest's ``small_module_study``, which the resume tests share)."""
    return small_module_study.project


def test_the_study_runs_as_a_module_and_its_outputs_land_in_the_project(project):
    for path in ["results/report/index.html", "results/summary/variant_verdicts.parquet",
                 "results/fits/twopred/vectorized_as_posted/rep0.nc", "results/checks/twopred/vectorized_as_posted.json",
                 "logs/fit/twopred/nonvectorized/rep0.log", "benchmarks/fit/twopred/nonvectorized/rep0.tsv"]:
        assert (project / path).is_file(), path
    assert not (ROOT / "results" / "fits" / "twopred").exists()  # nothing written into the workflow's own tree


def test_a_finished_module_study_has_nothing_to_do(project):
    proc = module_snakemake(project, "-n", timeout=300)
    assert "Nothing to be done" in proc.stdout + proc.stderr
