rule simulate:
    input:
        code=script_code("simulate.py"),
    output:
        data="results/data/{scenario}/rep{rep}.parquet",
        truth="results/data/{scenario}/rep{rep}.truth.parquet",
    params:
        scenario=lambda w: canonical(config["scenarios"][w.scenario]),
    resources:
        **rule_resources("simulate"),
    log:
        "logs/simulate/{scenario}/rep{rep}.log",
    conda:
        "../../envs/zsneq.yaml"
    script:
        "../scripts/simulate.py"
