rule fit:
    input:
        data=["results/data/{scenario}/rep{rep}.parquet"],  # a list, like the batch rules: scripts take lists
        code=variant_sources,
    output:
        "results/fits/{scenario}/{variant}/rep{rep}.nc",
    params:
        sampler=canonical(config["sampler"]),
        scenario=lambda w: w.scenario,
        reps=lambda w: [int(w.rep)],
    wildcard_constraints:
        scenario=UNBATCHED_SCENARIOS,
    threads: config["sampler"]["chains"]
    resources:
        **rule_resources("fit", cpus_per_task=lambda wildcards, threads: threads),  # one CPU per chain
    log:
        "logs/fit/{scenario}/{variant}/rep{rep}.log",
    conda:
        "../../envs/zsneq.yaml"
    script:
        "../scripts/fit.py"


# Scenarios with batch_size > 1: one job per variant and batch of replicates. The model is compiled
# once per job and every later replicate's data are swapped into it; draws are bitwise those of
# separate jobs, and the sampler seed is the same either way.
for _scenario, _reps in BATCHES:

    rule:
        name:
            batch_rule_name("fit", _scenario, _reps)
        input:
            data=[f"results/data/{_scenario}/rep{r}.parquet" for r in _reps],
            code=variant_sources,
        output:
            [f"results/fits/{_scenario}/{{variant}}/rep{r}.nc" for r in _reps],
        params:
            sampler=canonical(config["sampler"]),
            scenario=_scenario,
            reps=_reps,
        threads: config["sampler"]["chains"]
        resources:
            **rule_resources("fit", cpus_per_task=lambda wildcards, threads: threads),
        log:
            f"logs/fit/{_scenario}/{{variant}}/rep{_reps[0]}-{_reps[-1]}.log",
        conda:
            "../../envs/zsneq.yaml"
        script:
            "../scripts/fit.py"
