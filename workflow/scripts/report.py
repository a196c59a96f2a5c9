"""Render the self-contained HTML report from the summary table and figures.

Under Snakemake (rule ``report``) or from the command line:
    python workflow/scripts/report.py --config config/config.yaml --out results/report/index.html
(by hand it reads the study's tables and figures from their places under results/, ``zsneq.core.paths``)
"""

import argparse
import json
import sys
from pathlib import Path

_here = (Path(snakemake.scriptdir) if "snakemake" in globals() else Path(__file__).parent).resolve()  # noqa: F821
sys.path.insert(0, str(_here.parents[1] / "src"))

from zsneq.analysis.benchmark import read_tables  # noqa: E402
from zsneq.analysis.job_benchmarks import read_job_benchmarks  # noqa: E402
from zsneq.core.figures import FIGURES  # noqa: E402
from zsneq.core.io import setup_logging  # noqa: E402
from zsneq.presentation.report import TEMPLATE, Figures, render, write_report  # noqa: E402

CALIBRATION_TABLES = ("coverage", "sbc", "sbc_variants", "batching")  # the calibration tables the report shows


def main(summary_path, template, config: dict, out, log=None, verdicts_path=None, check_paths=(), figures=None,
         fits_path=None, calibration_paths=None, benchmark_paths=(), job_benchmark_paths=()) -> None:
    """``calibration_paths``: a path for each of ``CALIBRATION_TABLES`` (results/calibration/*.parquet).
    ``figures``: the figure files to embed (``zsneq.presentation.report.Figures``). ``benchmark_paths``:
    the benchmark tables that exist (results/benchmark/fits.csv, scaling.csv); none: no benchmark section.
    ``job_benchmark_paths``: Snakemake's benchmark files of the jobs (benchmarks/<rule>/...tsv)."""
    import pandas as pd

    logger = setup_logging(log)
    verdicts = pd.read_parquet(verdicts_path) if verdicts_path else None
    checks = [json.loads(Path(p).read_text()) for p in check_paths]
    fits = pd.read_parquet(fits_path) if fits_path else None  # status and error of every fit
    calibration = ({name: pd.read_parquet(calibration_paths[name]) for name in CALIBRATION_TABLES}
                   if calibration_paths else None)
    html = render(pd.read_parquet(summary_path), Path(template), config, verdicts=verdicts, checks=checks,
                  figures=figures, fits=fits, calibration=calibration, benchmark=read_tables(benchmark_paths),
                  job_benchmarks=read_job_benchmarks(job_benchmark_paths) if job_benchmark_paths else None)
    write_report(html, out)
    logger.info("wrote %s", out)


def figures_from(figure_keys=(), figures=(), captions=None, diagnostic_keys=(), diagnostics=(), benchmark=()) -> Figures:
    """The figure files given (each list in the order of its keys) as ``Figures``: ``figure_keys`` (name,
    scenario) of the per-scenario figures, ``captions`` each figure's caption text by name."""
    return Figures(
        scenario={tuple(k): Path(p) for k, p in zip(figure_keys, figures, strict=True)},
        captions=dict(captions or {}),
        diagnostics={tuple(k): Path(p) for k, p in zip(diagnostic_keys, diagnostics, strict=True)},
        benchmark=Path(benchmark[0]) if benchmark else None,
    )


if "snakemake" in globals():
    sm = globals()["snakemake"]
    figures = figures_from(sm.params.figures, sm.input.figures, sm.params.captions, sm.params.diagnostics,
                           sm.input.diagnostics, sm.input.benchmark_figure)
    main(sm.input.summary, sm.input.template, dict(sm.params.config), sm.output[0], sm.log[0],
         verdicts_path=sm.input.verdicts, check_paths=sm.input.checks, figures=figures, fits_path=sm.input.fits,
         calibration_paths={name: sm.input[name] for name in CALIBRATION_TABLES}, benchmark_paths=sm.input.benchmark,
         job_benchmark_paths=sm.input.job_benchmarks)
elif __name__ == "__main__":
    from zsneq.core import paths
    from zsneq.core.config import variant_names
    from zsneq.core.figures import study_figures
    from zsneq.workflow import load_config

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] + " (the study's paths under results/)")
    p.add_argument("--config", default=paths.CONFIG)
    p.add_argument("--template", default=str(TEMPLATE))
    p.add_argument("--out", default=paths.REPORT)
    a = p.parse_args()
    config = load_config(a.config)
    scenarios, variants = list(config["scenarios"]), variant_names(config)
    diagnostic_keys = [(s, v, k) for s in scenarios for v in variants for k in paths.DIAGNOSTIC_KINDS]
    listed = study_figures(config)
    figures = figures_from([(name, s) for name, s, _ in listed], [path for _, _, path in listed],
                           {f.name: Path(paths.caption(f.name)).read_text() for f in FIGURES}, diagnostic_keys,
                           [paths.diagnostic(s, v, 0, k) for s, v, k in diagnostic_keys],
                           [paths.BENCHMARK_FIGURE] if paths.benchmark_tables() else [])
    main(paths.SUMMARY, a.template, config, a.out, verdicts_path=paths.VARIANT_VERDICTS,
         check_paths=[paths.check(s, v) for s in scenarios for v in variants], figures=figures,
         fits_path=paths.FIT_TABLE, calibration_paths={n: paths.calibration_table(n) for n in CALIBRATION_TABLES},
         benchmark_paths=paths.benchmark_tables())
