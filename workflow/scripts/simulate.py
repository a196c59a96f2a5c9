"""Simulate one replicate of a scenario: dataset Parquet, truth Parquet and truth JSON.

Under Snakemake (rule ``simulate``) or from the command line:
    python workflow/scripts/simulate.py --config config/config.yaml --scenario seed --rep 0 \
        --data results/data/seed/rep0.parquet --truth results/data/seed/rep0.truth.parquet
"""

import argparse
import sys
from pathlib import Path

_here = Path(snakemake.scriptdir) if "snakemake" in globals() else Path(__file__).resolve().parent  # noqa: F821
sys.path.insert(0, str(_here.parents[1] / "src"))

from zsneq.data import simulate_scenario, write_dataset  # noqa: E402
from zsneq.io import setup_logging  # noqa: E402
from zsneq.workflow import load_config  # noqa: E402


def main(scenario_name: str, scenario: dict, rep: int, data_out, truth_out, log=None) -> None:
    logger = setup_logging(log)
    frame, truth = simulate_scenario(scenario, rep)
    meta = {"scenario": scenario_name, "rep": rep, **scenario, "n_rows": len(frame)}
    write_dataset(frame, truth, data_out, truth_out, meta=meta)
    logger.info("%s rep %d: %d rows, %d groups, %d predictors -> %s",
                scenario_name, rep, len(frame), scenario["groups"], len(scenario["beta"]), data_out)


if "snakemake" in globals():
    sm = globals()["snakemake"]
    main(sm.wildcards.scenario, dict(sm.params.scenario), int(sm.wildcards.rep),
         sm.output.data, sm.output.truth, sm.log[0])
elif __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", default="config/config.yaml")
    p.add_argument("--scenario", required=True)
    p.add_argument("--rep", type=int, default=0)
    p.add_argument("--data", required=True)
    p.add_argument("--truth", required=True)
    a = p.parse_args()
    main(a.scenario, load_config(a.config)["scenarios"][a.scenario], a.rep, a.data, a.truth)
