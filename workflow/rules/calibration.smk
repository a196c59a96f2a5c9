# Scores across replicates: coverage of central intervals, SBC ranks (cheap: re-scoring never refits).
rule calibrate:
    input:
        fits=all_fits(),
        truths=all_truths(),  # one per fit, in the same order
        code=code(
            "analysis/summarize.py",
            "analysis/calibration.py",
            variants=VARIANTS,
        ),
    output:
        replicates=paths.calibration_table("replicates"),
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


rule plot_coverage:
    input:
        coverage=paths.calibration_table("coverage"),
        code=code(
            "core", "presentation/plots.py", "presentation/calibration_figures.py"
        ),
    output:
        report(
            paths.coverage_figure(),
            caption="../report/coverage.rst",
            category="Calibration",
            subcategory="{scenario}",
            labels={"scenario": "{scenario}", "figure": "coverage"},
        ),
    log:
        paths.log("plot_coverage", "{scenario}"),
    benchmark:
        paths.job_benchmark("plot_coverage", "{scenario}")
    conda:
        "../../envs/zsneq.yaml"
    resources:
        **rule_resources("plot_coverage"),
    params:
        kind="coverage",
        alpha=config["calibration"]["alpha"],
    script:
        "../scripts/plot_calibration.py"


rule plot_sbc:
    input:
        replicates=paths.calibration_table("replicates"),
        sbc=paths.calibration_table("sbc"),
        code=code(
            "core",
            "presentation/plots.py",
            "presentation/calibration_figures.py",
            "analysis/calibration.py",
        ),
    output:
        ranks=report(
            paths.sbc_figure(kind="ranks"),
            caption="../report/sbc_ranks.rst",
            category="Calibration",
            subcategory="{scenario}",
            labels={"scenario": "{scenario}", "figure": "SBC rank histograms"},
        ),
        ecdf=report(
            paths.sbc_figure(kind="ecdf"),
            caption="../report/sbc_ecdf.rst",
            category="Calibration",
            subcategory="{scenario}",
            labels={"scenario": "{scenario}", "figure": "SBC ECDF differences"},
        ),
    log:
        paths.log("plot_sbc", "{scenario}"),
    benchmark:
        paths.job_benchmark("plot_sbc", "{scenario}")
    wildcard_constraints:
        scenario=any_of(PRIOR_SCENARIOS),
    conda:
        "../../envs/zsneq.yaml"
    resources:
        **rule_resources("plot_sbc"),
    params:
        kind="sbc",
        alpha=config["calibration"]["alpha"],
    script:
        "../scripts/plot_calibration.py"
