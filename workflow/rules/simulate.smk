# One dataset and its truth per replicate; scenarios with batch_size > 1 get one job per batch (below).
# Every replicate keeps its own seed, so batching never changes a dataset.
rule simulate:
    input:
        own=scenario_files,  # a scenario's own data or generator file
        code=code("core", "simulation"),
    output:
        data=[paths.dataset()],  # lists, like the batch rules: the script takes lists
        truth=[paths.truth()],
    log:
        paths.log("simulate", "{scenario}", paths.run_label(["{rep}"])),
    benchmark:
        paths.job_benchmark("simulate", "{scenario}", paths.run_label(["{rep}"]))
    wildcard_constraints:
        scenario=UNBATCHED,
    conda:
        "../../envs/zsneq.yaml"
    resources:
        **rule_resources("simulate"),
    params:
        name=lambda w: w.scenario,
        scenario=lambda w: canonical(config["scenarios"][w.scenario]),
        reps=lambda w: [int(w.rep)],
    script:
        "../scripts/simulate.py"


for _scenario, _reps in BATCHES:

    rule:
        name:
            batch_rule_name("simulate", _scenario, _reps)
        input:
            code=code("core", "simulation"),
        output:
            data=[paths.dataset(_scenario, r) for r in _reps],
            truth=[paths.truth(_scenario, r) for r in _reps],
        log:
            paths.log("simulate", _scenario, paths.run_label(_reps)),
        benchmark:
            paths.job_benchmark("simulate", _scenario, paths.run_label(_reps))
        conda:
            "../../envs/zsneq.yaml"
        resources:
            **rule_resources("simulate"),
        params:
            name=_scenario,
            scenario=canonical(config["scenarios"][_scenario]),
            reps=_reps,
        script:
            "../scripts/simulate.py"
