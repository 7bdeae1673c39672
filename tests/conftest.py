"""What the browser tests and the notebook tests share: one headless Debian Chromium for the whole run (a second
Playwright in the same process would fail: its synchronous API runs inside the first one's event loop)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from chromium import CHROMIUM, launch  # noqa: E402  (scripts/chromium.py: Chromium's path and flags)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/test.sh, which installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = launch(p)
        yield chromium
        chromium.close()
