# Figures and the self-contained HTML report.
rule plot_forest:
    input:
        summary=paths.SUMMARY,
        code=code("core", "presentation/plots.py", "presentation/summary_figures.py"),
    output:
        report(
            paths.forest(),
            caption="../report/forest.rst",
            category="Figures",
            subcategory="{scenario}",
            labels={"scenario": "{scenario}", "figure": "forest"},
        ),
    log:
        paths.log("plot_forest", "{scenario}"),
    benchmark:
        paths.job_benchmark("plot_forest", "{scenario}")
    conda:
        "../../envs/zsneq.yaml"
    resources:
        **rule_resources("plot_forest"),
    params:
        kind="forest",
    script:
        "../scripts/plot_summary.py"


use rule plot_forest as plot_performance with:
    output:
        report(
            paths.performance(),
            caption="../report/performance.rst",
            category="Figures",
            subcategory="{scenario}",
            labels={"scenario": "{scenario}", "figure": "performance"},
        ),
    log:
        paths.log("plot_performance", "{scenario}"),
    benchmark:
        paths.job_benchmark("plot_performance", "{scenario}")
    resources:
        **rule_resources("plot_performance"),
    params:
        kind="performance",


rule plot_diagnostics:
    input:
        fit=paths.fit(),
        code=lambda w: code(
            "analysis/summarize.py",
            "presentation/diagnostics.py",
            "presentation/plots.py",
            variants=[w.variant],
        ),
    output:
        **{kind: diagnostic_figure(kind) for kind in paths.DIAGNOSTIC_KINDS},
    log:
        paths.log("plot_diagnostics", "{scenario}", "{variant}", "rep{rep}"),
    benchmark:
        paths.job_benchmark("plot_diagnostics", "{scenario}", "{variant}", "rep{rep}")
    conda:
        "../../envs/zsneq.yaml"
    resources:
        **rule_resources("plot_diagnostics"),
    script:
        "../scripts/plot_diagnostics.py"


rule plot_benchmark:
    input:
        tables=benchmark_tables,
        code=code(
            "core",
            "analysis/benchmark.py",
            "presentation/plots.py",
            "presentation/benchmark_figures.py",
        ),
    output:
        report(
            paths.BENCHMARK_FIGURE,
            caption="../report/benchmark.rst",
            category="Benchmark",
        ),
    log:
        paths.log("plot_benchmark", "plot_benchmark"),
    benchmark:
        paths.job_benchmark("plot_benchmark", "plot_benchmark")
    conda:
        "../../envs/zsneq.yaml"
    resources:
        **rule_resources("plot_benchmark"),
    script:
        "../scripts/plot_benchmark.py"


rule report:
    input:
        **{
            name: paths.calibration_table(name)
            for name in ("coverage", "sbc", "sbc_variants", "batching")
        },
        summary=paths.SUMMARY,
        fits=paths.FIT_TABLE,
        verdicts=paths.VARIANT_VERDICTS,
        checks=all_checks(),
        forest=[paths.forest(s) for s in SCENARIOS],
        performance=[paths.performance(s) for s in SCENARIOS],
        diagnostics=[paths.diagnostic(s, v, 0, k) for s, v, k in DIAGNOSTICS],
        coverage_figures=[paths.coverage_figure(s) for s in CALIBRATED],
        sbc_figures=[paths.sbc_figure(s, k) for s, k in SBC_FIGURES],
        benchmark=benchmark_tables,
        benchmark_figure=benchmark_figures(),
        job_benchmarks=job_benchmarks(),
        template=package_files("presentation/templates/index.html.j2")[0],
        code=code(
            "core",
            "analysis/benchmark.py",
            "analysis/job_benchmarks.py",
            "presentation/report.py",
        ),
    output:
        report(
            paths.REPORT,
            caption="../report/index.rst",
            category="Report",
        ),
    log:
        paths.log("report", "report"),
    benchmark:
        paths.job_benchmark("report", "report")
    conda:
        "../../envs/zsneq.yaml"
    resources:
        **rule_resources("report"),
    params:
        config=config,
        scenarios=SCENARIOS,
        diagnostics=DIAGNOSTICS,  # (scenario, variant, kind) of each diagnostic figure, in order
        calibrated=CALIBRATED,
        sbc_figures=SBC_FIGURES,  # (scenario, kind) of each SBC figure, in order
    script:
        "../scripts/report.py"
