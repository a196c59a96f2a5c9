"""Benchmark the prior-predictive equivalence test beside the posterior comparison and SBC on one prior change.

Seconds per pair, and how small a change of tau's prior each of the three methods sees.

Not a test. On one design (default: the ``seed`` scenario of config/config.yaml, 1000 groups x 200 rows;
``--groups``/``--rows`` simulate the scenario on a smaller design):

1. every row-wise built-in variant (and the config's variants) against the reference: status, p-value,
   the statistic that separates most, wall and CPU seconds per pair (Bonferroni over the pairs); then
   the plain-PyMC user files of ``tests/data/thread_models`` (the thread's priors) against the thread's
   model as a user writes it, flagged at the workflow's threshold;
2. power at the threshold the workflow flags at, ``alpha / n_comparisons`` with ``n_comparisons`` the
   config's compared variants (``--n-comparisons`` overrides it), with the workflow's draws and
   permutations for the design (``draws_for``, ``permutations_for``): the share of ``--reps``
   independent repetitions flagged, for a near-miss family (``vectorized_fixed`` with tau ~
   Gamma(mu=10 c, sigma=5 c); c = 1 measures the false-alarm rate) and for the known alternatives of
   ``zsneq.analysis.prior_predictive.alternatives``, beside the cheap estimate the workflow prints
   (``estimate_power``, from one pool per model); the smallest c flagged in at least 95% of
   repetitions. One reference sample per repetition is shared by all models of that repetition (each
   test stays exact);
3. the same family, measured by the two methods that need sampling:

   a. posterior comparison (``--skip-posterior`` leaves it out): the reference's model with the group
      slopes integrated out exactly (``vectorized_fixed+marginal``) and each family member with the same
      likelihood, fitted to the design's dataset with the study's sampler settings (config/config.yaml;
      ``--posterior-draws``/``--posterior-tune`` override them), summarized (``summarize_fit``) and judged
      (``parameter_verdicts``, ``variant_verdicts``, margin ``verdicts.margin``) as the workflow does:
      per c the verdict over beta, tau and sigma and the largest |delta mean| in reference sds. The
      family is sampled with another seed than the reference, so c = 1 shows Monte Carlo noise alone;
   b. SBC (``--skip-sbc``): ``--sbc-reps`` datasets of ``--sbc-groups`` x ``--sbc-rows`` (the design's
      predictors) with truths drawn from the reference's prior (``zsneq.simulation.prior``), the same
      datasets for every c; each family member (marginal likelihood) is compiled once and fitted to each
      dataset with its data swapped in, with the calibration study's sampler and rank settings
      (config/calibration.yaml); ranks (``fit_rows``) and the project's rule (``sbc_table``,
      ``sbc_variants``: a parameter fails when its ECDF p-value is at most alpha / K) say per c whether
      SBC fails the member, and on which parameters;

then one table, factor c | prior-predictive flagged rate | posterior verdict | SBC verdict, and the
smallest c each method detects (prior predictive: flagged in >= 95% of repetitions; posterior
comparison: disagrees; SBC: fails).

    python scripts/benchmarks/prior_predictive.py [--scenario seed] [--groups 300 --rows 40] [--reps 10] \\
        [--draws N] [--factors 1 1.1 1.2 1.3 1.5 2] [--sbc-reps 1000] [--sbc-groups 20] [--sbc-rows 10]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from zsneq.analysis.calibration import sbc_table, sbc_variants  # noqa: E402
from zsneq.analysis.replicates import fit_rows  # noqa: E402
from zsneq.analysis.prior_predictive import (  # noqa: E402
    ALPHA,
    alternatives,
    builder_frame,
    compare_prior_predictive,
    compare_variants,
    design_of,
    draw_statistics,
    draws_for,
    estimate_power,
    max_ks_test,
    named_parameters,
    permutations_for,
    variant_builder,
)
from zsneq.analysis.checks import logp_equivalence  # noqa: E402
from zsneq.core.userfile import load_function  # noqa: E402
from zsneq.analysis.summarize import combine, summarize_fit  # noqa: E402
from zsneq.analysis.verdicts import MARGIN, parameter_verdicts, variant_verdicts  # noqa: E402
from zsneq.core.dataset import RegressionData  # noqa: E402
from zsneq.models.compilation import compile_model, model_graphs, shared_names, swappable_data  # noqa: E402
from zsneq.models.fit_file import KEEP_GROUPS  # noqa: E402
from zsneq.models.variants import get_variant  # noqa: E402
from zsneq.models.variants._common import PREDICTOR, TAU_MU, TAU_SIGMA  # noqa: E402
from zsneq.models.variants._vectorized import build_vectorized  # noqa: E402
from zsneq.models.variants.vectorized_fixed import noncentered  # noqa: E402
from zsneq.simulation.generator import replicate_rng, simulate  # noqa: E402
from zsneq.simulation.prior import simulate_from_prior  # noqa: E402

REFERENCE = "nonvectorized"
ROWWISE = ["vectorized_as_posted", "vectorized_fixed", "vectorized_fixed+centered", "vectorized_dims",
           "vectorized_shared_tau"]
FAST = "vectorized_fixed+marginal"  # the reference's model with the group slopes integrated out exactly
SBC_SCENARIO = "sbc"  # config/calibration.yaml's scenario whose truths are drawn from the prior
THREAD_MODELS = ROOT / "tests" / "data" / "thread_models"  # plain-PyMC user files with the thread's priors
USER_FILES = ["transposed", "shared_tau", "no_zero_sum"]  # the same model, then two different ones


def read_yaml(name: str) -> dict:
    return yaml.safe_load((ROOT / "config" / name).read_text())


def seed_frame(scenario: str, groups: int | None = None, rows: int | None = None):
    """The scenario's replicate-0 dataset and its truth, simulated as the workflow does (on ``groups`` x
    ``rows`` instead of the scenario's design when given)."""
    config = read_yaml("config.yaml")["scenarios"][scenario]
    return simulate(groups or config["groups"], rows or config["rows_per_group"], config["beta"], config["tau"],
                    config["sigma"], replicate_rng(config["seed"], 0))


def factor_label(factor: float) -> str:
    return f"tau x{factor:g}"


def scaled_tau(factor: float):
    """tau ~ Gamma(mu=10 factor, sigma=5 factor) over ``predictor``: the near-miss family's prior."""
    def tau():
        return pm.Gamma("tau", mu=TAU_MU * factor, sigma=TAU_SIGMA * factor, dims=PREDICTOR)
    return tau


def scaled_tau_model(data: RegressionData, factor: float, likelihood: str = "rowwise") -> pm.Model:
    """``vectorized_fixed`` with tau's prior scaled by ``factor`` (``+marginal`` for ``likelihood="marginal"``)."""
    return build_vectorized(data, noncentered, likelihood, tau=scaled_tau(factor))


def scaled_tau_builder(factor: float):
    """The row-wise family member as a builder ``frame -> pm.Model`` (what the prior-predictive test draws)."""
    return lambda frame: scaled_tau_model(RegressionData.from_frame(frame), factor)


def pairs_table(frame, variants: list[str], draws: int | None, n_comparisons: int) -> None:
    threshold = ALPHA / n_comparisons
    data = RegressionData.from_frame(frame)
    print(f"Part 1: each variant vs {REFERENCE}, {draws or draws_for(len(frame))} prior draws each, "
          f"flagged at p <= {ALPHA:g} / {n_comparisons} ({permutations_for(ALPHA, n_comparisons)} permutations)")
    print("| variant | status | p | threshold | separates most | wall s | CPU s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for variant in variants:
        wall, cpu = time.perf_counter(), time.process_time()
        logp = logp_equivalence(variant, REFERENCE, data) if "+" in variant else None  # what check_variant writes
        result = compare_variants(variant, REFERENCE, frame, logp=logp, draws=draws, n_comparisons=n_comparisons)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        p = "" if result["p_value"] is None else f"{result['p_value']:.3g}"
        print(f"| {variant} | {result['status']} | {p} | {result['threshold']:.3g} | "
              f"{result.get('statistic', result.get('reason', ''))} | {wall:.1f} | {cpu:.1f} |", flush=True)
        print(f"|   | {result['sentence'][:300]} | | | | | |", flush=True)
    print(f"\nUser files ({THREAD_MODELS.relative_to(ROOT)}) vs its reference.py, flagged at p <= {threshold:.3g}")
    print("| user file | status | p | threshold | separates most | wall s | CPU s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    reference = load_function(THREAD_MODELS / "reference.py", "build_model")
    for name in USER_FILES:
        wall, cpu = time.perf_counter(), time.process_time()
        result = compare_prior_predictive(load_function(THREAD_MODELS / f"{name}.py", "build_model"), reference,
                                          frame, draws=draws, n_comparisons=n_comparisons)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"| {name} | {result['status']} | {result['p_value']:.3g} | {result['threshold']:.3g} | "
              f"{result['statistic']} | {wall:.1f} | {cpu:.1f} |", flush=True)


def power_table(frame, factors: list[float], reps: int, draws: int | None, n_comparisons: int
                ) -> dict[float, float]:
    """Part 2; returns the share of repetitions flagged per factor."""
    draws = draws or draws_for(len(frame))
    threshold, permutations = ALPHA / n_comparisons, permutations_for(ALPHA, n_comparisons)
    print(f"\nPart 2: power at the workflow's threshold, p <= {ALPHA:g} / {n_comparisons} = {threshold:.3g} "
          f"({permutations} permutations), {reps} repetitions x {draws} draws per model")
    t0 = time.perf_counter()
    estimated = estimate_power(REFERENCE, frame, draws=draws, n_comparisons=n_comparisons)
    print(f"  cheap estimate (estimate_power): {time.perf_counter() - t0:.1f} s; {estimated['power_note']}", flush=True)
    design = design_of(builder_frame(frame))
    reference = variant_builder(REFERENCE)(builder_frame(frame))
    names = named_parameters(reference, design.predictors)
    models = {factor_label(c): scaled_tau_builder(c) for c in factors} | alternatives()
    flagged = {label: 0 for label in models}
    seconds = []
    for rep in range(reps):
        t0 = time.perf_counter()
        seeds = np.random.SeedSequence([7, rep]).generate_state(2 * len(models) + 1)
        ref_table = draw_statistics(reference, design, sorted(names), draws, int(seeds[-1]))
        for i, (label, build) in enumerate(models.items()):
            model = build(builder_frame(frame))
            shared = sorted(set(names) & set(named_parameters(model, design.predictors)))
            table = draw_statistics(model, design, shared, draws, int(seeds[2 * i]))
            columns = [c for c in table.columns if c in ref_table.columns]
            test = max_ks_test(table[columns], ref_table[columns], permutations, seed=int(seeds[2 * i + 1]))
            flagged[label] += test["p_value"] <= threshold
        seconds.append(time.perf_counter() - t0)
        print(f"  repetition {rep + 1}/{reps}: {seconds[-1]:.1f} s", flush=True)
    print("| model vs the reference | flagged | rate | cheap estimate |")
    print("| --- | --- | --- | --- |")
    for label in models:
        estimate = estimated["power"].get(label)
        print(f"| {label} | {flagged[label]}/{reps} | {flagged[label] / reps:.2f} | "
              f"{'' if estimate is None else f'{estimate:.2f}'} |")
    rates = {c: flagged[factor_label(c)] / reps for c in factors}
    print(f"Smallest tau-prior scale factor flagged in >= 95% of {reps} repetitions: "
          f"{smallest(factors, lambda c: rates[c] >= 0.95)} "
          f"(rate at c = 1, the false-alarm rate: {rates.get(1.0, 0):.2f}; "
          f"{np.mean(seconds) / (len(models) + 1):.1f} s per model per repetition)")
    return rates


def smallest(factors: list[float], detected) -> str:
    """The smallest factor other than 1 for which ``detected(c)`` holds, as text."""
    hits = [c for c in factors if c != 1 and detected(c)]
    return f"{min(hits):g}" if hits else f"none up to {max(factors):g}"


# --- sampling: one compiled model, a fit as the summaries read it ----------------------------------


def sample_tree(compiled, sampler: dict, predictors: list[str], *, seed: int, **attrs) -> xr.DataTree:
    """Sample ``compiled`` with nutpie and return a fit tree as ``summarize_fit``/``fit_rows`` read it.

    The ``variant`` attribute is ``FAST``, whose layout (``beta``, ``tau`` over ``predictor``, ``sigma``)
    every model sampled here shares, so the summaries find beta, tau and sigma; callers relabel the rows.
    """
    import nutpie

    t0 = time.perf_counter()
    trace = nutpie.sample(compiled, chains=sampler["chains"], tune=sampler["tune"], draws=sampler["draws"],
                          seed=seed, cores=sampler["chains"], save_warmup=False, progress_bar=False)
    tree = xr.DataTree.from_dict({name: trace[name].to_dataset() for name in KEEP_GROUPS})
    tree.attrs = {"variant": FAST, "predictors": json.dumps(predictors), "sampling_seconds": time.perf_counter() - t0,
                  **attrs}
    return tree


def compiled_once(model: pm.Model, first: tuple | None) -> tuple[object, tuple, bool]:
    """``(compiled model, first, swapped)``: ``first`` (``(model, graphs, compiled)`` of the first dataset)
    with ``model``'s data swapped in when ``model`` is that model with other data (as ``ModelCache`` does
    for registered variants), else ``model`` compiled, which becomes ``first``."""
    if first is not None:
        old, graphs, compiled = first
        values, names = swappable_data(old, model, graphs), shared_names(compiled)
        if values is not None and set(names) <= set(values):
            return compiled.with_data(**{k: values[k] for k in names}), first, True
    compiled = compile_model(model)
    return compiled, (model, model_graphs(model), compiled), False


# --- part 3a: posterior comparison ------------------------------------------------------------------


def posterior_summary(model: pm.Model, data: RegressionData, truth, sampler: dict, seed: int, label: str
                      ) -> pd.DataFrame:
    """``summarize_fit`` rows of ``model`` fitted to ``data``, labelled ``label``."""
    t0 = time.perf_counter()
    compiled = compile_model(model)
    tree = sample_tree(compiled, sampler, data.predictors, seed=seed, compile_seconds=time.perf_counter() - t0)
    return summarize_fit(tree, truth).assign(variant=label)


def posterior_table(frame, truth, factors: list[float], sampler: dict, margin: float) -> dict[float, dict]:
    """Part 3a; returns per factor the variant verdict, the largest |delta mean| / reference sd and its parameter."""
    data = RegressionData.from_frame(frame)
    print(f"\nPart 3a: posterior comparison on the design's dataset, {FAST} (the reference's model) vs each c "
          f"with the same likelihood; {sampler['chains']} chains x ({sampler['tune']} + {sampler['draws']}) draws; "
          f"margin {margin:g} reference sd")
    t0 = time.perf_counter()
    frames = [posterior_summary(get_variant(FAST).build_model(data), data, truth, sampler, sampler["seed"], FAST)]
    print(f"  reference fitted in {time.perf_counter() - t0:.1f} s", flush=True)
    for c in factors:
        t0 = time.perf_counter()
        frames.append(posterior_summary(scaled_tau_model(data, c, "marginal"), data, truth, sampler,
                                        sampler["seed"] + 1, factor_label(c)))
        print(f"  c = {c:g} fitted in {time.perf_counter() - t0:.1f} s", flush=True)
    params = parameter_verdicts(combine(frames), FAST, margin)
    verdicts = variant_verdicts(params).set_index("variant")
    out = {}
    print("| factor c | verdict | largest Δmean / ref sd | at | disagrees on | sampler trouble |")
    print("| --- | --- | --- | --- | --- | --- |")
    for c in factors:
        rows = params[params["variant"] == factor_label(c)]
        worst = rows.loc[rows["effect_sd"].idxmax()]
        disagree = ", ".join(rows.loc[rows["verdict"] == "disagrees", "parameter"])
        out[c] = {"verdict": verdicts.loc[factor_label(c), "posterior_verdict"], "effect_sd": float(worst["effect_sd"]),
                  "parameter": worst["parameter"]}
        print(f"| {c:g} | {out[c]['verdict']} | {out[c]['effect_sd']:.2f} | {out[c]['parameter']} | "
              f"{disagree or '-'} | {verdicts.loc[factor_label(c), 'trouble'] or '-'} |", flush=True)
    return out


# --- part 3b: simulation-based calibration ----------------------------------------------------------


def prior_datasets(reps: int, groups: int, rows: int, predictors: int, seed: int) -> list[tuple]:
    """``(data, truth)`` of ``reps`` datasets whose truths are drawn from the reference's prior."""
    out = []
    for rep in range(reps):
        frame, truth = simulate_from_prior(groups, rows, predictors, replicate_rng(seed, rep))
        out.append((RegressionData.from_frame(frame), truth))
    return out


def sbc_replicates(factor: float, datasets: list[tuple], sampler: dict, settings: dict) -> pd.DataFrame:
    """``fit_rows`` (rank of the truth among ``rank_draws`` thinned draws, ESS, divergences) of the family
    member ``factor`` fitted to every dataset: compiled once, the other datasets swapped in."""
    frames, first = [], None
    for rep, (data, truth) in enumerate(datasets):
        t0 = time.perf_counter()
        compiled, first, swapped = compiled_once(scaled_tau_model(data, factor, "marginal"), first)
        tree = sample_tree(compiled, sampler, data.predictors, seed=sampler["seed"], scenario=SBC_SCENARIO, rep=rep,
                           compile_seconds=time.perf_counter() - t0, compile_reused=int(swapped))
        frames.append(fit_rows(tree, truth, settings["levels"], settings["rank_draws"]))
    return pd.concat(frames, ignore_index=True).assign(variant=factor_label(factor))


def sbc_verdict(replicates: pd.DataFrame, alpha: float) -> dict:
    """The project's SBC rule on one family member's replicates: passes (None: no verdict), failing
    parameters, the smallest ECDF p-value, replicates with divergences or low ESS."""
    table = sbc_table(replicates, [SBC_SCENARIO], alpha)
    row = sbc_variants(table).iloc[0]
    return {"passes": None if pd.isna(row["passes"]) else bool(row["passes"]), "failing": row["failing"],
            "min_p": float(row["min_p_ecdf"]), "n": int(row["n"]), "divergent": int(table["divergent"].max()),
            "low_ess": int(table["low_ess"].max()), "threshold": alpha / len(table)}


def sbc_text(result: dict) -> str:
    if result["passes"] is None:
        return f"no verdict ({result['n']} fits)"
    return "passes" if result["passes"] else f"fails on {result['failing']}"


def sbc_part(factors: list[float], datasets: list[tuple], sampler: dict, settings: dict) -> dict[float, dict]:
    """Part 3b; returns per factor the SBC verdict of the family member."""
    data = datasets[0][0]
    print(f"\nPart 3b: SBC, {len(datasets)} datasets of {data.n_groups} groups x {len(data.y) // data.n_groups} rows "
          f"x {data.n_predictors} predictors, truths from the reference's prior; each c fitted with the marginal "
          f"likelihood ({sampler['chains']} chains x ({sampler['tune']} + {sampler['draws']}) draws, ranks among "
          f"{settings['rank_draws']} thinned draws); fails when p_ecdf <= alpha / K, alpha {settings['alpha']:g}")
    out = {}
    for c in factors:
        t0 = time.perf_counter()
        out[c] = sbc_verdict(sbc_replicates(c, datasets, sampler, settings), settings["alpha"])
        print(f"  c = {c:g}: {sbc_text(out[c])} (smallest p_ecdf {out[c]['min_p']:.3g}, threshold "
              f"{out[c]['threshold']:.3g}; {out[c]['divergent']} fits with divergences, {out[c]['low_ess']} with "
              f"ESS below the rank draws); {len(datasets)} fits in {time.perf_counter() - t0:.1f} s", flush=True)
    return out


def posterior_text(result: dict) -> str:
    return f"{result['verdict']} (Δmean up to {result['effect_sd']:.2f} sd, at {result['parameter']})"


# --- side by side -----------------------------------------------------------------------------------


def side_by_side(factors: list[float], rates: dict | None, posterior: dict | None, sbc: dict | None,
                 reps: int) -> None:
    print("\nSide by side: tau ~ Gamma(mu=10c, sigma=5c) against the reference")
    print("| factor c | prior predictive flagged rate | posterior comparison verdict | SBC verdict |")
    print("| --- | --- | --- | --- |")
    for c in factors:
        pp = "not run" if rates is None else f"{rates[c]:.2f}"
        post = "not run" if posterior is None else posterior_text(posterior[c])
        calib = "not run" if sbc is None else sbc_text(sbc[c])
        print(f"| {c:g} | {pp} | {post} | {calib} |")
    found = {
        f"prior predictive (flagged in >= 95% of {reps} repetitions)":
            None if rates is None else smallest(factors, lambda c: rates[c] >= 0.95),
        "posterior comparison (disagrees)":
            None if posterior is None else smallest(factors, lambda c: posterior[c]["verdict"] == "disagrees"),
        "SBC (fails)": None if sbc is None else smallest(factors, lambda c: sbc[c]["passes"] is False),
    }
    print("Smallest factor c detected: " + "; ".join(f"{k}: {v}" for k, v in found.items() if v is not None))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenario", default="seed")
    p.add_argument("--groups", type=int, default=None, help="simulate the scenario with this many groups")
    p.add_argument("--rows", type=int, default=None, help="... and this many rows per group")
    p.add_argument("--draws", type=int, default=None, help="prior draws per model (default: the workflow's, "
                   "from the design's rows)")
    p.add_argument("--n-comparisons", type=int, default=None, help="Bonferroni family (default: the config's "
                   "variants other than the reference)")
    p.add_argument("--reps", type=int, default=10)
    p.add_argument("--factors", type=float, nargs="+", default=[1.0, 1.1, 1.2, 1.3, 1.5, 2.0])
    p.add_argument("--no-power", action="store_true")
    p.add_argument("--skip-posterior", action="store_true")
    p.add_argument("--posterior-draws", type=int, default=None, help="default: config/config.yaml's sampler")
    p.add_argument("--posterior-tune", type=int, default=None, help="default: config/config.yaml's sampler")
    p.add_argument("--skip-sbc", action="store_true")
    p.add_argument("--sbc-reps", type=int, default=1000, help="datasets per factor (the same for every factor)")
    p.add_argument("--sbc-groups", type=int, default=20, help="SBC design: groups")
    p.add_argument("--sbc-rows", type=int, default=10, help="SBC design: rows per group")
    a = p.parse_args()
    frame, truth = seed_frame(a.scenario, a.groups, a.rows)
    groups = frame["group"].nunique()
    print(f"Design: scenario {a.scenario}, {groups} groups x {len(frame) // groups} rows\n")
    config = read_yaml("config.yaml")
    n_comparisons = a.n_comparisons or len([v for v in config["variants"] if v != config["reference_variant"]])
    pairs_table(frame, ROWWISE + ["vectorized_fixed+sufficient", "vectorized_fixed+marginal"], a.draws, n_comparisons)
    rates = None if a.no_power else power_table(frame, a.factors, a.reps, a.draws, n_comparisons)
    posterior = sbc = None
    if not a.skip_posterior:
        sampler = config["sampler"] | {k: v for k, v in (("draws", a.posterior_draws), ("tune", a.posterior_tune))
                                       if v is not None}
        posterior = posterior_table(frame, truth, a.factors, sampler, config.get("verdicts", {}).get("margin", MARGIN))
    if not a.skip_sbc:
        calibration = read_yaml("calibration.yaml")
        datasets = prior_datasets(a.sbc_reps, a.sbc_groups, a.sbc_rows, len(truth.predictors),
                                  calibration["scenarios"][SBC_SCENARIO]["seed"])
        sbc = sbc_part(a.factors, datasets, calibration["sampler"], calibration["calibration"])
    side_by_side(a.factors, rates, posterior, sbc, a.reps)


if __name__ == "__main__":
    main()
