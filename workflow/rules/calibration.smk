# Scores across replicates: coverage of central intervals, SBC ranks, from the rows rule summarize read
# from the fits (cheap: re-scoring never refits nor reads a fit).
rule calibrate:
    input:
        replicates=paths.calibration_table("replicates"),
        code=code("analysis/calibration.py"),
    output:
        coverage=report(
            paths.calibration_table("coverage"),
            caption="../report/coverage_table.rst",
            category="Calibration",
        ),
        sbc=report(
            paths.calibration_table("sbc"),
            caption="../report/sbc_table.rst",
            category="Calibration",
        ),
        sbc_variants=paths.calibration_table("sbc_variants"),
        sbc_paired=paths.calibration_table("sbc_paired"),
        batching=paths.calibration_table("batching"),
    log:
        paths.log("calibrate", "calibrate"),
    benchmark:
        paths.job_benchmark("calibrate", "calibrate")
    conda:
        "../../envs/zsneq.yaml"
    resources:
        **rule_resources("calibrate"),
    params:
        calibration=canonical(config["calibration"]),
        prior_scenarios=PRIOR_SCENARIOS,
        reference=REFERENCE,
    script:
        "../scripts/calibrate.py"
