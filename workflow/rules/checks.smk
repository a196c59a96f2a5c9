rule check_variant:
    input:
        data="results/data/{scenario}/rep0.parquet",
        code=check_sources,
    output:
        "results/checks/{scenario}/{variant}.json",
    params:
        reference=config["reference_variant"],
    resources:
        **rule_resources("check_variant"),
    log:
        "logs/check_variant/{scenario}/{variant}.log",
    conda:
        "../../envs/zsneq.yaml"
    script:
        "../scripts/check_variant.py"
