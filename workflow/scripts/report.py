"""Render the self-contained HTML report from the summary table and figures.

Under Snakemake (rule ``report``) or from the command line:
    python workflow/scripts/report.py --config config/config.yaml \
        --summary results/summary/summary.parquet --out results/report/index.html
"""

import argparse
import json
import sys
from pathlib import Path

_here = (Path(snakemake.scriptdir) if "snakemake" in globals() else Path(__file__).parent).resolve()  # noqa: F821
sys.path.insert(0, str(_here.parents[1] / "src"))

from zsneq.analysis.benchmark import read_tables  # noqa: E402
from zsneq.core.io import setup_logging  # noqa: E402
from zsneq.presentation.report import render, write_report  # noqa: E402

TEMPLATE = _here.parent / "report" / "index.html.j2"


CALIBRATION_TABLES = ("coverage", "sbc", "sbc_variants", "batching")


def main(summary_path, template, config: dict, out, log=None, verdicts_path=None, check_paths=(),
         figures_root="results/figures", fits_path=None, calibration_paths=None,
         calibration_root="results/calibration", benchmark_paths=()) -> None:
    """``calibration_paths``: a path for each of ``CALIBRATION_TABLES`` (results/calibration/*.parquet).
    ``benchmark_paths``: the benchmark tables that exist (results/benchmark/fits.csv, scaling.csv); none: no
    benchmark section."""
    import pandas as pd

    logger = setup_logging(log)
    verdicts = pd.read_parquet(verdicts_path) if verdicts_path else None
    checks = [json.loads(Path(p).read_text()) for p in check_paths]
    fits = pd.read_parquet(fits_path) if fits_path else None  # status and error of every fit
    calibration = ({name: pd.read_parquet(calibration_paths[name]) for name in CALIBRATION_TABLES}
                   if calibration_paths else None)
    html = render(pd.read_parquet(summary_path), Path(template), config, verdicts=verdicts, checks=checks,
                  figures_root=Path(figures_root), fits=fits, calibration=calibration,
                  calibration_root=Path(calibration_root), benchmark=read_tables(benchmark_paths))
    write_report(html, out)
    logger.info("wrote %s", out)


if "snakemake" in globals():
    sm = globals()["snakemake"]
    main(sm.input.summary, sm.input.template, dict(sm.params.config), sm.output[0], sm.log[0],
         verdicts_path=sm.input.verdicts, check_paths=sm.input.checks, fits_path=sm.input.fits,
         calibration_paths={name: sm.input[name] for name in CALIBRATION_TABLES}, benchmark_paths=sm.input.benchmark)
elif __name__ == "__main__":
    from zsneq.core.paths import benchmark_table_paths
    from zsneq.workflow import load_config

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", default="config/config.yaml")
    p.add_argument("--summary", required=True)
    p.add_argument("--figures", default="results/figures")
    p.add_argument("--template", default=str(TEMPLATE))
    p.add_argument("--verdicts", default=None, help="variant_verdicts.parquet")
    p.add_argument("--fits", default=None, help="fits.parquet (lists failed fits)")
    p.add_argument("--calibration", default=None,
                   help="directory with coverage/sbc/sbc_variants/batching.parquet and the calibration figures")
    p.add_argument("--benchmark", default=None,
                   help="directory with the likelihood benchmark's fits.csv (and scaling.csv), e.g. results/benchmark; "
                        "its figure is benchmark.svg under --figures")
    p.add_argument("--out", required=True)
    p.add_argument("checks", nargs="*", help="results/checks/*/*.json")
    a = p.parse_args()
    main(a.summary, a.template, load_config(a.config), a.out, verdicts_path=a.verdicts, check_paths=a.checks,
         figures_root=a.figures, fits_path=a.fits,
         calibration_paths={n: Path(a.calibration) / f"{n}.parquet" for n in CALIBRATION_TABLES} if a.calibration else None,
         calibration_root=a.calibration or "results/calibration",
         benchmark_paths=benchmark_table_paths(Path(a.benchmark)) if a.benchmark else ())
