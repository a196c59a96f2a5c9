"""Report figures: legible (no text over other text, forest plot full width), compact files, one heading per scenario."""

import io
import re
from itertools import combinations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from conftest import ROOT
from matplotlib.text import Text
from PIL import Image

from zsneq.analysis.calibration import sbc_table
from zsneq.presentation.calibration_figures import sbc_ecdf_figure, sbc_rank_figure
from zsneq.presentation.plots import PNG_COLORS, palette_png, save_figure
from zsneq.presentation.summary_figures import FOREST_WIDTH, forest_figure
from zsneq.presentation.report import render

TEMPLATE = ROOT / "src" / "zsneq" / "presentation" / "templates" / "index.html.j2"
PARAMS = ["beta[x1]", "beta[x2]", "tau[x1]", "tau[x2]", "sigma"]
VARIANTS = ["vectorized_fixed+sufficient", "vectorized_as_posted+sufficient"]


def _sbc_replicates(n=60, rank_draws=100):
    rng = np.random.default_rng(0)
    rows = [{"scenario": "sbc", "rep": r, "variant": v, "parameter": p, "rank": int(rng.integers(0, rank_draws + 1)),
             "rank_draws": rank_draws, "ess_bulk": 500.0, "divergences": 0}
            for v in VARIANTS for p in PARAMS for r in range(n)]
    return pd.DataFrame(rows)


def _forest_summary():
    rows = [{"variant": v, "parameter": p, "mean": 1.0 + 0.1 * i, "hdi_3%": 0.8, "hdi_97%": 1.4, "target": 1.0,
             "truth": 0.9 if p.startswith("beta") else 1.0}
            for i, v in enumerate(["nonvectorized", *VARIANTS]) for p in PARAMS]
    return pd.DataFrame(rows)


def drawn_texts(fig) -> list[Text]:
    """The texts ``fig`` draws: figure texts and legends, and per panel titles, axis labels, texts and the tick
    labels inside the axis limits (matplotlib keeps labels of ticks outside them, undrawn)."""
    texts = list(fig.texts) + [t for legend in fig.legends for t in legend.get_texts()]
    for ax in fig.axes:
        texts += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        texts += [t for legend in [ax.get_legend()] if legend for t in legend.get_texts()]
        for axis in (ax.xaxis, ax.yaxis):
            texts += [label for tick in axis._update_ticks() for label in (tick.label1, tick.label2)]
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


def overlapping_texts(fig) -> list[tuple[str, str]]:
    """Pairs of drawn texts of ``fig`` whose boxes overlap."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = drawn_texts(fig)
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    return [(a, b) for (a, box_a), (b, box_b) in combinations(boxes, 2) if box_a.overlaps(box_b)]


def test_sbc_figures_have_no_text_over_text():
    replicates = _sbc_replicates()
    sbc = sbc_table(replicates, ["sbc"], 0.05)
    for fig in (sbc_rank_figure(replicates, sbc, title="ranks"), sbc_ecdf_figure(replicates, sbc, 0.05, title="ecdf")):
        assert overlapping_texts(fig) == []
        plt.close(fig)


def test_sbc_ecdf_panels_show_every_curve_whole():
    replicates = _sbc_replicates()
    low = replicates["variant"] == VARIANTS[1]
    replicates.loc[low, "rank"] = replicates.loc[low, "rank"] // 4  # far from uniform: far outside the band
    fig = sbc_ecdf_figure(replicates, sbc_table(replicates, ["sbc"], 0.05), 0.05)
    for ax in fig.axes:
        bottom, top = ax.get_ylim()
        for line in ax.get_lines():
            assert bottom <= np.min(line.get_ydata()) and np.max(line.get_ydata()) <= top
    plt.close(fig)


def test_forest_plot_panels_span_the_figure_width():
    fig = forest_figure(_forest_summary(), title="scenario s, replicate 0")
    assert fig.get_figwidth() == FOREST_WIDTH
    assert overlapping_texts(fig) == []
    for ax in fig.axes:
        box = ax.get_position()
        assert box.width > 0.8  # no legend column beside the panels
    plt.close(fig)


def test_png_figures_are_palette_images(tmp_path):
    fig = forest_figure(_forest_summary())
    path = tmp_path / "forest.png"
    save_figure(fig, path)
    with Image.open(path) as image:
        assert image.mode == "P" and len(image.getcolors()) <= PNG_COLORS
        assert image.size[0] >= 900  # 10 inches at 100 dpi, plus the tight box
    rgb = Image.new("RGB", (40, 20), "white")
    rgb.paste((31, 119, 180), (0, 0, 20, 20))
    buffer = io.BytesIO()
    rgb.save(buffer, "PNG")
    with Image.open(io.BytesIO(palette_png(buffer.getvalue()))) as back:  # flat colours come back exactly
        assert back.convert("RGB").tobytes() == rgb.tobytes()


def test_svg_text_is_text(tmp_path):
    path = tmp_path / "forest.svg"
    save_figure(forest_figure(_forest_summary(), title="scenario s, replicate 0"), path)
    svg = path.read_text()
    assert ">scenario s, replicate 0</text>" in svg and "<defs>\n  <path id=\"DejaVuSans" not in svg


def test_each_scenario_has_one_heading_with_its_name():
    config = {"scenarios": {name: {"groups": 20, "rows_per_group": 10, "beta": [1], "tau": [1], "sigma": 1, "seed": 1,
                                   "replicates": 1} for name in ("seed", "other")},
              "variants": ["nonvectorized"], "reference_variant": "nonvectorized", "sampler": {}}
    summary = pd.DataFrame(columns=["scenario", "rep", "variant", "parameter"])
    html = render(summary, TEMPLATE, config)
    headings = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h[1-4][^>]*>(.*?)</h[1-4]>", html, re.S)]
    for name in config["scenarios"]:
        assert sum(h.strip().startswith(f"Scenario {name}") for h in headings) == 1, headings
        assert f'href="#scenario-{name}"' in html and f'id="scenario-{name}"' in html


def test_inline_svg_drops_metadata_and_indentation_only(tmp_path):
    from zsneq.presentation.report import inline_svg

    path = tmp_path / "f.svg"
    save_figure(forest_figure(_forest_summary(), title="scenario s, replicate 0"), path)
    svg = path.read_text()
    inline = inline_svg(path)
    assert inline.startswith("<svg") and "<metadata>" not in inline and ">\n" not in inline
    assert len(inline) < 0.95 * len(svg)
    assert re.findall(r"<text[^>]*>([^<]*)</text>", inline) == re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert re.findall(r' d="([^"]*)"', inline) == re.findall(r' d="([^"]*)"', svg)
