# One NetCDF per (scenario, variant, replicate). Scenarios with batch_size > 1: one job per variant and
# batch of replicates, the model compiled once and each later replicate's data swapped in; draws are
# bitwise those of separate jobs.
rule fit:
    input:
        data=[paths.dataset()],  # a list, like the batch rules: the script takes lists
        code=fit_code,
    output:
        [paths.fit()],
    log:
        paths.log("fit", "{scenario}", "{variant}", paths.run_label(["{rep}"])),
    benchmark:
        paths.job_benchmark(
            "fit", "{scenario}", "{variant}", paths.run_label(["{rep}"])
        )
    wildcard_constraints:
        scenario=UNBATCHED,
    conda:
        "../../envs/zsneq.yaml"
    threads: fit_threads()
    resources:
        **rule_resources("fit", cpus_per_task=lambda wildcards, threads: threads),  # one CPU per chain
    params:
        sampler=sampler_settings(),  # what changes the draws
        compile_cache=config["sampler"]["compile_cache"],  # where compiled models are kept: draws do not change
        variant=lambda w: ENTRIES[w.variant],  # a built-in name or a user model's mapping
        scenario=lambda w: w.scenario,
        reps=lambda w: [int(w.rep)],
    script:
        "../scripts/fit.py"


for _scenario, _reps in BATCHES:

    rule:
        name:
            batch_rule_name("fit", _scenario, _reps)
        input:
            data=[paths.dataset(_scenario, r) for r in _reps],
            code=fit_code,
        output:
            [paths.fit(_scenario, "{variant}", r) for r in _reps],
        log:
            paths.log("fit", _scenario, "{variant}", paths.run_label(_reps)),
        benchmark:
            paths.job_benchmark("fit", _scenario, "{variant}", paths.run_label(_reps))
        conda:
            "../../envs/zsneq.yaml"
        threads: fit_threads()
        resources:
            **rule_resources("fit", cpus_per_task=lambda wildcards, threads: threads),
        params:
            sampler=sampler_settings(),  # what changes the draws
            compile_cache=config["sampler"]["compile_cache"],  # where compiled models are kept: draws do not change
            variant=lambda w: ENTRIES[w.variant],
            scenario=_scenario,
            reps=_reps,
        script:
            "../scripts/fit.py"
