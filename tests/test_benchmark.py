"""The likelihood benchmark's tables from given fit figures (no fits run here)."""

import pandas as pd
import pytest

from zsneq.benchmark import compare, fits_markdown, scaling_markdown, seconds_per_1000_ess


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
