# Figures and the self-contained HTML report.
# One rule per report figure of zsneq.core.figures.FIGURES: plot_forest, plot_performance, ...
for _figure in FIGURES:

    rule:
        name:
            f"plot_{_figure.name}"
        input:
            **{table: TABLES[table] for table in _figure.tables},
            code=code("core", "presentation", "analysis/calibration.py"),
        output:
            report(
                paths.figure(name=_figure.name),
                caption=f"../report/{_figure.name}.rst",
                category=_figure.category,
                subcategory="{scenario}",
                labels={"scenario": "{scenario}", "figure": _figure.name},
            ),
        log:
            paths.log(f"plot_{_figure.name}", "{scenario}"),
        benchmark:
            paths.job_benchmark(f"plot_{_figure.name}", "{scenario}")
        wildcard_constraints:
            scenario=any_of(figure_scenarios(_figure, config)),
        conda:
            "../../envs/zsneq.yaml"
        resources:
            **rule_resources(f"plot_{_figure.name}"),
        params:
            figure=_figure.name,
            settings={"alpha": config["calibration"]["alpha"]},
        script:
            "../scripts/plot_figure.py"


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
        paths.log(
            "plot_diagnostics", "{scenario}", "{variant}", paths.run_label(["{rep}"])
        ),
    benchmark:
        paths.job_benchmark(
            "plot_diagnostics", "{scenario}", "{variant}", paths.run_label(["{rep}"])
        )
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
        figures=[path for _, _, path in study_figures(config)],
        diagnostics=[paths.diagnostic(s, v, 0, k) for s, v, k in DIAGNOSTICS],
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
        figures=[(name, s) for name, s, _ in study_figures(config)],  # in the order of input.figures
        # each figure's caption (workflow/report/<name>.rst) as text: an edited caption re-runs the report
        captions={
            f.name: Path(workflow.source_path(f"../report/{f.name}.rst")).read_text()
            for f in FIGURES
        },
    script:
        "../scripts/report.py"
