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
    wildcard_constraints:
        variant=any_of(CHECKED),  # the variants, and the reference's row-wise form where it is drawn
    conda:
        "../../envs/zsneq.yaml"
    resources:
        **rule_resources("check_variant"),
    params:
        variant=lambda w: ENTRIES.get(w.variant, w.variant),
        reference=ENTRIES[REFERENCE],
    script:
        "../scripts/check_variant.py"


# Once per scenario: how often the prior-predictive test flags known alternatives to the reference on
# this design at the threshold it uses (its variants' jobs state it beside their result).
rule prior_predictive_power:
    input:
        data=paths.dataset(rep=0),
        code=prior_predictive_power_code,
    output:
        paths.prior_predictive_power(),
    log:
        paths.log("prior_predictive_power", "{scenario}"),
    benchmark:
        paths.job_benchmark("prior_predictive_power", "{scenario}")
    conda:
        "../../envs/zsneq.yaml"
    resources:
        **rule_resources("prior_predictive_power"),
    params:
        reference=ENTRIES[REFERENCE],
        n_comparisons=len(COMPARED),  # Bonferroni over the variants compared with the reference
    script:
        "../scripts/prior_predictive_power.py"


# Before sampling, without a parameter map: do the variant and the reference put the same law on data?
# A likelihood without forward draws is drawn in its row-wise form only where its log-density check
# says it may be: the variant's check, and for such a reference, its row-wise form's check.
rule prior_predictive:
    input:
        data=paths.dataset(rep=0),
        check=paths.check(),
        reference_check=[paths.check(variant=v) for v in REFERENCE_FORMS],
        power=paths.prior_predictive_power(),
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
