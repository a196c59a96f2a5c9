"""Compile seconds with and without batching, measured side by side in one run.

Fits the same K simulated replicates of a small scenario twice: each alone (compiled from scratch,
as one job per replicate does) and as one batch (compiled once, later replicates' data swapped in,
as rule ``fit_batch`` does). Prints the compile seconds of both, their ratio, and whether every
replicate's posterior draws are bitwise the same both ways.

    uv run python benchmarks/batch_compile.py --variant vectorized_fixed --replicates 4
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from zsneq.core.dataset import RegressionData  # noqa: E402
from zsneq.models.compilation import ModelCache  # noqa: E402
from zsneq.models.fit import fit  # noqa: E402
from zsneq.simulation.generator import simulate_scenario  # noqa: E402

SCENARIO = {"groups": 20, "rows_per_group": 10, "beta": [1.0, 1.2, 0.8], "tau": [1.0, 1.5, 0.8], "sigma": 1.0,
            "seed": 42}
SAMPLER = {"chains": 2, "tune": 100, "draws": 100, "seed": 1}


def main(variant: str, replicates: int) -> None:
    datasets = [RegressionData.from_frame(simulate_scenario(SCENARIO, r)[0]) for r in range(replicates)]
    t0 = time.perf_counter()
    alone = [fit(d, variant, **SAMPLER) for d in datasets]
    wall_alone = time.perf_counter() - t0
    cache = ModelCache()
    t0 = time.perf_counter()
    batched = [fit(d, variant, cache=cache, **SAMPLER) for d in datasets]
    wall_batched = time.perf_counter() - t0
    compile_alone = sum(t.attrs["compile_seconds"] for t in alone)
    compile_batched = sum(t.attrs["compile_seconds"] for t in batched)
    same = all(
        np.array_equal(a["posterior"][v].values, b["posterior"][v].values)
        for a, b in zip(alone, batched)
        for v in a["posterior"].data_vars
    )
    print(f"variant {variant}, {replicates} replicates of {SCENARIO['groups']} groups x {SCENARIO['rows_per_group']} rows")
    print(f"{'':28}{'alone':>10}{'batched':>10}{'ratio':>8}")
    print(f"{'compile seconds (total)':28}{compile_alone:10.1f}{compile_batched:10.1f}{compile_alone / compile_batched:8.1f}")
    print(f"{'wall seconds (total)':28}{wall_alone:10.1f}{wall_batched:10.1f}{wall_alone / wall_batched:8.1f}")
    print(f"compiles: {replicates} alone, {cache.compiles} batched; compile seconds saved: "
          f"{compile_alone - compile_batched:.1f}")
    print(f"posterior draws bitwise identical: {same}")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--variant", default="vectorized_fixed")
    p.add_argument("--replicates", type=int, default=4)
    a = p.parse_args()
    main(a.variant, a.replicates)
