"""The likelihood benchmark's tables, figure and report section from given fit figures (no fits run here)."""

import pandas as pd
import pytest
from conftest import ROOT

from zsneq.analysis.benchmark import (
    compare,
    fits_markdown,
    read_tables,
    scaling_grid,
    scaling_markdown,
    seconds_per_1000_ess,
)
from zsneq.core.paths import benchmark_tables
from zsneq.presentation.benchmark_figures import benchmark_figure
from zsneq.presentation.plots import save_figure
from zsneq.presentation.report import Figures, render

TEMPLATE = ROOT / "src" / "zsneq" / "presentation" / "templates" / "index.html.j2"


def _row(variant, sampling_s, end_to_end_s, min_ess):
    return {"variant": variant, "compile_s": 10.0, "sampling_s": sampling_s, "end_to_end_s": end_to_end_s,
            "min_ess_bulk": min_ess, "ess_per_s": min_ess / sampling_s, "peak_rss_mb": 700.0, "divergences": 0}


def _summary(means, sds):
    return pd.DataFrame({"parameter": ["beta[x1]", "sigma"], "mean": means, "sd": sds})


def test_compare_gives_ratios_to_the_reference_and_the_largest_mean_difference_in_sd():
    rows = [_row("ref", 100.0, 120.0, 1000.0), _row("fast", 2.0, 20.0, 4000.0)]
    summaries = {"ref": _summary([0.0, 1.0], [1.0, 2.0]), "fast": _summary([0.1, 1.6], [1.1, 2.1])}
    table = compare(rows, summaries, "ref").set_index("variant")
    assert table.loc["fast", "ess_per_s_ratio"] == pytest.approx(200.0)
    assert table.loc["fast", "end_to_end_speedup"] == pytest.approx(6.0)
    assert table.loc["fast", "max_dmean_sd"] == pytest.approx(0.3)  # sigma: 0.6 / 2.0
    assert table.loc["ref", "max_dmean_sd"] == 0.0
    text = fits_markdown(table.reset_index(), "ref")
    assert "| `ref` (reference) |" in text and "| 200.0× | 6.0× |" in text


def test_scaling_table_puts_groups_down_and_rows_across():
    cells = [{"groups": g, "rows_per_group": n, "variant": v, "s_per_1000_ess": seconds_per_1000_ess(r)}
             for g, n, v, r in [(10, 5, "fast", _row("fast", 1.0, 2.0, 1000.0)),
                                (10, 5, "ref", _row("ref", 50.0, 60.0, 500.0)),
                                (20, 5, "fast", _row("fast", 2.0, 3.0, 1000.0))]]
    text = scaling_markdown(pd.DataFrame(cells), "fast", "ref")
    assert text.splitlines()[0] == "| groups \\ rows per group | 5 |"
    assert "| 10 | 1.00 (row-wise 100.0) |" in text and "| 20 | 2.00 |" in text


# --- the benchmark in the report ------------------------------------------------------------------

def _fits() -> pd.DataFrame:
    rows = [_row("nonvectorized", 300.0, 400.0, 1200.0), _row("vectorized_fixed+marginal", 2.0, 32.0, 5600.0)]
    summaries = {"nonvectorized": _summary([0.0, 1.0], [1.0, 2.0]),
                 "vectorized_fixed+marginal": _summary([0.05, 1.1], [1.0, 2.0])}
    return compare(rows, summaries, "nonvectorized")


def _scaling() -> pd.DataFrame:
    fast, ref = "vectorized_fixed+marginal", "nonvectorized"
    cells = [(250, 50, fast, 0.22), (250, 50, ref, 9.04), (250, 200, fast, 0.28), (1000, 50, fast, 0.67),
             (1000, 200, fast, 0.38)]
    return pd.DataFrame([{"groups": g, "rows_per_group": n, "variant": v, "s_per_1000_ess": s} for g, n, v, s in cells])


def test_scaling_grid_is_the_markdown_tables_cells():
    columns, grid = scaling_grid(_scaling(), "vectorized_fixed+marginal", "nonvectorized")
    assert columns == [50, 200]
    assert grid == [(250, ["0.22 (row-wise 9.0)", "0.28"]), (1000, ["0.67", "0.38"])]
    text = scaling_markdown(_scaling(), "vectorized_fixed+marginal", "nonvectorized")
    assert "| 250 | 0.22 (row-wise 9.0) | 0.28 |" in text


def test_benchmark_tables_are_found_only_with_fits_csv(tmp_path):
    assert benchmark_tables(tmp_path) == []
    _scaling().to_csv(tmp_path / "scaling.csv", index=False)
    assert benchmark_tables(tmp_path) == []  # scaling alone: nothing to show
    _fits().to_csv(tmp_path / "fits.csv", index=False)
    assert benchmark_tables(tmp_path) == [f"{tmp_path}/fits.csv", f"{tmp_path}/scaling.csv"]
    tables = read_tables(benchmark_tables(tmp_path))
    assert list(tables["fits"]["variant"]) == ["nonvectorized", "vectorized_fixed+marginal"]
    assert len(tables["scaling"]) == 5
    assert read_tables([tmp_path / "fits.csv"])["scaling"] is None


@pytest.mark.parametrize("with_scaling", [True, False])
def test_benchmark_figure_with_and_without_scaling(tmp_path, with_scaling):
    fig = benchmark_figure(_fits(), _scaling() if with_scaling else None, reference="nonvectorized")
    assert len(fig.axes) == (2 if with_scaling else 1)
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels == ["reference", "700.0×"]  # ESS/s 2800 vs 4
    if with_scaling:
        styles = {line.get_linestyle() for line in fig.axes[1].lines if len(line.get_xdata())}
        assert styles == {"-", "--"}  # the fast variant solid, the row-wise reference dashed
    path = tmp_path / "benchmark.svg"
    save_figure(fig, path)
    assert path.read_text().lstrip().startswith("<?xml")


def _config() -> dict:
    return {"scenarios": {"s": {"groups": 20, "rows_per_group": 10, "beta": [1, 1], "tau": [1, 1], "sigma": 1,
                                "seed": 1, "replicates": 1}},
            "variants": ["nonvectorized"], "reference_variant": "nonvectorized", "sampler": {}}


EMPTY_SUMMARY = pd.DataFrame(columns=["scenario", "rep", "variant", "parameter"])


def _section(html: str) -> str:
    start = html.index('<section id="benchmark">')
    return html[start:html.index("</section>", start)]


def test_report_shows_the_benchmark_tables_and_figure(tmp_path):
    (tmp_path / "benchmark.svg").write_text('<?xml version="1.0"?>\n<svg id="benchmark-figure"></svg>\n')
    html = render(EMPTY_SUMMARY, TEMPLATE, _config(), figures=Figures(benchmark=tmp_path / "benchmark.svg"),
                  benchmark={"fits": _fits(), "scaling": _scaling()})
    section = _section(html)
    assert html.index('id="verdicts"') < html.index('id="benchmark"') < html.index('id="scenario-s"')
    assert "<code>scripts/benchmarks/likelihoods.py</code>" in section and "side by side in one run" in section
    assert "<td><code>nonvectorized</code> (reference)</td>" in section
    for cell in ["300.0", "1,200", "5,600", "2,800.0", "700.0×", "12.5×", "700", "0.050", "max |Δmean|/sd"]:
        assert f">{cell}<" in section, cell
    assert "<td>250</td><td>0.22 (row-wise 9.0)</td><td>0.28</td>" in section
    assert "<td>1000</td><td>0.67</td><td>0.38</td>" in section
    assert '<svg id="benchmark-figure">' in section and "<?xml" not in section
    assert "Right: seconds of sampling per 1000 effective draws" in section


def test_report_without_scaling_shows_the_fits_table_only(tmp_path):
    html = render(EMPTY_SUMMARY, TEMPLATE, _config(), figures=Figures(benchmark=tmp_path / "benchmark.svg"),
                  benchmark={"fits": _fits(), "scaling": None})
    section = _section(html)
    assert "700.0×" in section
    assert 'id="benchmark-scaling"' not in section and "<figure>" not in section  # no figure file either


@pytest.mark.parametrize("benchmark", [None, {"fits": None, "scaling": None}])
def test_report_without_benchmark_has_no_benchmark_section(tmp_path, benchmark):
    (tmp_path / "benchmark.svg").write_text("<svg></svg>")
    html = render(EMPTY_SUMMARY, TEMPLATE, _config(), benchmark=benchmark)
    assert 'id="benchmark"' not in html and "likelihoods.py" not in html
