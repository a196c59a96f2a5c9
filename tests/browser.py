"""Open the HTML report in headless Chromium (Debian's package), as a reader would: a test helper.

Used by the browser test and to take the README's screenshot:
    python tests/browser.py results/report/index.html docs/report.png
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def missing_chromium() -> str | None:
    """Why Chromium cannot be had here (missing, and installing it needs root), or None when it can."""
    if CHROMIUM.exists() or os.geteuid() == 0:
        return None
    return f"{CHROMIUM} is missing and installing it needs root (apt-get install chromium)"


def ensure_chromium() -> Path:
    """Install Debian's Chromium when it is missing (needs root and the package registry)."""
    if not CHROMIUM.exists():
        if reason := missing_chromium():
            raise RuntimeError(reason)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, timeout=600, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, timeout=1200, env=env)
    return CHROMIUM


def inspect_report(report: Path, screenshot: Path | None = None, width: int = 1400, height: int = 1000,
                   full_page: bool = False) -> dict:
    """Load ``report`` from disk and report what the browser saw.

    Returns the URLs of every request the page made, each image's load state,
    the heights of inline SVG figures, whether every figure has a caption, and
    the text of the page.
    """
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(ensure_chromium()), args=ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(Path(report).resolve().as_uri(), wait_until="load")
        seen = {
            "requests": requests,
            "images": page.eval_on_selector_all(
                "img", "els => els.map(e => ({alt: e.alt, ok: e.complete && e.naturalWidth > 0}))"),
            "svg_heights": page.eval_on_selector_all(
                "figure svg", "els => els.map(e => e.getBoundingClientRect().height)"),
            "captioned": page.eval_on_selector_all(
                "figure", "els => els.map(e => !!e.querySelector('figcaption'))"),
            "first_screen": page.evaluate(
                "() => document.body.innerText.slice(0, 4000)"),
        }
        if screenshot is not None:
            Path(screenshot).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=full_page)
        browser.close()
    return seen


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python tests/browser.py REPORT.html SCREENSHOT.png")
    result = inspect_report(Path(sys.argv[1]), Path(sys.argv[2]))
    outside = [u for u in result["requests"] if not u.startswith(("file://", "data:"))]
    print(f"{len(result['images'])} images, {len(result['svg_heights'])} inline figures, "
          f"{len(outside)} requests outside the file")
