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
        variant=lambda w: ENTRIES[w.variant],
        reference=ENTRIES[REFERENCE],
    script:
        "../scripts/check_variant.py"


# Before sampling, without a parameter map: do the variant and the reference put the same law on data?
rule prior_predictive:
    input:
        data=paths.dataset(rep=0),
        code=prior_predictive_code,
    output:
        paths.prior_predictive(),
    log:
        paths.log("prior_predictive", "{scenario}", "{variant}"),
    benchmark:
        paths.job_benchmark("prior_predictive", "{scenario}", "{variant}")
    wildcard_constraints:
        variant=any_of(COMPARED),
    conda:
        "../../envs/zsneq.yaml"
    resources:
        **rule_resources("prior_predictive"),
    params:
        variant=lambda w: ENTRIES[w.variant],
        reference=ENTRIES[REFERENCE],
        n_comparisons=len(COMPARED),  # Bonferroni over the variants compared with the reference
    script:
        "../scripts/prior_predictive.py"


# After sampling: the log-density check again, at draws of both posteriors (replicate 0's fits).
rule posterior_check:
    input:
        data=paths.dataset(rep=0),
        fit=paths.fit(rep=0),
        reference_fit=paths.fit(variant=REFERENCE, rep=0),
        code=check_code,
    output:
        paths.posterior_check(),
    log:
        paths.log("posterior_check", "{scenario}", "{variant}"),
    benchmark:
        paths.job_benchmark("posterior_check", "{scenario}", "{variant}")
    wildcard_constraints:
        variant=any_of(COMPARED),
    conda:
        "../../envs/zsneq.yaml"
    resources:
        **rule_resources("posterior_check"),
    params:
        variant=lambda w: ENTRIES[w.variant],
        reference=ENTRIES[REFERENCE],
    script:
        "../scripts/posterior_check.py"
