"""Debian's Chromium as the browser tests, benchmarks/frames.py and scripts/screenshots.py launch it through
Playwright, which never downloads a browser here (scripts/test.sh installs /usr/bin/chromium).

Not part of the package: tools import it from scripts/ (the folder is on sys.path when a script in it runs;
the others insert it)."""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # containers and CI run as root, where Chromium's sandbox refuses to start
    "--disable-gpu",  # headless on machines without one
    "--disable-quic",
    "--no-first-run",
    # no calls home: the machines may be offline, and such traffic would only add noise to measurements
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch(playwright, **options):
    """A headless Chromium from a started sync_playwright(), with CHROMIUM_ARGS."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, **options)
