rule fit:
    input:
        data="results/data/{scenario}/rep{rep}.parquet",
        code=variant_sources,
    output:
        "results/fits/{scenario}/{variant}/rep{rep}.nc",
    params:
        sampler=canonical(config["sampler"]),
        compiledir=lambda w: f".cache/pytensor/{w.scenario}-{w.variant}-rep{w.rep}",
    threads: config["sampler"]["chains"]
    resources:
        mem_mb=4000,
    log:
        "logs/fit/{scenario}/{variant}/rep{rep}.log",
    conda:
        "../../envs/zsneq.yaml"
    script:
        "../scripts/fit.py"
