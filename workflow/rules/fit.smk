rule fit:
    input:
        data="results/data/{scenario}/rep{rep}.parquet",
        code=variant_sources,
    output:
        "results/fits/{scenario}/{variant}/rep{rep}.nc",
    params:
        sampler=canonical(config["sampler"]),
    threads: config["sampler"]["chains"]
    resources:
        **rule_resources("fit", cpus_per_task=lambda wildcards, threads: threads),  # one CPU per chain
    log:
        "logs/fit/{scenario}/{variant}/rep{rep}.log",
    conda:
        "../../envs/zsneq.yaml"
    script:
        "../scripts/fit.py"
