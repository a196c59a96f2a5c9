"""Simulate replicates of a scenario (or take its own data): per replicate a dataset Parquet, a truth Parquet and a truth JSON.

Under Snakemake (rules ``simulate``, ``simulate_batch``) or from the command line:
    python workflow/scripts/simulate.py --config config/config.yaml --scenario seed --rep 0 \
        --data results/data/seed/rep0.parquet --truth results/data/seed/rep0.truth.parquet
"""

import argparse
import sys
from pathlib import Path

_here = (Path(snakemake.scriptdir) if "snakemake" in globals() else Path(__file__).parent).resolve()  # noqa: F821
sys.path.insert(0, str(_here.parents[1] / "src"))

from zsneq.core.dataset import write_dataset  # noqa: E402
from zsneq.core.io import setup_logging  # noqa: E402
from zsneq.simulation.generator import simulate_scenario  # noqa: E402
from zsneq.simulation.user_data import is_user_scenario, user_frame  # noqa: E402
from zsneq.workflow import load_config  # noqa: E402


def main(scenario_name: str, scenario: dict, reps, data_outs, truth_outs, log=None) -> None:
    """Simulate replicates ``reps`` (each from its own seed, whatever the batch) to the given paths."""
    logger = setup_logging(log)
    if is_user_scenario(scenario):  # the user's data file or generator: one dataset, no known truth
        (data_out,), (truth_out,) = data_outs, truth_outs
        frame = user_frame(scenario)
        write_dataset(frame, None, data_out, truth_out, meta={"scenario": scenario_name, "rep": 0, **scenario,
                                                              "n_rows": len(frame), "truth": None})
        logger.info("%s: %d rows, %d groups of the user's own data (no known truth) -> %s", scenario_name,
                    len(frame), frame["group"].nunique(), data_out)
        return
    for rep, data_out, truth_out in zip(reps, data_outs, truth_outs, strict=True):
        frame, truth = simulate_scenario(scenario, rep)
        meta = {"scenario": scenario_name, "rep": rep, **scenario, "n_rows": len(frame)}
        if scenario.get("truth") == "prior":
            meta |= {"drawn_from_prior": truth.top_level()}
        write_dataset(frame, truth, data_out, truth_out, meta=meta)
        logger.info("%s rep %d: %d rows, %d groups, %d predictors -> %s",
                    scenario_name, rep, len(frame), scenario["groups"], len(truth.predictors), data_out)


if "snakemake" in globals():
    sm = globals()["snakemake"]
    main(sm.params.name, dict(sm.params.scenario), [int(r) for r in sm.params.reps],
         list(sm.output.data), list(sm.output.truth), sm.log[0])
elif __name__ == "__main__":
    from zsneq.core import paths
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", default=paths.CONFIG)
    p.add_argument("--scenario", required=True)
    p.add_argument("--rep", type=int, nargs="+", default=[0])
    p.add_argument("--data", required=True, nargs="+", help="one dataset path per replicate")
    p.add_argument("--truth", required=True, nargs="+", help="one truth path per replicate")
    a = p.parse_args()
    main(a.scenario, load_config(a.config)["scenarios"][a.scenario], a.rep, a.data, a.truth)
