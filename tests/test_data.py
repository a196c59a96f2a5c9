"""The generator reproduces the thread's data bit for bit and generalises to P predictors."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from zsneq.core.dataset import DataError, RegressionData, Truth, read_dataset
from zsneq.core.userfile import load_function
from zsneq.simulation.generator import replicate_rng, simulate, simulate_scenario

# The thread's generator as posted: the file the thread example uses.
generate_data = load_function(Path(__file__).resolve().parents[1] / "examples/thread/models/generate_data.py",
                              "generate_data")

GOLDEN = Path(__file__).parent / "data" / "thread_golden_5x20.parquet"
THREAD = {"beta": [1, 1.2, 0.8], "tau": [10, 12, 8], "sigma": 100}


def _assert_bitwise(expected: pd.DataFrame, actual: pd.DataFrame) -> None:
    assert list(actual.columns) == list(expected.columns)
    for col in expected.columns:
        assert actual[col].dtype == expected[col].dtype, col
        np.testing.assert_array_equal(actual[col].to_numpy(), expected[col].to_numpy(), strict=True)


def test_golden_sample_matches_thread_generator_bit_for_bit():
    """The stored golden sample was made by the thread's own generate_data(5, 20)."""
    frame, _ = simulate(5, 20, rng=np.random.default_rng(42), **THREAD)
    _assert_bitwise(pd.read_parquet(GOLDEN), frame)


@pytest.mark.parametrize(("groups", "rows"), [(1, 1), (7, 3), (50, 40)])
def test_matches_thread_generator_code(groups, rows):
    frame, _ = simulate(groups, rows, rng=np.random.default_rng(42), **THREAD)
    _assert_bitwise(generate_data(groups, rows), frame)


def test_seed_scenario_replicate_zero_is_the_threads_data():
    scenario = {"groups": 30, "rows_per_group": 200, "seed": 42, **THREAD}
    frame, truth = simulate_scenario(scenario, rep=0)
    _assert_bitwise(generate_data(30, 200), frame)
    assert truth.beta_g.shape == (30, 3)


def test_truth_slopes_are_the_ones_drawn():
    rng = np.random.default_rng(42)
    frame, truth = simulate(4, 5, rng=np.random.default_rng(42), **THREAD)
    first = [rng.normal(loc=b, scale=t) for b, t in zip(THREAD["beta"], THREAD["tau"])]
    np.testing.assert_array_equal(truth.beta_g[0], first)


def test_replicate_seeds_are_stable_and_distinct():
    a = replicate_rng(42, 3).standard_normal(5)
    np.testing.assert_array_equal(a, replicate_rng(42, 3).standard_normal(5))
    draws = [replicate_rng(42, r).standard_normal(5) for r in range(4)]
    assert len({d.tobytes() for d in draws}) == 4
    assert not np.array_equal(replicate_rng(42, 1).standard_normal(5), replicate_rng(43, 1).standard_normal(5))
    with pytest.raises(ValueError):
        replicate_rng(42, -1)


@pytest.mark.parametrize("n_pred", [1, 2, 5])
def test_any_number_of_predictors(n_pred):
    beta, tau = list(np.linspace(-1, 1, n_pred)), [1.0 + k for k in range(n_pred)]
    frame, truth = simulate(6, 4, beta, tau, 0.5, np.random.default_rng(0))
    assert list(frame.columns) == ["group", "y", *[f"x{k + 1}" for k in range(n_pred)]]
    assert len(frame) == 24 and truth.beta_g.shape == (6, n_pred)
    x = frame[[f"x{k + 1}" for k in range(n_pred)]].to_numpy()
    resid = frame["y"].to_numpy() - (truth.beta_g[frame["group"]] * x).sum(axis=1)
    assert np.std(resid) < 2.0  # sigma = 0.5: y really is built from these slopes


def test_truth_table_round_trip():
    _, truth = simulate(3, 2, [1.0, 2.0], [0.5, 0.7], 2.0, np.random.default_rng(1))
    back = Truth.from_frame(truth.to_frame())
    np.testing.assert_array_equal(back.beta_g, truth.beta_g)
    assert back.top_level() == truth.top_level() == {
        "beta[x1]": 1.0, "beta[x2]": 2.0, "tau[x1]": 0.5, "tau[x2]": 0.7, "sigma": 2.0,
    }


def test_simulate_rejects_mismatched_beta_tau():
    with pytest.raises(ValueError, match="equal-length"):
        simulate(3, 2, [1.0, 2.0], [0.5], 1.0, np.random.default_rng(1))


def test_read_dataset_errors_name_the_file(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        read_dataset(tmp_path / "missing.parquet")
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet")
    with pytest.raises(DataError, match="bad.parquet: cannot read"):
        read_dataset(bad)
    frame, _ = simulate(3, 2, [1.0], [0.5], 1.0, np.random.default_rng(1))
    frame.loc[2, "x1"] = np.nan
    with pytest.raises(DataError, match=r"non-finite .*x1"):
        RegressionData.from_frame(frame, source="f")
    with pytest.raises(DataError, match="expected columns"):
        RegressionData.from_frame(frame.drop(columns="y"), source="f")


def test_beta_target_is_the_mean_of_these_groups_slopes():
    _, truth = simulate(50, 2, [1.0, 2.0], [3.0, 0.5], 1.0, np.random.default_rng(5))
    targets = truth.targets()
    np.testing.assert_allclose([targets["beta[x1]"], targets["beta[x2]"]], truth.beta_g.mean(axis=0))
    assert targets["beta[x1]"] != truth.top_level()["beta[x1]"]
    assert targets["tau[x1]"] == 3.0 and targets["sigma"] == 1.0
