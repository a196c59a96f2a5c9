"""Benchmark the fast likelihoods against the thread's row-wise model, side by side in one run.

Not a test: it fits real datasets and takes minutes (about 20-30 on 2 busy cores).

1. On one dataset (default: the ``seed`` scenario of config/config.yaml) fit the
   thread's row-wise non-vectorized model and every fast combination, each in its
   own process running ``workflow/scripts/fit.py`` exactly as the workflow does
   (process start, imports, compile, sampling, conditional slope draws, writing the
   NetCDF), and print per combination: compile s, sampling s, end-to-end s,
   min ess_bulk and ESS/s over beta, tau, sigma, ratios to the row-wise fit, peak
   RSS of the fit's process, max |Δmean|/sd of beta, tau, sigma vs the row-wise fit.
2. Scaling: seconds of sampling per 1000 effective draws of the fastest combination
   (by ESS/s in part 1) for groups x rows per group, with the row-wise model where
   the dataset has at most ``--rowwise-max-rows`` rows.

Writes results/benchmark/fits.csv, scaling.csv and benchmark.md (the tables as printed). With
``--warm``, part 1 is also timed with every fit loading its compiled model from a warm compile cache
(``sampler.compile_cache``; an untimed fit of the same model fills it first): fits_warm.csv.

    python benchmarks/likelihoods.py [--config config/config.yaml] [--scenario seed] [--warm] [--no-scaling]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from zsneq.analysis.benchmark import BASELINE, compare, fit_row, fits_markdown, scaling_markdown, seconds_per_1000_ess
from zsneq.core.dataset import write_dataset  # noqa: E402
from zsneq.core.io import write_text  # noqa: E402
from zsneq.models.fit_file import fit_status, read_fit  # noqa: E402
from zsneq.simulation.generator import simulate_scenario  # noqa: E402
from zsneq.workflow import load_config  # noqa: E402

FAST = ["vectorized_fixed+sufficient", "vectorized_fixed+sufficient+centered", "vectorized_fixed+marginal"]
START = time.perf_counter()


def say(message: str) -> None:
    print(f"[{time.perf_counter() - START:6.0f} s] {message}", flush=True)


def fit_process(variant: str, data_path: Path, out: Path, config_path: Path, threads: int):
    """``workflow/scripts/fit.py`` of ``variant`` in a fresh process (log beside ``out``): the fit read back,
    its end-to-end wall seconds and the process's peak RSS in MB. A failed process or fit raises."""
    log = out.with_suffix(".log")
    cmd = [sys.executable, str(ROOT / "workflow" / "scripts" / "fit.py"), "--config", str(config_path),
           "--variant", variant, "--data", str(data_path), "--out", str(out), "--threads", str(threads)]
    t0 = time.perf_counter()
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)  # the child's own resource usage
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"fit of {variant} to {data_path} failed; see {log}")
    tree = read_fit(out)
    if fit_status(tree) != "ok":
        raise RuntimeError(f"fit of {variant} to {data_path} failed: {tree.attrs.get('error')}")
    return tree, wall, usage.ru_maxrss / 1024  # ru_maxrss: KiB


def run_fit(variant: str, data_path: Path, truth, work: Path, config_path: Path, threads: int):
    """Fit ``variant`` in a fresh process; its end-to-end wall time and peak RSS, and its summary."""
    out = work / f"{data_path.stem}-{variant}.nc"
    tree, wall, peak_rss_mb = fit_process(variant, data_path, out, config_path, threads)
    row, summary = fit_row(tree, truth, end_to_end_s=wall, peak_rss_mb=peak_rss_mb)
    out.unlink()
    say(f"{variant} on {data_path.stem}: compile {row['compile_s']:.1f} s, sampling {row['sampling_s']:.1f} s, "
        f"end to end {wall:.1f} s, min ess_bulk {row['min_ess_bulk']:.0f}, peak RSS {row['peak_rss_mb']:.0f} MB")
    return row, summary


def dataset(scenario: dict, name: str, work: Path):
    frame, truth = simulate_scenario(scenario, rep=0)
    path = work / f"{name}.parquet"
    write_dataset(frame, truth, path, work / f"{name}.truth.parquet")
    return path, truth


def main() -> None:
    import pandas as pd

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", type=Path, default=ROOT / "config" / "config.yaml")
    p.add_argument("--scenario", default="seed")
    p.add_argument("--out", type=Path, default=ROOT / "results" / "benchmark")
    p.add_argument("--groups", type=int, nargs="+", default=[250, 1000, 4000])
    p.add_argument("--rows-per-group", type=int, nargs="+", default=[50, 200, 800])
    p.add_argument("--rowwise-max-rows", type=int, default=50_000,
                   help="fit the row-wise model in the scaling table only up to this many rows")
    p.add_argument("--no-scaling", action="store_true")
    p.add_argument("--warm", action="store_true",
                   help="also time every part-1 fit again from a warm compile cache (sampler.compile_cache), "
                        "after one untimed fit fills it: fits_warm.csv and a second table")
    a = p.parse_args()

    config = load_config(a.config)
    if a.scenario not in config["scenarios"]:
        raise SystemExit(f"--scenario: {a.scenario!r} is not in {a.config} (has {', '.join(config['scenarios'])})")
    base = config["scenarios"][a.scenario]
    threads = min(config["sampler"]["chains"], os.cpu_count() or 1)
    a.out.mkdir(parents=True, exist_ok=True)
    say(f"scenario {a.scenario}: {base['groups']} groups x {base['rows_per_group']} rows; sampler {config['sampler']}, "
        f"{threads} threads on {os.cpu_count()} cores")

    with tempfile.TemporaryDirectory(prefix="likelihood-bench-") as tmp:
        work = Path(tmp)
        data_path, truth = dataset(base, a.scenario, work)
        cold_config = work / "cold.yaml"  # every timed fit compiles from scratch (no shared compile cache)
        cold_config.write_text(yaml.safe_dump(
            yaml.safe_load(a.config.read_text()) | {"sampler": config["sampler"] | {"compile_cache": None}}))
        rows, summaries = [], {}
        for variant in [BASELINE, *FAST]:
            row, summaries[variant] = run_fit(variant, data_path, truth, work, cold_config, threads)
            rows.append(row)
        table = compare(rows, summaries, BASELINE)
        table.to_csv(a.out / "fits.csv", index=False)
        fast_only = table[table["variant"] != BASELINE]
        best = fast_only.sort_values("ess_per_s", ascending=False).iloc[0]
        title = (f"Seed scenario ({base['groups']} groups × {base['rows_per_group']} rows, "
                 f"{config['sampler']['chains']} chains × ({config['sampler']['tune']} + {config['sampler']['draws']}) "
                 f"draws, {threads} threads, one process per fit; ESS over beta, tau, sigma)")
        text = [f"### {title}", "", fits_markdown(table, BASELINE), "",
                f"Best fast combination: `{best['variant']}`: {best['ess_per_s_ratio']:.1f}× the ESS/s of row-wise "
                f"(target ≥ 50×), max |Δmean|/sd {best['max_dmean_sd']:.3f} (target ≤ 0.1), end to end "
                f"{best['end_to_end_speedup']:.1f}× faster (target ≥ 5×), peak RSS {best['peak_rss_mb']:.0f} MB "
                "(target ≤ 1024)."]

        if a.warm:  # the same fits, each loading its compiled model from a cache an untimed fit filled
            warm_config = work / "warm.yaml"
            warm_config.write_text(yaml.safe_dump(
                yaml.safe_load(a.config.read_text()) | {"sampler": config["sampler"] | {
                    "compile_cache": str(work / "compile-cache")}}))
            warm_rows, warm_summaries = [], {}
            for variant in [BASELINE, *FAST]:
                say(f"{variant}: filling the compile cache (untimed)")
                run_fit(variant, data_path, truth, work, warm_config, threads)
                row, warm_summaries[variant] = run_fit(variant, data_path, truth, work, warm_config, threads)
                warm_rows.append(row)
            warm = compare(warm_rows, warm_summaries, BASELINE)
            warm.to_csv(a.out / "fits_warm.csv", index=False)
            fastest = warm[warm["variant"] == best["variant"]].iloc[0]
            text += ["", "### The same fits from a warm compile cache (`sampler.compile_cache`; one untimed fit "
                     "filled it)", "", fits_markdown(warm, BASELINE), "",
                     f"`{best['variant']}` from a warm cache: end to end {fastest['end_to_end_speedup']:.1f}× faster "
                     f"than the row-wise fit from a warm cache (target ≥ 5×)."]

        if not a.no_scaling:
            scaling_rows = []
            seed_row = {r["variant"]: r for r in rows}
            for groups in a.groups:
                for n in a.rows_per_group:
                    scenario = base | {"groups": groups, "rows_per_group": n}
                    cell = {"groups": groups, "rows_per_group": n}
                    is_seed = (groups, n) == (base["groups"], base["rows_per_group"])
                    affordable = groups * n <= a.rowwise_max_rows or is_seed  # the seed's row-wise fit is done
                    variants = [best["variant"]] + ([BASELINE] if affordable else [])
                    path = None
                    for variant in variants:
                        if is_seed:  # the same dataset as part 1: reuse that fit
                            row = seed_row[variant]
                        else:
                            if path is None:
                                path, cell_truth = dataset(scenario, f"g{groups}_n{n}", work)
                            row, _ = run_fit(variant, path, cell_truth, work, cold_config, threads)
                        scaling_rows.append(cell | row | {"s_per_1000_ess": seconds_per_1000_ess(row)})
                    if path is not None:
                        path.unlink()
            scaling = pd.DataFrame(scaling_rows)
            scaling.to_csv(a.out / "scaling.csv", index=False)
            text += ["", f"### Seconds of sampling per 1000 effective draws: `{best['variant']}` "
                     f"(row-wise `{BASELINE}` in brackets where run: up to {a.rowwise_max_rows:,} rows, and part 1's "
                     "dataset)", "",
                     scaling_markdown(scaling, best["variant"], BASELINE)]

    text += ["", f"Benchmark wall time: {(time.perf_counter() - START) / 60:.1f} min."]
    markdown = "\n".join(text) + "\n"
    write_text(a.out / "benchmark.md", markdown)
    print("\n" + markdown, flush=True)


if __name__ == "__main__":
    main()
