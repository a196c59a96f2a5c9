# One dataset and its truth per replicate; scenarios with batch_size > 1 get one job per batch. Every
# replicate keeps its own seed, so batching never changes a dataset. One definition makes the
# per-replicate rule and each batch's (common.smk: stage_rules).
for _name, _scenario, _reps, _constraints in stage_rules("simulate"):

    rule:
        name:
            _name
        input:
            own=lambda w, s=_scenario: scenario_files(filled(s, w)),  # the scenario's own data or generator file
            code=code("core", "simulation"),
        output:
            data=[paths.dataset(_scenario, r) for r in _reps],
            truth=[paths.truth(_scenario, r) for r in _reps],
        log:
            paths.log("simulate", _scenario, paths.run_label(_reps)),
        benchmark:
            paths.job_benchmark("simulate", _scenario, paths.run_label(_reps))
        wildcard_constraints:
            **_constraints,
        conda:
            "../../envs/zsneq.yaml"
        resources:
            **rule_resources("simulate"),
        params:
            name=lambda w, s=_scenario: filled(s, w),
            scenario=lambda w, s=_scenario: canonical(config["scenarios"][filled(s, w)]),
            reps=lambda w, reps=_reps: [int(filled(r, w)) for r in reps],
        script:
            "../scripts/simulate.py"
