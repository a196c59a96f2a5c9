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
