"""The full seed scenario (the thread's 1000 groups x 200 rows): the thread's numbers, reproduced.

Slow (about two minutes on 2 cores): deselected by default, run with ``pytest -m slow``.
"""

import numpy as np
import pytest
import yaml
from conftest import ROOT

from zsneq.analysis.summarize import summarize_fit
from zsneq.core.dataset import RegressionData
from zsneq.models.fit import fit
from zsneq.simulation.generator import simulate_scenario

pytestmark = pytest.mark.slow

# Posterior means the thread reports for its non-vectorized model on this data.
THREAD = {"beta[x1]": 1.080, "beta[x2]": 1.254, "beta[x3]": 0.798,
          "tau[x1]": 9.534, "tau[x2]": 12.000, "tau[x3]": 7.744, "sigma": 99.930}


@pytest.fixture(scope="module")
def seed():
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    scenario = {"replicates": 1, **config["scenarios"]["seed"]}
    return simulate_scenario(scenario, rep=0)


def _means(frame_truth, variant):
    frame, truth = frame_truth
    tree = fit(RegressionData.from_frame(frame), variant, chains=4, tune=1000, draws=1000, seed=1)
    return summarize_fit(tree, truth).set_index("parameter")


def test_the_fixed_model_reproduces_the_threads_posterior_means(seed):
    summary = _means(seed, "vectorized_fixed+marginal")
    for name, value in THREAD.items():
        assert abs(summary.loc[name, "mean"] - value) < 0.3 * summary.loc[name, "sd"], (name, summary.loc[name, "mean"])


def test_the_as_posted_model_shrinks_tau3_as_in_the_thread(seed):
    summary = _means(seed, "vectorized_as_posted+sufficient")
    assert 2.7 < summary.loc["tau[x3]", "mean"] < 3.7
    assert np.isfinite(summary["mean"]).all()
