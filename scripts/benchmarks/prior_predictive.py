"""Benchmark the prior-predictive equivalence test: seconds per pair, and how small a prior change it sees.

Not a test. On one design (default: the ``seed`` scenario of config/config.yaml, 1000 groups x 200 rows):

1. every row-wise built-in variant (and the config's variants) against the reference: status, p-value,
   the statistic that separates most, wall and CPU seconds per pair (Bonferroni over the pairs);
2. power on a near-miss family: ``vectorized_fixed`` with tau ~ Gamma(mu=10 c, sigma=5 c) against the
   reference, ``--reps`` independent repetitions per factor c (c = 1 measures the false-alarm rate);
   the smallest c flagged in at least 95% of repetitions. One reference sample per repetition is
   shared by all factors of that repetition (each test stays exact);
3. beside it, what the README reports for posterior comparison and SBC (static text, not re-run).

    python scripts/benchmarks/prior_predictive.py [--scenario seed] [--reps 10] [--draws 200] [--factors 1 1.1 1.2 1.5 2]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pymc as pm
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from zsneq.analysis.prior_predictive import (  # noqa: E402
    DRAWS,
    builder_frame,
    compare_prior_predictive,
    design_of,
    draw_statistics,
    max_ks_test,
    named_parameters,
    variant_builder,
)
from zsneq.core.dataset import RegressionData  # noqa: E402
from zsneq.models.variants._common import PREDICTOR, TAU_MU, TAU_SIGMA  # noqa: E402
from zsneq.models.variants._vectorized import build_vectorized  # noqa: E402
from zsneq.models.variants.vectorized_fixed import noncentered  # noqa: E402
from zsneq.simulation.generator import replicate_rng, simulate  # noqa: E402

REFERENCE = "nonvectorized"
ROWWISE = ["vectorized_as_posted", "vectorized_fixed", "vectorized_fixed+centered", "vectorized_dims",
           "vectorized_shared_tau"]
KNOWN = """\
Posterior comparison and SBC, as reported in README.md (not re-run here):
  posterior comparison, seed design: the thread's three row-wise fits take about 5 of the default
    study's 7 minutes (2 idle cores); the thread told the as-posted model apart by its posterior of
    tau[x3] (3.2 against 7.7).
  SBC, config/calibration.yaml: 600 fits (200 prior replicates of 20 groups x 250 rows, 2 variants)
    in 6.6 minutes on 2 idle cores; fails vectorized_as_posted+sufficient on tau and sigma. A tau
    prior mean doubled (tests/wrong_tau_prior.py, factor 2) fails SBC on tau; the smallest tau-prior
    factor SBC detects at 95% power has not been measured."""


def seed_frame(scenario: str):
    """The scenario's replicate-0 dataset, simulated as the workflow does."""
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())["scenarios"][scenario]
    frame, _ = simulate(config["groups"], config["rows_per_group"], config["beta"], config["tau"], config["sigma"],
                        replicate_rng(config["seed"], 0))
    return frame


def scaled_tau_builder(factor: float):
    """``vectorized_fixed`` with tau ~ Gamma(mu=10 factor, sigma=5 factor): the near-miss family."""
    def tau():
        return pm.Gamma("tau", mu=TAU_MU * factor, sigma=TAU_SIGMA * factor, dims=PREDICTOR)
    return lambda frame: build_vectorized(RegressionData.from_frame(frame), noncentered, tau=tau)


def pairs_table(frame, variants: list[str], draws: int) -> None:
    print(f"Part 1: each variant vs {REFERENCE}, {draws} prior draws each, Bonferroni over {len(variants)} pairs")
    print("| variant | status | p | threshold | separates most | wall s | CPU s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for variant in variants:
        wall, cpu = time.perf_counter(), time.process_time()
        result = compare_prior_predictive(variant_builder(variant), variant_builder(REFERENCE), frame, draws=draws,
                                          n_comparisons=len(variants))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        p = "" if result["p_value"] is None else f"{result['p_value']:.3g}"
        print(f"| {variant} | {result['status']} | {p} | {result['threshold']:.3g} | "
              f"{result.get('statistic', result.get('reason', ''))} | {wall:.1f} | {cpu:.1f} |", flush=True)
        print(f"|   | {result['sentence'][:300]} | | | | | |", flush=True)


def power_table(frame, factors: list[float], reps: int, draws: int) -> None:
    print(f"\nPart 2: tau ~ Gamma(mu=10c, sigma=5c) vs the reference's c = 1; {reps} repetitions x {draws} draws; "
          "flagged at p <= 0.05")
    design = design_of(builder_frame(frame))
    reference = variant_builder(REFERENCE)(builder_frame(frame))
    names = named_parameters(reference, design.predictors)
    flagged = {c: 0 for c in factors}
    seconds = []
    for rep in range(reps):
        t0 = time.perf_counter()
        seeds = np.random.SeedSequence([7, rep]).generate_state(2 * len(factors) + 1)
        ref_table = draw_statistics(reference, design, sorted(names), draws, int(seeds[-1]))
        for i, c in enumerate(factors):
            model = scaled_tau_builder(c)(builder_frame(frame))
            shared = sorted(set(names) & set(named_parameters(model, design.predictors)))
            table = draw_statistics(model, design, shared, draws, int(seeds[2 * i]))
            flagged[c] += max_ks_test(table, ref_table[table.columns], seed=int(seeds[2 * i + 1]))["p_value"] <= 0.05
        seconds.append(time.perf_counter() - t0)
        print(f"  repetition {rep + 1}/{reps}: {seconds[-1]:.1f} s", flush=True)
    print("| factor c | flagged | rate |")
    print("| --- | --- | --- |")
    for c in factors:
        print(f"| {c:g} | {flagged[c]}/{reps} | {flagged[c] / reps:.2f} |")
    powered = [c for c in factors if c != 1 and flagged[c] / reps >= 0.95]
    smallest = f"{min(powered):g}" if powered else f"none up to {max(factors):g}"
    print(f"Smallest tau-prior scale factor flagged in >= 95% of {reps} repetitions: {smallest} "
          f"(rate at c = 1, the false-alarm rate: {flagged.get(1.0, 0) / reps:.2f}; "
          f"{np.mean(seconds) / (len(factors) + 1):.1f} s per model per repetition)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenario", default="seed")
    p.add_argument("--draws", type=int, default=DRAWS)
    p.add_argument("--reps", type=int, default=10)
    p.add_argument("--factors", type=float, nargs="+", default=[1.0, 1.1, 1.2, 1.3, 1.5, 2.0])
    p.add_argument("--no-power", action="store_true")
    a = p.parse_args()
    frame = seed_frame(a.scenario)
    print(f"Design: scenario {a.scenario}, {frame['group'].nunique()} groups x {len(frame)} rows\n")
    pairs_table(frame, ROWWISE + ["vectorized_fixed+sufficient", "vectorized_fixed+marginal"], a.draws)
    if not a.no_power:
        power_table(frame, a.factors, a.reps, a.draws)
    print("\nPrior predictive (this benchmark) vs posterior methods, side by side:")
    print(KNOWN)


if __name__ == "__main__":
    main()
