"""The report opens from disk in headless Chromium: no request leaves the file, every figure loads.

Chromium comes from Debian's packages; ``browser.ensure_chromium`` (tests/browser.py) installs it when
missing (``apt-get install chromium``, as root), as a fresh machine needs; without root and Chromium
the test is skipped, saying so.
"""

import pytest
from browser import inspect_report, missing_chromium

pytestmark = [pytest.mark.browser, pytest.mark.e2e,
              pytest.mark.skipif(missing_chromium() is not None, reason=str(missing_chromium()))]


def test_report_renders_offline_with_every_figure(tiny_study, tmp_path):
    screenshot = tmp_path / "report.png"
    seen = inspect_report(tiny_study / "results" / "report" / "index.html", screenshot)
    outside = [u for u in seen["requests"] if not u.startswith(("file://", "data:"))]
    assert not outside, outside
    images = seen["images"]
    assert images and all(i["ok"] for i in images), [i for i in images if not i["ok"]]
    assert len(seen["svg_heights"]) >= 4 and all(h > 50 for h in seen["svg_heights"])  # forest + performance
    assert seen["captioned"] and all(seen["captioned"])
    text = seen["first_screen"]
    assert text.index("Verdicts") < text.index("tiny")  # the verdicts first, then per scenario
    assert "DIFFERENT MODEL" in text.upper() and "vectorized_as_posted" in text
    assert "SAME MODEL" in text.upper() and "prior predictive" in text  # the evidence table's labels and columns
    assert screenshot.stat().st_size > 50_000
