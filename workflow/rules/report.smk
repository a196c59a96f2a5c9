rule plot_forest:
    input:
        summary="results/summary/summary.parquet",
        code=script_code("plot_summary.py"),
    output:
        report(
            "results/figures/{scenario}/forest.svg",
            caption="../report/forest.rst",
            category="Figures",
            subcategory="{scenario}",
            labels={"scenario": "{scenario}", "figure": "forest"},
        ),
    params:
        kind="forest",
    resources:
        **rule_resources("plot_forest"),
    log:
        "logs/plot_forest/{scenario}.log",
    conda:
        "../../envs/zsneq.yaml"
    script:
        "../scripts/plot_summary.py"


rule plot_performance:
    input:
        summary="results/summary/summary.parquet",
        code=script_code("plot_summary.py"),
    output:
        report(
            "results/figures/{scenario}/performance.svg",
            caption="../report/performance.rst",
            category="Figures",
            subcategory="{scenario}",
            labels={"scenario": "{scenario}", "figure": "performance"},
        ),
    params:
        kind="performance",
    resources:
        **rule_resources("plot_performance"),
    log:
        "logs/plot_performance/{scenario}.log",
    conda:
        "../../envs/zsneq.yaml"
    script:
        "../scripts/plot_summary.py"


rule plot_diagnostics:
    input:
        fit="results/fits/{scenario}/{variant}/rep{rep}.nc",
        code=lambda w: script_code("plot_diagnostics.py", [w.variant]),
    output:
        rank=report(
            "results/figures/{scenario}/{variant}/rep{rep}_rank.png",
            caption="../report/diagnostics.rst",
            category="Diagnostics",
            subcategory="{scenario}",
            labels={"variant": "{variant}", "replicate": "{rep}", "figure": "rank"},
        ),
        trace=report(
            "results/figures/{scenario}/{variant}/rep{rep}_trace.png",
            caption="../report/diagnostics.rst",
            category="Diagnostics",
            subcategory="{scenario}",
            labels={"variant": "{variant}", "replicate": "{rep}", "figure": "trace"},
        ),
        energy=report(
            "results/figures/{scenario}/{variant}/rep{rep}_energy.png",
            caption="../report/diagnostics.rst",
            category="Diagnostics",
            subcategory="{scenario}",
            labels={"variant": "{variant}", "replicate": "{rep}", "figure": "energy"},
        ),
    resources:
        **rule_resources("plot_diagnostics"),
    log:
        "logs/plot_diagnostics/{scenario}/{variant}/rep{rep}.log",
    conda:
        "../../envs/zsneq.yaml"
    script:
        "../scripts/plot_diagnostics.py"


rule plot_benchmark:
    input:
        tables=benchmark_tables,
        code=script_code("plot_benchmark.py"),
    output:
        report(
            "results/figures/benchmark.svg",
            caption="../report/benchmark.rst",
            category="Benchmark",
        ),
    resources:
        **rule_resources("plot_benchmark"),
    log:
        "logs/plot_benchmark/plot_benchmark.log",
    conda:
        "../../envs/zsneq.yaml"
    script:
        "../scripts/plot_benchmark.py"


rule report:
    input:
        summary="results/summary/summary.parquet",
        fits="results/summary/fits.parquet",
        verdicts="results/summary/variant_verdicts.parquet",
        checks=all_checks(),
        figures=report_figures(),
        coverage="results/calibration/coverage.parquet",
        sbc="results/calibration/sbc.parquet",
        sbc_variants="results/calibration/sbc_variants.parquet",
        batching="results/calibration/batching.parquet",
        calibration_figures=calibration_figures(),
        benchmark=benchmark_tables,
        benchmark_figure=benchmark_figures(),
        template=repo_file("workflow/report/index.html.j2"),
        code=script_code("report.py"),
    output:
        report(
            "results/report/index.html",
            caption="../report/index.rst",
            category="Report",
        ),
    params:
        scenarios=SCENARIOS,
        config=config,
    resources:
        **rule_resources("report"),
    log:
        "logs/report/report.log",
    conda:
        "../../envs/zsneq.yaml"
    script:
        "../scripts/report.py"
