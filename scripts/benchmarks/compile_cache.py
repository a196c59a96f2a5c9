"""Compile seconds per fit job with a cold and a warm compile cache, measured side by side.

Every measurement is a fresh Python process that does what a fit job does before sampling:
import the stack, build one variant on one simulated dataset and compile it for nutpie
(``zsneq.models.compilation.compile_model``). Three cases, interleaved in every repeat so that load on the
machine hits them alike:

- ``private, numba cache off``: an empty compile directory of the job's own, nothing cached
  (``sampler.compile_cache: null``);
- ``shared cache, cold``: numba's disk cache on, in an empty directory (the first fit of a model
  with the default ``sampler.compile_cache``);
- ``shared cache, warm``: the same again, in the directory the previous run filled (every later fit
  of the model). Draws are bitwise the same in all three (``tests/test_compile_cache.py``).

Run from the repository root (takes a few minutes on 2 cores):
    python scripts/benchmarks/compile_cache.py [--config .test/config/config.yaml] [--scenario tiny]
        [--variant vectorized_fixed] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

CASES = [  # (label, numba disk cache on, reuse the previous run's compile directory)
    ("private, numba cache off", False, False),
    ("shared cache, cold", True, False),
    ("shared cache, warm", True, True),
]


def measure(data_path: str, variant: str, numba_cache: bool) -> dict:
    """In this process: seconds to import the stack, build the model and compile it (wall clock),
    and the CPU seconds of compiling (less sensitive to other load on the machine)."""
    t0 = time.perf_counter()
    import nutpie  # noqa: F401  (imported here to time the import)

    from zsneq.core.dataset import read_dataset
    from zsneq.models.compilation import compile_model
    from zsneq.models.variants import get_variant

    t1 = time.perf_counter()
    model = get_variant(variant).build_model(read_dataset(data_path))
    t2, cpu = time.perf_counter(), time.process_time()
    compile_model(model, numba_cache)  # exactly what the workflow's fit does
    t3, cpu = time.perf_counter(), time.process_time() - cpu
    return {"import_s": t1 - t0, "build_s": t2 - t1, "compile_s": t3 - t2, "compile_cpu_s": cpu}


def run_one(data_path: Path, variant: str, numba_cache: bool, compiledir: Path) -> dict:
    env = {**os.environ, "PYTENSOR_FLAGS": f"base_compiledir={compiledir}"}
    cmd = [sys.executable, __file__, "--measure", str(data_path), "--variant", variant]
    if numba_cache:
        cmd.append("--numba-cache")
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        sys.exit(f"measurement failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", default=str(ROOT / ".test" / "config" / "config.yaml"))
    p.add_argument("--scenario", help="default: the config's first scenario")
    p.add_argument("--variant", default="vectorized_fixed")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--measure", metavar="DATA", help=argparse.SUPPRESS)
    p.add_argument("--numba-cache", action="store_true", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.measure:
        print(json.dumps(measure(a.measure, a.variant, a.numba_cache)))
        return

    from zsneq.core.dataset import write_dataset
    from zsneq.simulation.generator import simulate_scenario
    from zsneq.workflow import load_config

    config = load_config(a.config)
    scenario = a.scenario or next(iter(config["scenarios"]))
    settings = config["scenarios"][scenario]
    results: dict[str, list[dict]] = {label: [] for label, _, _ in CASES}
    with tempfile.TemporaryDirectory(prefix="compile-cache-bench-") as tmp:
        tmp = Path(tmp)
        data = tmp / "data.parquet"
        write_dataset(*simulate_scenario(settings, 0), data, tmp / "truth.parquet")
        print(f"{a.variant} on scenario {scenario} ({settings['groups']} groups x "
              f"{settings['rows_per_group']} rows, {len(settings['beta'])} predictors); "
              f"{a.repeats} repeats, each a fresh process", flush=True)
        for repeat in range(a.repeats):
            compiledir = None
            for label, numba_cache, warm in CASES:
                if not warm:
                    compiledir = Path(tempfile.mkdtemp(dir=tmp, prefix="cache-"))
                seconds = run_one(data, a.variant, numba_cache, compiledir)
                results[label].append(seconds)
                print(f"  repeat {repeat + 1}: {label:<24} compile {seconds['compile_s']:6.1f} s "
                      f"({seconds['compile_cpu_s']:.1f} s CPU), import {seconds['import_s']:5.1f} s", flush=True)

    keys = ("compile_s", "compile_cpu_s", "import_s", "build_s")
    med = {label: {k: statistics.median(r[k] for r in results[label]) for k in keys} for label, _, _ in CASES}
    base = med[CASES[0][0]]
    print(f"\nmedian over {a.repeats} repeats, seconds per job; ratio: to the first row (no cache, as with compile_cache: null)")
    print(f"{'case':<26}{'compile':>9}{'ratio':>7}{'compile CPU':>13}{'ratio':>7}{'import':>8}{'build':>7}")
    for label, _, _ in CASES:
        m = med[label]
        print(f"{label:<26}{m['compile_s']:9.1f}{m['compile_s'] / base['compile_s']:7.2f}"
              f"{m['compile_cpu_s']:13.1f}{m['compile_cpu_s'] / base['compile_cpu_s']:7.2f}"
              f"{m['import_s']:8.1f}{m['build_s']:7.2f}")


if __name__ == "__main__":
    main()
