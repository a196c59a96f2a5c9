"""The report's per-scenario figures come from one list (zsneq.core.figures.FIGURES): each entry has a
caption, a plot function that draws it from the study tables it names, a rule and a place in the report."""

import importlib
import inspect

import pytest
from conftest import ROOT

from zsneq.core import paths
from zsneq.core.figures import FIGURES, TABLES, figure_scenarios, study_figures

CONFIG = {"scenarios": {"a": {"replicates": 1}, "b": {"replicates": 3}, "p": {"replicates": 20, "truth": "prior"}},
          "variants": ["nonvectorized"], "reference_variant": "nonvectorized"}


@pytest.mark.parametrize("figure", FIGURES, ids=[f.name for f in FIGURES])
def test_every_figure_has_a_caption_a_plot_function_and_known_tables(figure):
    assert (ROOT / paths.caption(figure.name)).is_file()
    module, function = figure.plot.split(":")
    plot = getattr(importlib.import_module(f"zsneq.presentation.{module}"), function)
    assert list(inspect.signature(plot).parameters)[:3] == ["tables", "scenario", "settings"]
    assert set(figure.tables) <= set(TABLES) and figure.section in ("scenario", "calibration")


def test_each_figure_belongs_to_the_scenarios_it_says():
    by_name = {f.name: f for f in FIGURES}
    assert figure_scenarios(by_name["forest"], CONFIG) == ["a", "b", "p"]
    listed = study_figures(CONFIG)
    assert ("coverage", "a", paths.figure("a", "coverage")) not in listed  # one replicate: nothing to cover
    assert ("coverage", "b", paths.figure("b", "coverage")) in listed
    assert {s for name, s, _ in listed if name.startswith("sbc")} == {"p"}



def test_the_differences_figure_draws_every_compared_variant_against_the_baseline(tmp_path):
    """Each compared variant is one series per quantity panel; the baseline itself is not drawn."""
    import numpy as np
    import pandas as pd

    from zsneq.presentation.summary_figures import differences

    rows = []
    for variant, shift in (("base", 0.0), ("same", 0.02), ("off", 0.5)):
        for parameter in ("beta[x1]", "tau[x1]", "sigma"):
            row = {"scenario": "s", "rep": 0, "variant": variant, "baseline": "base", "parameter": parameter,
                   "base_sd": 2.0, "margin": 0.2, "z_agree": 1.645}
            for q in ("mean", "q5", "q95"):
                row |= {f"delta_{q}": 2.0 * shift, f"se_{q}": 0.02}
            rows.append(row)
    fig = differences({"parameter_verdicts": pd.DataFrame(rows)}, "s", {})
    axes = fig.axes
    assert len(axes) == 3 and [a.get_title() for a in axes] == ["Δ mean", "Δ 5%", "Δ 95%"]
    labels = axes[0].get_legend_handles_labels()[1]
    assert labels == ["same", "off"]  # the baseline is what the others are measured against
    xs = sorted(float(np.mean(line.get_xdata())) for line in axes[0].lines if len(line.get_xdata()) == 3)
    assert xs == pytest.approx([0.02, 0.5])  # in baseline sds
