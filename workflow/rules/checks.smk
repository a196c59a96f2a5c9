# Before sampling: zero-sum axis and log-density equivalence with the reference, on replicate 0's data.
rule check_variant:
    input:
        data=paths.dataset(rep=0),
        code=check_code,
    output:
        paths.check(),
    log:
        paths.log("check_variant", "{scenario}", "{variant}"),
    benchmark:
        paths.job_benchmark("check_variant", "{scenario}", "{variant}")
    conda:
        "../../envs/zsneq.yaml"
    resources:
        **rule_resources("check_variant"),
    params:
        reference=REFERENCE,
    script:
        "../scripts/check_variant.py"
