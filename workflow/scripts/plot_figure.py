"""Draw one of a scenario's report figures (an entry of ``zsneq.core.figures.FIGURES``) from the study's tables.

Under Snakemake (rules ``plot_<figure>``) or from the command line:
    python workflow/scripts/plot_figure.py --figure forest --scenario seed
(by hand it reads the tables and writes the figure at their places under results/, ``zsneq.core.paths``)
"""

import argparse
import importlib
import sys
from pathlib import Path

_here = (Path(snakemake.scriptdir) if "snakemake" in globals() else Path(__file__).parent).resolve()  # noqa: F821
sys.path.insert(0, str(_here.parents[1] / "src"))

from zsneq.core.figures import BY_NAME  # noqa: E402
from zsneq.core.io import setup_logging  # noqa: E402


def main(name: str, scenario: str, table_paths: dict, out, settings: dict, log=None) -> None:
    """``table_paths``: a path for each table the figure reads; ``settings``: e.g. the calibration's alpha."""
    import pandas as pd

    from zsneq.presentation.plots import save_figure

    logger = setup_logging(log)
    figure = BY_NAME[name]
    module, function = figure.plot.split(":")
    plot = getattr(importlib.import_module(f"zsneq.presentation.{module}"), function)
    tables = {table: pd.read_parquet(table_paths[table]) for table in figure.tables}
    save_figure(plot(tables, scenario, settings), out)
    logger.info("wrote %s", out)


if "snakemake" in globals():
    sm = globals()["snakemake"]
    figure = BY_NAME[sm.params.figure]
    main(figure.name, sm.wildcards.scenario, {t: sm.input[t] for t in figure.tables}, sm.output[0],
         dict(sm.params.settings), sm.log[0])
elif __name__ == "__main__":
    from zsneq.core import paths
    from zsneq.core.figures import TABLES
    from zsneq.workflow import load_config

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--figure", choices=sorted(BY_NAME), required=True)
    p.add_argument("--scenario", required=True)
    p.add_argument("--config", default=paths.CONFIG)
    a = p.parse_args()
    config = load_config(a.config)
    main(a.figure, a.scenario, TABLES, paths.figure(a.scenario, a.figure), {"alpha": config["calibration"]["alpha"]})
