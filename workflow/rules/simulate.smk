rule simulate:
    input:
        code=script_code("simulate.py"),
    output:
        data=["results/data/{scenario}/rep{rep}.parquet"],  # a list, like the batch rules: scripts take lists
        truth=["results/data/{scenario}/rep{rep}.truth.parquet"],
    params:
        name=lambda w: w.scenario,
        scenario=lambda w: canonical(config["scenarios"][w.scenario]),
        reps=lambda w: [int(w.rep)],
    wildcard_constraints:
        scenario=UNBATCHED_SCENARIOS,
    resources:
        **rule_resources("simulate"),
    log:
        "logs/simulate/{scenario}/rep{rep}.log",
    conda:
        "../../envs/zsneq.yaml"
    script:
        "../scripts/simulate.py"


# Scenarios with batch_size > 1: one job per batch of consecutive replicates. Every replicate keeps
# its own seed, so batching never changes a dataset.
for _scenario, _reps in BATCHES:

    rule:
        name:
            batch_rule_name("simulate", _scenario, _reps)
        input:
            code=script_code("simulate.py"),
        output:
            data=[f"results/data/{_scenario}/rep{r}.parquet" for r in _reps],
            truth=[f"results/data/{_scenario}/rep{r}.truth.parquet" for r in _reps],
        params:
            name=_scenario,
            scenario=canonical(config["scenarios"][_scenario]),
            reps=_reps,
        resources:
            **rule_resources("simulate"),
        log:
            f"logs/simulate/{_scenario}/rep{_reps[0]}-{_reps[-1]}.log",
        conda:
            "../../envs/zsneq.yaml"
        script:
            "../scripts/simulate.py"
