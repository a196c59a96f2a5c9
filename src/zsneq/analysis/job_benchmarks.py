"""Snakemake's per-job ``benchmark:`` files (``benchmarks/<rule>/<job>.tsv``) as one table, and a table per rule."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

JOB_BENCHMARK_ROOT = Path("benchmarks")  # benchmarks/<rule>/<wildcard values>.tsv
JOB_BENCHMARK_NUMBERS = ["s", "max_rss", "max_vms", "max_uss", "max_pss", "io_in", "io_out", "mean_load",
                         "cpu_time"]  # Snakemake's columns besides "h:m:s"; memory in MB, io in MB


def read_job_benchmarks(paths: Iterable[str | Path], root: str | Path = JOB_BENCHMARK_ROOT) -> pd.DataFrame:
    """Snakemake benchmark files (``benchmark:`` directive, TSV) as one table, one row per file and repeat.

    Columns: ``rule`` and ``job`` (from the path: ``<root>/<rule>/<job>.tsv``; a path outside ``root``
    gives its parent directory as the rule and its stem as the job), ``repeat`` (0, 1, ... for
    ``repeat("…", n)``), ``path``, then Snakemake's numbers (:data:`JOB_BENCHMARK_NUMBERS`: wall seconds
    ``s``, peak memory ``max_rss``/``max_vms``/``max_uss``/``max_pss`` in MB, ``io_in``/``io_out`` in MB,
    ``mean_load``, ``cpu_time`` in s), ``NA`` (a job too short to be sampled) read as NaN, and any
    extended-format columns (``threads``, ``cpu_usage``, ...) as written.
    """
    frames = []
    for path in map(Path, paths):
        table = pd.read_csv(path, sep="\t", na_values=["NA", "-"], keep_default_na=False)
        missing = [c for c in ("s", "max_rss", "cpu_time") if c not in table.columns]
        if missing:
            raise ValueError(f"{path}: not a Snakemake benchmark file (no column(s) {missing})")
        rule, job = _rule_and_job(path, Path(root))
        table = table.drop(columns=["h:m:s"], errors="ignore")
        for column in JOB_BENCHMARK_NUMBERS:
            if column in table.columns:
                table[column] = pd.to_numeric(table[column], errors="coerce")
        table.insert(0, "rule", rule)
        table.insert(1, "job", job)
        table.insert(2, "repeat", range(len(table)))
        table.insert(3, "path", str(path))
        frames.append(table)
    if not frames:
        return pd.DataFrame(columns=["rule", "job", "repeat", "path", *JOB_BENCHMARK_NUMBERS])
    return pd.concat(frames, ignore_index=True)


def _rule_and_job(path: Path, root: Path) -> tuple[str, str]:
    """``(rule, job)`` of a benchmark file ``<root>/<rule>/<job parts>.tsv``."""
    try:
        parts = path.with_suffix("").relative_to(root).parts
    except ValueError:
        parts = ()
    if len(parts) >= 2:
        return parts[0], "/".join(parts[1:])
    return path.parent.name, path.stem


def job_benchmark_summary(jobs: pd.DataFrame) -> pd.DataFrame:
    """Per rule: jobs, total and longest wall seconds, total CPU seconds, largest peak RSS (MB).

    ``jobs``: :func:`read_job_benchmarks`; repeats of one job count as one job (their mean).
    Sorted by total wall seconds, largest first.
    """
    per_job = jobs.groupby(["rule", "job"], sort=False)[["s", "cpu_time", "max_rss"]].mean()
    def total(values: pd.Series) -> float:
        return values.sum(min_count=1)  # NaN, not 0, when no job of the rule was sampled

    summary = per_job.groupby("rule", sort=False).agg(
        jobs=("s", "size"), total_s=("s", total), max_s=("s", "max"), cpu_s=("cpu_time", total),
        max_rss_mb=("max_rss", "max"))
    return summary.sort_values("total_s", ascending=False).reset_index()
