"""Snakemake's per-job benchmark files (``benchmark:`` directive) read into one table."""

import numpy as np
import pandas as pd
import pytest

from zsneq.analysis.job_benchmarks import job_benchmark_summary, read_job_benchmarks

# As Snakemake 9 writes them (snakemake/benchmark.py: print_benchmark_tsv): a header, one line per repeat.
FIT_TSV = (
    "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
    "41.2350\t0:00:41\t812.45\t2950.11\t790.02\t801.33\t12.50\t3.25\t180.75\t74.52\n"
    "39.7651\t0:00:39\t798.10\t2949.80\t777.93\t788.00\t0.10\t3.25\t185.00\t72.00\n"
)
SHORT_TSV = (  # a job that ended before the first memory sample
    "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
    "0.3120\t0:00:00\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\n"
)
EXTENDED_TSV = (
    "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\tjobid\trule_name\t"
    "wildcards\tparams\tthreads\tcpu_usage\tresources\tinput_size_mb\n"
    "2.5000\t0:00:02\t150.00\t900.00\t140.00\t145.00\t0.00\t0.10\t90.00\t2.20\t7\tplot_forest\t"
    "{'scenario': 'tiny'}\t{}\t1\t2.20\t{'mem_mb': 1000}\t{'results/summary/summary.parquet': 0.01}\n"
)


@pytest.fixture()
def files(tmp_path):
    root = tmp_path / "benchmarks"
    paths = {
        "fit": root / "fit" / "tiny" / "vectorized_fixed" / "rep0.tsv",
        "short": root / "simulate" / "tiny.tsv",
        "forest": root / "plot_forest" / "tiny.tsv",
    }
    for key, text in [("fit", FIT_TSV), ("short", SHORT_TSV), ("forest", EXTENDED_TSV)]:
        paths[key].parent.mkdir(parents=True, exist_ok=True)
        paths[key].write_text(text)
    return root, paths


def test_reads_rule_job_repeats_and_numbers(files):
    root, paths = files
    table = read_job_benchmarks(paths.values(), root=root)
    assert list(table[["rule", "job", "repeat"]].itertuples(index=False, name=None)) == [
        ("fit", "tiny/vectorized_fixed/rep0", 0), ("fit", "tiny/vectorized_fixed/rep0", 1),
        ("simulate", "tiny", 0), ("plot_forest", "tiny", 0)]
    np.testing.assert_allclose(table["s"], [41.235, 39.7651, 0.312, 2.5])
    np.testing.assert_allclose(table["max_rss"].iloc[:2], [812.45, 798.10])
    short = table.iloc[2]
    assert np.isnan(short["max_rss"]) and np.isnan(short["cpu_time"])
    assert "h:m:s" not in table.columns
    assert table.loc[3, "threads"] == 1 and table.loc[3, "rule_name"] == "plot_forest"
    assert table["s"].dtype == float and table["max_rss"].dtype == float


def test_a_path_outside_the_root_names_its_directory(tmp_path):
    path = tmp_path / "elsewhere" / "job.tsv"
    path.parent.mkdir()
    path.write_text(SHORT_TSV)
    assert read_job_benchmarks([path]).loc[0, ["rule", "job"]].tolist() == ["elsewhere", "job"]


def test_rejects_a_file_that_is_not_a_benchmark(tmp_path):
    path = tmp_path / "x.tsv"
    path.write_text("a\tb\n1\t2\n")
    with pytest.raises(ValueError, match="not a Snakemake benchmark file"):
        read_job_benchmarks([path])


def test_summary_per_rule(files):
    root, paths = files
    summary = job_benchmark_summary(read_job_benchmarks(paths.values(), root=root)).set_index("rule")
    assert list(summary.index) == ["fit", "plot_forest", "simulate"]  # by total wall time
    fit = summary.loc["fit"]
    assert fit["jobs"] == 1  # two repeats of one job
    np.testing.assert_allclose([fit["total_s"], fit["cpu_s"], fit["max_rss_mb"]],
                               [(41.235 + 39.7651) / 2, (74.52 + 72.0) / 2, (812.45 + 798.10) / 2])
    assert np.isnan(summary.loc["simulate", "max_rss_mb"]) and np.isnan(summary.loc["simulate", "cpu_s"])


def test_no_files_give_an_empty_table():
    assert read_job_benchmarks([]).empty


def test_report_lists_compute_per_rule(files):
    from conftest import ROOT

    from zsneq.presentation.report import render

    root, paths = files
    config = {"scenarios": {}, "variants": ["nonvectorized"], "reference_variant": "nonvectorized", "sampler": {}}
    summary = pd.DataFrame(columns=["scenario", "rep", "variant", "parameter"])
    template = ROOT / "src" / "zsneq" / "presentation" / "templates" / "index.html.j2"
    html = render(summary, template, config, job_benchmarks=read_job_benchmarks(paths.values(), root=root))
    section = html[html.index('id="compute"'):html.index("</details>", html.index('id="compute"'))]
    assert "<tr><td><code>fit</code></td><td>1</td><td>40.5</td><td>40.5</td><td>73.3</td><td>805</td></tr>" in section
    assert "<td><code>simulate</code></td><td>1</td><td>0.3</td><td>0.3</td><td>–</td><td>–</td>" in section
    assert 'id="compute"' not in render(summary, template, config)
