"""Figures' common ground: matplotlib without a display, saving a figure reproducibly and compactly, shared colours.

The figures themselves, one module per family: :mod:`zsneq.presentation.summary_figures` (forest,
performance), :mod:`zsneq.presentation.calibration_figures` (coverage, SBC) and
:mod:`zsneq.presentation.benchmark_figures` (the likelihood benchmark).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SAVE_RC = {
    "svg.fonttype": "none",  # SVG text as text, not glyph outlines: a fraction of the bytes, selectable
    "path.simplify": True,
    "path.simplify_threshold": 0.5,  # drop vertices closer than half a pixel to the line through their neighbours
}


PNG_COLORS = 64  # a plot's flat colours and their antialiased edges fit a palette this size; a third of RGBA's bytes


LEVEL_COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown")


def save_figure(fig: plt.Figure, path, dpi: float = 100) -> None:
    """Save ``fig`` (format from the suffix) without a date, so reruns give the same file.

    SVG text stays text (``SAVE_RC``); a PNG is stored with a palette of ``PNG_COLORS`` colours
    (:func:`palette_png`).
    """
    import io

    from zsneq.core.io import atomic_path

    fmt = str(path).rsplit(".", 1)[-1]
    with atomic_path(path) as tmp, plt.rc_context(SAVE_RC):
        if fmt == "png":
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
            Path(tmp).write_bytes(palette_png(buffer.getvalue()))
        else:
            fig.savefig(tmp, format=fmt, dpi=dpi, bbox_inches="tight", metadata={"Date": None})  # reproducible files
    plt.close(fig)


def palette_png(png: bytes, colors: int = PNG_COLORS) -> bytes:
    """A PNG image re-encoded with an adaptive palette of at most ``colors`` colours (no dithering), opaque."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        rgb = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image.convert("RGBA")).convert("RGB")
    out = io.BytesIO()
    rgb.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(out, "PNG", optimize=True)
    return out.getvalue()


def of_scenario(table, scenario: str):
    """A study table's rows of one scenario (what a report figure draws)."""
    return table[table["scenario"] == scenario]
