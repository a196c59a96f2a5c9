rule calibrate:
    input:
        fits=all_fits(),
        truths=all_truths(),
        code=script_code("calibrate.py", VARIANTS),
    output:
        replicates="results/calibration/replicates.parquet",
        coverage=report(
            "results/calibration/coverage.parquet",
            caption="../report/coverage_table.rst",
            category="Calibration",
        ),
        sbc=report(
            "results/calibration/sbc.parquet",
            caption="../report/sbc_table.rst",
            category="Calibration",
        ),
        sbc_variants="results/calibration/sbc_variants.parquet",
        batching="results/calibration/batching.parquet",
    params:
        calibration=canonical(config["calibration"]),
        prior_scenarios=PRIOR_SCENARIOS,
    log:
        "logs/calibrate/calibrate.log",
    conda:
        "../../envs/zsneq.yaml"
    script:
        "../scripts/calibrate.py"


rule plot_coverage:
    input:
        coverage="results/calibration/coverage.parquet",
        code=script_code("plot_calibration.py"),
    output:
        report(
            "results/calibration/{scenario}/coverage.svg",
            caption="../report/coverage.rst",
            category="Calibration",
            subcategory="{scenario}",
            labels={"scenario": "{scenario}", "figure": "coverage"},
        ),
    params:
        kind="coverage",
        alpha=config["calibration"]["alpha"],
    log:
        "logs/plot_coverage/{scenario}.log",
    conda:
        "../../envs/zsneq.yaml"
    script:
        "../scripts/plot_calibration.py"


rule plot_sbc:
    input:
        replicates="results/calibration/replicates.parquet",
        sbc="results/calibration/sbc.parquet",
        code=script_code("plot_calibration.py"),
    output:
        ranks=report(
            "results/calibration/{scenario}/sbc_ranks.svg",
            caption="../report/sbc_ranks.rst",
            category="Calibration",
            subcategory="{scenario}",
            labels={"scenario": "{scenario}", "figure": "SBC rank histograms"},
        ),
        ecdf=report(
            "results/calibration/{scenario}/sbc_ecdf.svg",
            caption="../report/sbc_ecdf.rst",
            category="Calibration",
            subcategory="{scenario}",
            labels={"scenario": "{scenario}", "figure": "SBC ECDF differences"},
        ),
    params:
        kind="sbc",
        alpha=config["calibration"]["alpha"],
    wildcard_constraints:
        scenario=any_of(PRIOR_SCENARIOS),
    log:
        "logs/plot_sbc/{scenario}.log",
    conda:
        "../../envs/zsneq.yaml"
    script:
        "../scripts/plot_calibration.py"
