# One NetCDF per (scenario, variant, replicate). Scenarios with batch_size > 1: one job per variant and
# batch of replicates, the model compiled once and each later replicate's data swapped in; draws are
# bitwise those of separate jobs. One definition makes the per-replicate rule and each batch's
# (common.smk: stage_rules).
for _name, _scenario, _reps, _constraints in stage_rules("fit"):

    rule:
        name:
            _name
        input:
            data=[paths.dataset(_scenario, r) for r in _reps],
            code=fit_code,
        output:
            [paths.fit(_scenario, "{variant}", r) for r in _reps],
        log:
            paths.log("fit", _scenario, "{variant}", paths.run_label(_reps)),
        benchmark:
            paths.job_benchmark("fit", _scenario, "{variant}", paths.run_label(_reps))
        wildcard_constraints:
            **_constraints,
        conda:
            "../../envs/zsneq.yaml"
        threads: fit_threads()
        resources:
            **rule_resources("fit", cpus_per_task=lambda wildcards, threads: threads),  # one CPU per chain
        params:
            sampler=sampler_settings(),  # what changes the draws
            compile_cache=config["sampler"]["compile_cache"],  # where compiled models are kept: draws do not change
            variant=lambda w: ENTRIES[w.variant],  # a built-in name or a user model's mapping
            scenario=lambda w, s=_scenario: filled(s, w),
            reps=lambda w, reps=_reps: [int(filled(r, w)) for r in reps],
        script:
            "../scripts/fit.py"
