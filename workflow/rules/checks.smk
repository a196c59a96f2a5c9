rule check_variant:
    input:
        data="results/data/{scenario}/rep0.parquet",
        code=check_sources,
    output:
        "results/checks/{scenario}/{variant}.json",
    params:
        reference=config["reference_variant"],
        compiledir=lambda w: f".cache/pytensor/check-{w.scenario}-{w.variant}",
    log:
        "logs/check_variant/{scenario}/{variant}.log",
    conda:
        "../../envs/zsneq.yaml"
    script:
        "../scripts/check_variant.py"
