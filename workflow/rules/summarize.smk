# Every fit is read once, here: its summary, group slopes, pointwise elpd and calibration rows.
rule summarize:
    input:
        fits=all_fits(),
        truths=all_truths(),  # one per fit, in the same order
        code=code(
            "analysis/summarize.py",
            "analysis/replicates.py",
            variants=VARIANTS,
        ),
    output:
        summary=report(
            paths.SUMMARY,
            caption="../report/summary.rst",
            category="Summary",
        ),
        fits=paths.FIT_TABLE,
        group_slopes=paths.GROUP_SLOPES,
        loo=paths.LOO,
        replicates=paths.calibration_table("replicates"),
    log:
        paths.log("summarize", "summarize"),
    benchmark:
        paths.job_benchmark("summarize", "summarize")
    conda:
        "../../envs/zsneq.yaml"
    resources:
        **rule_resources("summarize"),
    params:
        scoring={k: config["calibration"][k] for k in ("levels", "rank_draws")},
    script:
        "../scripts/summarize.py"


rule verdicts:
    input:
        summary=paths.SUMMARY,
        group_slopes=paths.GROUP_SLOPES,
        loo=paths.LOO,
        checks=all_checks(),
        prior_predictive=all_prior_predictive(),
        posterior_checks=all_posterior_checks(),
        code=code(
            "core",
            "analysis/verdicts.py",
            "analysis/rules.py",
            "analysis/statements.py",
        ),
    output:
        parameters=report(
            paths.PARAMETER_VERDICTS,
            caption="../report/verdicts.rst",
            category="Summary",
        ),
        variants=paths.VARIANT_VERDICTS,
    log:
        paths.log("verdicts", "verdicts"),
    benchmark:
        paths.job_benchmark("verdicts", "verdicts")
    conda:
        "../../envs/zsneq.yaml"
    resources:
        **rule_resources("verdicts"),
    params:
        reference=REFERENCE,
        margin=config["verdicts"]["margin"],
        alpha=config["verdicts"]["alpha"],
    script:
        "../scripts/verdicts.py"
