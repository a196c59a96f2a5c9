"""Fixed cost per fit, a study's wall time and the cost of scale, measured side by side in one run.

Not a test: it runs real fits and studies (about 40 minutes on 2 cores). Three parts:

1. **Fixed cost per fit, cold vs warm compile cache.** Every variant of a small study (default:
   400 groups × 40 rows, 4 predictors, 8 variants) fitted in a fresh ``workflow/scripts/fit.py``
   process twice into one new shared compile cache (``sampler.compile_cache``): first cold (it
   compiles and fills the cache), then warm (it loads). Prints compile and end-to-end seconds of both
   and whether the two fits' posterior draws and sampler statistics are bitwise equal.
2. **A study's wall time, before and after compile reuse.** The same variants on ``--scenarios``
   scenarios of that shape (other seeds and effects), run by ``snakemake --cores 2`` three times:
   with ``compile_cache: null`` (every fit compiles from scratch in a private directory: no reuse),
   with a shared cache that starts empty (each model structure compiled once, later scenarios load
   it), and again from that cache warm (``--forceall``). Prints wall time and the fits' summed
   compile seconds of each.
3. **Groups scaling.** ``vectorized_fixed+marginal`` on groups × ``--rows-per-group`` rows for each of
   ``--groups`` (default up to 100,000 groups: 20 million rows), one ``fit.py`` process each with the
   default ``group_draws: auto``: seconds of sampling, seconds per 1000 effective draws (ESS over beta,
   tau, sigma) and its ratio to the smallest size, end-to-end seconds, peak RSS and fit-file size.

Numba's own disk cache (where the exact marginal likelihood's kernels are kept, ``NUMBA_CACHE_DIR``)
starts empty in each part and in each of part 2's first two runs, so that "cold" and "no reuse" are.

Writes ``<out>/performance.md`` (the tables as printed) and one CSV per part.

    python scripts/benchmarks/performance.py [--out results/benchmark] [--scenarios 2]
        [--groups 1000 10000 100000] [--rows-per-group 200] [--variants ...]
        [--skip-fixed-cost] [--skip-study] [--skip-scaling]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from likelihoods import dataset, fit_process, say  # noqa: E402

from zsneq.analysis.benchmark import fit_row, seconds_per_1000_ess  # noqa: E402
from zsneq.core.io import write_text  # noqa: E402
from zsneq.models.fit_file import read_fit  # noqa: E402

VARIANTS = [
    "nonvectorized", "vectorized_as_posted", "vectorized_fixed", "vectorized_dims", "vectorized_shared_tau",
    "vectorized_fixed+sufficient", "vectorized_fixed+sufficient+centered", "vectorized_fixed+marginal",
]
SCENARIO = {"groups": 400, "rows_per_group": 40, "beta": [1.0, 1.2, 0.8, 0.5], "tau": [1.0, 1.2, 0.8, 0.6],
            "sigma": 2.0, "seed": 7, "replicates": 1}
SAMPLER = {"chains": 4, "tune": 1000, "draws": 1000, "seed": 1}
FAST = "vectorized_fixed+marginal"


def write_config(path: Path, scenarios: dict, variants: list[str], cache) -> Path:
    path.write_text(yaml.safe_dump({
        "scenarios": scenarios, "variants": variants, "reference_variant": variants[0],
        "verdicts": {"margin": 0.2}, "sampler": SAMPLER | {"compile_cache": None if cache is None else str(cache)}}))
    return path


def draws_digest(tree) -> str:
    """sha256 over every numeric posterior and sampler-statistics array, in a fixed order."""
    h = hashlib.sha256()
    for group in ("posterior", "sample_stats"):
        for name in sorted(tree[group].data_vars):
            values = tree[group][name].values
            if values.dtype.kind in "fiub":
                h.update(name.encode())
                h.update(np.ascontiguousarray(values).tobytes())
    return h.hexdigest()


def timed_fit(variant: str, data: Path, out: Path, config: Path, threads: int) -> dict:
    """``fit.py`` in a fresh process (``fit_process``): end-to-end wall time, peak RSS, compile seconds,
    draws digest and file size."""
    tree, wall, peak_rss_mb = fit_process(variant, data, out, config, threads)
    return {"tree": tree, "wall_s": wall, "peak_rss_mb": peak_rss_mb,
            "compile_s": float(tree.attrs["compile_seconds"]), "digest": draws_digest(tree),
            "file_mb": out.stat().st_size / 2**20}


def fresh_numba_cache(path: Path) -> None:
    """Point numba's disk cache, for every process started from now on, at ``path`` (emptied first)."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    os.environ["NUMBA_CACHE_DIR"] = str(path)


def fixed_cost(work: Path, variants: list[str], threads: int) -> tuple[list[dict], str]:
    fresh_numba_cache(work / "numba-fixed")
    data, _ = dataset(SCENARIO, "fixed", work)
    config = write_config(work / "fixed.yaml", {"fixed": SCENARIO}, variants, work / "fixed-cache")
    rows = []
    for variant in variants:
        cold = timed_fit(variant, data, work / "cold.nc", config, threads)
        warm = timed_fit(variant, data, work / "warm.nc", config, threads)
        rows.append({"variant": variant, "cold_compile_s": cold["compile_s"], "warm_compile_s": warm["compile_s"],
                     "cold_end_to_end_s": cold["wall_s"], "warm_end_to_end_s": warm["wall_s"],
                     "bitwise_equal": cold["digest"] == warm["digest"]})
        say(f"{variant}: compile cold {cold['compile_s']:.1f} s, warm {warm['compile_s']:.1f} s; end to end "
            f"{cold['wall_s']:.1f} / {warm['wall_s']:.1f} s; bitwise equal: {rows[-1]['bitwise_equal']}")
    lines = ["| variant | compile s, cold | compile s, warm | end-to-end s, cold | end-to-end s, warm "
             "| draws bitwise equal |", "|---|---|---|---|---|---|"]
    lines += [f"| `{r['variant']}` | {r['cold_compile_s']:.1f} | {r['warm_compile_s']:.1f} | "
              f"{r['cold_end_to_end_s']:.1f} | {r['warm_end_to_end_s']:.1f} | {'yes' if r['bitwise_equal'] else 'NO'} |"
              for r in rows]
    return rows, "\n".join(lines)


def study_run(directory: Path, config: Path, force: bool) -> dict:
    """``snakemake --cores 2`` in ``directory``: wall time and the fits' summed compile seconds."""
    cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "--directory", str(directory),
           "--configfile", str(config), "--cores", "2", *(["--forceall"] if force else [])]
    t0 = time.perf_counter()
    with open(directory / f"snakemake-{int(t0)}.log", "w") as fh:
        done = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"study in {directory} failed; see its snakemake log")
    fits = sorted((directory / "results" / "fits").rglob("*.nc"))
    compile_s = sum(float(read_fit(f).attrs["compile_seconds"]) for f in fits)
    return {"wall_s": wall, "fits": len(fits), "compile_s": compile_s}


def study(work: Path, variants: list[str], n_scenarios: int) -> tuple[list[dict], str]:
    scenarios = {f"s{i}": SCENARIO | {"seed": 7 + i, "beta": [b * (1 + 0.1 * i) for b in SCENARIO["beta"]]}
                 for i in range(n_scenarios)}
    rows = []
    for label, cache, force in (("no reuse: every fit compiles (compile_cache: null)", None, False),
                                ("compile reuse, shared cache starting empty", "shared", False),
                                ("compile reuse, shared cache warm (--forceall)", "shared", True)):
        directory = work / ("study-private" if cache is None else "study-shared")
        directory.mkdir(exist_ok=True)
        if not force:
            fresh_numba_cache(directory / ".cache" / "numba")
        config = write_config(directory / "config.yaml", scenarios, variants,
                              None if cache is None else directory / ".cache" / "compile")
        run = study_run(directory, config, force)
        rows.append({"run": label, **run})
        say(f"study, {label}: {run['wall_s'] / 60:.2f} min, {run['fits']} fits, compile {run['compile_s']:.0f} s")
    lines = ["| run | wall time | fits | compile s, summed over fits |", "|---|---|---|---|"]
    lines += [f"| {r['run']} | {r['wall_s'] / 60:.2f} min | {r['fits']} | {r['compile_s']:.0f} |" for r in rows]
    return rows, "\n".join(lines)


def scaling(work: Path, groups: list[int], rows_per_group: int, threads: int) -> tuple[list[dict], str]:
    fresh_numba_cache(work / "numba-scaling")
    rows = []
    for g in groups:
        scenario = SCENARIO | {"groups": g, "rows_per_group": rows_per_group, "beta": [1.0, 1.2, 0.8],
                               "tau": [10.0, 12.0, 8.0], "sigma": 100.0, "seed": 42}  # the thread's effects
        config = write_config(work / "scaling.yaml", {f"g{g}": scenario}, [FAST], work / "scaling-cache")
        data, truth = dataset(scenario, f"g{g}", work)
        fit = timed_fit(FAST, data, work / f"g{g}.nc", config, threads)
        row, _ = fit_row(fit["tree"], truth, end_to_end_s=fit["wall_s"], peak_rss_mb=fit["peak_rss_mb"])
        rows.append({"groups": g, "rows": g * rows_per_group, "sampling_s": row["sampling_s"],
                     "min_ess_bulk": row["min_ess_bulk"], "s_per_1000_ess": seconds_per_1000_ess(row),
                     "end_to_end_s": fit["wall_s"], "peak_rss_mb": fit["peak_rss_mb"], "file_mb": fit["file_mb"],
                     "group_draws": fit["tree"].attrs.get("group_draws", "")})
        say(f"{g} groups: sampling {row['sampling_s']:.1f} s, {rows[-1]['s_per_1000_ess']:.3f} s per 1000 ESS, "
            f"end to end {fit['wall_s']:.0f} s, peak RSS {fit['peak_rss_mb']:.0f} MB, file {fit['file_mb']:.1f} MB")
        for path in (data, work / f"g{g}.nc"):
            path.unlink()
    base = rows[0]["s_per_1000_ess"]
    lines = [f"| groups | rows | sampling s | min ess_bulk | s per 1000 ESS | ratio to {rows[0]['groups']:,} groups "
             "| end-to-end s | peak RSS MB | fit file MB | group draws |", "|---|---|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r['groups']:,} | {r['rows']:,} | {r['sampling_s']:.1f} | {r['min_ess_bulk']:,.0f} | "
              f"{r['s_per_1000_ess']:.3f} | {r['s_per_1000_ess'] / base:.0f}× | {r['end_to_end_s']:.0f} | "
              f"{r['peak_rss_mb']:,.0f} | {r['file_mb']:,.1f} | {r['group_draws']} |" for r in rows]
    return rows, "\n".join(lines)


def main() -> None:
    import pandas as pd

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=ROOT / "results" / "benchmark")
    p.add_argument("--variants", nargs="+", default=VARIANTS, help="parts 1 and 2 (the first is the reference)")
    p.add_argument("--scenarios", type=int, default=2, help="scenarios of the same shape in part 2's study")
    p.add_argument("--groups", type=int, nargs="+", default=[1000, 10_000, 100_000])
    p.add_argument("--rows-per-group", type=int, default=200)
    p.add_argument("--skip-fixed-cost", action="store_true")
    p.add_argument("--skip-study", action="store_true")
    p.add_argument("--skip-scaling", action="store_true")
    a = p.parse_args()
    threads = min(SAMPLER["chains"], os.cpu_count() or 1)
    a.out.mkdir(parents=True, exist_ok=True)
    shape = (f"{SCENARIO['groups']} groups × {SCENARIO['rows_per_group']} rows, {len(SCENARIO['beta'])} predictors, "
             f"{SAMPLER['chains']} chains × ({SAMPLER['tune']} + {SAMPLER['draws']}) draws")
    text = []
    with tempfile.TemporaryDirectory(prefix="performance-bench-") as tmp:
        work = Path(tmp)
        if not a.skip_fixed_cost:
            rows, table = fixed_cost(work, a.variants, threads)
            pd.DataFrame(rows).to_csv(a.out / "fixed_cost.csv", index=False)
            text += [f"### Fixed cost per fit: cold vs warm compile cache ({shape}; one fresh `fit.py` process per "
                     f"fit, {threads} threads)", "", table]
        if not a.skip_study:
            rows, table = study(work, a.variants, a.scenarios)
            pd.DataFrame(rows).to_csv(a.out / f"study_{a.scenarios}_scenarios.csv", index=False)
            text += ["", f"### A study's wall time, before and after compile reuse ({a.scenarios} scenario(s) of "
                     f"{shape} × {len(a.variants)} variants, everything from simulation to report, "
                     "`snakemake --cores 2`)", "", table]
            shutil.rmtree(work / "study-private", ignore_errors=True)
        if not a.skip_scaling:
            rows, table = scaling(work, a.groups, a.rows_per_group, threads)
            pd.DataFrame(rows).to_csv(a.out / "groups_scaling.csv", index=False)
            text += ["", f"### Groups scaling: `{FAST}`, {a.rows_per_group} rows per group, 3 predictors, "
                     f"{SAMPLER['chains']} chains × ({SAMPLER['tune']} + {SAMPLER['draws']}) draws, one `fit.py` "
                     "process each, default `group_draws: auto`", "", table]
    text += ["", f"Benchmark wall time: {(time.perf_counter() - START) / 60:.1f} min on {os.cpu_count()} cores."]
    markdown = "\n".join(text) + "\n"
    write_text(a.out / "performance.md", markdown)
    print("\n" + markdown, flush=True)


START = time.perf_counter()

if __name__ == "__main__":
    main()
