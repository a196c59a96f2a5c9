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

