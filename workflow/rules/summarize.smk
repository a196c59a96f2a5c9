rule summarize:
    input:
        fits=all_fits(),
        truths=all_truths(),
        code=[f"{PKG}/summarize.py", f"{PKG}/variants/__init__.py"],
    output:
        report(
            "results/summary/summary.parquet",
            caption="../report/summary.rst",
            category="Summary",
        ),
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
        code=f"{PKG}/verdicts.py",
    output:
        parameters=report(
            "results/summary/verdicts.parquet",
            caption="../report/verdicts.rst",
            category="Summary",
        ),
        variants="results/summary/variant_verdicts.parquet",
    params:
        reference=config["reference_variant"],
    log:
        "logs/verdicts/verdicts.log",
    conda:
        "../../envs/zsneq.yaml"
    script:
        "../scripts/verdicts.py"
