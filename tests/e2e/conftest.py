"""Browser journeys: a real server process, Debian's chromium driven by Playwright, axe-core.

Screenshots of every page at phone (390×844) and desktop (1280×800) width are written to
``artifacts/screenshots/`` for people to look at.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`hipnerve serve` in its own process, on a fresh SQLite file."""
    port = _free_port()
    data = tmp_path_factory.mktemp("e2e-data")
    env = {**os.environ, "HIPNERVE_DATA_DIR": str(data), "HIPNERVE_EMERGENCY_NUMBER": "999"}
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "hipnerve.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(
                    f"server exited: {process.stderr.read().decode() if process.stderr else ''}"
                ) from None
            time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError("server did not start within 30 s")
    yield base
    process.terminate()
    process.wait(timeout=10)
    if process.stderr:
        process.stderr.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium not installed: run `apt-get install chromium` (.ci/run does)")
    if not AXE.exists():
        pytest.fail("axe-core not installed: run `npm ci --prefix tests/e2e` (.ci/run does)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    # bypass_csp lets the test inject axe-core; the app's own pages never need inline scripts.
    context = browser.new_context(viewport=request.param, bypass_csp=True)
    new_page = context.new_page()
    errors: list[str] = []
    new_page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield new_page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def check_page(page: Page, name: str) -> None:
    """Screenshot the page and run axe-core: no serious or critical violations."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.screenshot(path=str(SHOTS / f"{name}_{width}.png"), full_page=True)
    page.add_script_tag(path=str(AXE))
    results: dict[str, Any] = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} - {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]
    assert not bad, f"{name}: axe violations:\n" + "\n".join(bad)


@pytest.fixture
def check() -> Callable[[Page, str], None]:
    return check_page
