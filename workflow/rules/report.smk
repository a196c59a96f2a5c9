rule plot_forest:
    input:
        summary="results/summary/summary.parquet",
        code=f"{PKG}/plots.py",
    output:
        report(
            "results/figures/{scenario}/forest.svg",
            caption="../report/forest.rst",
            category="Figures",
            subcategory="{scenario}",
            labels={"scenario": "{scenario}", "figure": "forest"},
        ),
    log:
        "logs/plot_forest/{scenario}.log",
    conda:
        "../../envs/zsneq.yaml"
    script:
        "../scripts/plot_forest.py"


rule report:
    input:
        summary="results/summary/summary.parquet",
        verdicts="results/summary/variant_verdicts.parquet",
        checks=all_checks(),
        figures=expand("results/figures/{scenario}/forest.svg", scenario=SCENARIOS),
        template="workflow/report/index.html.j2",
        code=f"{PKG}/report.py",
    output:
        report(
            "results/report/index.html",
            caption="../report/index.rst",
            category="Report",
        ),
    params:
        scenarios=SCENARIOS,
        config=config,
    log:
        "logs/report/report.log",
    conda:
        "../../envs/zsneq.yaml"
    script:
        "../scripts/report.py"
