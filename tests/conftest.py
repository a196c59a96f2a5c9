import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))  # thread_generator

from zsneq.data import RegressionData, simulate  # noqa: E402

TINY = {"groups": 20, "rows_per_group": 10, "beta": [1.0, 1.2, 0.8], "tau": [1.0, 1.5, 0.8], "sigma": 1.0}
TINY_SAMPLER = {"chains": 2, "tune": 100, "draws": 100, "seed": 1}


@pytest.fixture(scope="session")
def tiny_data() -> RegressionData:
    frame, _ = simulate(rng=np.random.default_rng(42), **TINY)
    return RegressionData.from_frame(frame)


@pytest.fixture(scope="session")
def tiny_truth():
    return simulate(rng=np.random.default_rng(42), **TINY)[1]
