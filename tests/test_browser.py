"""The report opens from disk in headless Chromium: no request leaves the file, every figure loads.

Chromium comes from Debian's packages; when it is missing the fixture installs it
(``apt-get install chromium``, as root), as a fresh machine needs.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        assert os.geteuid() == 0, "Chromium is missing and installing it needs root (apt-get install chromium)"
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, timeout=600, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, timeout=1200, env=env)
    assert shutil.which(CHROMIUM) or Path(CHROMIUM).exists()
    return CHROMIUM


def test_report_renders_offline_with_every_figure(tiny_study, chromium, tmp_path):
    from playwright.sync_api import sync_playwright

    report = tiny_study / "results" / "report" / "index.html"
    requests = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(report.as_uri(), wait_until="load")
        images = page.eval_on_selector_all(
            "img", "els => els.map(e => ({alt: e.alt, ok: e.complete && e.naturalWidth > 0}))")
        svgs = page.eval_on_selector_all("figure svg", "els => els.map(e => e.getBoundingClientRect().height)")
        first_screen = page.inner_text("body")[:3000]
        captions = page.eval_on_selector_all("figure", "els => els.map(e => !!e.querySelector('figcaption'))")
        page.screenshot(path=str(tmp_path / "report.png"))
        browser.close()
    outside = [u for u in requests if not (u.startswith("file://") or u.startswith("data:"))]
    assert not outside, outside
    assert images and all(i["ok"] for i in images), [i for i in images if not i["ok"]]
    assert len(svgs) >= 4 and all(h > 50 for h in svgs)  # forest + performance per scenario
    assert captions and all(captions)
    assert first_screen.index("Verdicts") < first_screen.index("Scenario")
    assert "DISAGREES" in first_screen.upper() and "vectorized_as_posted" in first_screen
    assert (tmp_path / "report.png").stat().st_size > 50_000
