rule summarize:
    input:
        fits=all_fits(),
        truths=all_truths(),
        code=script_code("summarize.py", VARIANTS),
    output:
        summary=report(
            "results/summary/summary.parquet",
            caption="../report/summary.rst",
            category="Summary",
        ),
        fits="results/summary/fits.parquet",
    resources:
        **rule_resources("summarize"),
    log:
        "logs/summarize/summarize.log",
    conda:
        "../../envs/zsneq.yaml"
    script:
        "../scripts/summarize.py"


rule verdicts:
    input:
        summary="results/summary/summary.parquet",
        checks=all_checks(),
        code=script_code("verdicts.py"),
    output:
        parameters=report(
            "results/summary/verdicts.parquet",
            caption="../report/verdicts.rst",
            category="Summary",
        ),
        variants="results/summary/variant_verdicts.parquet",
    params:
        reference=config["reference_variant"],
    resources:
        **rule_resources("verdicts"),
    log:
        "logs/verdicts/verdicts.log",
    conda:
        "../../envs/zsneq.yaml"
    script:
        "../scripts/verdicts.py"
