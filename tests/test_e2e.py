"""End to end: `streamlit run` on a free port, the pair view opened in headless Chromium."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = ROOT / "tests" / "screenshots"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port: int, seconds: float = 90) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError("streamlit did not start")


STREAMLIT = [sys.executable, "-m", "streamlit", "run"]


@contextlib.contextmanager
def serving(
    workspace: Path,
    log: Path,
    *,
    launcher: list[str] = STREAMLIT,
    flags: tuple[str, ...] = (),
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[str]:
    """The repository's app on ``workspace``, served on a free port while the block runs:
    its base URL. ``launcher`` starts streamlit up to its ``run``; stderr goes to ``log``
    (a pipe nobody reads could fill up)."""
    port = free_port()
    process = subprocess.Popen(
        [
            *launcher,
            str(ROOT / "streamlit_app.py"),
            "--server.port",
            str(port),
            *flags,
            "--",
            "--workspace",
            str(workspace),
        ],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        env=env if env is not None else {**os.environ},
    )
    try:
        wait_healthy(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:  # streamlit may linger on open sessions
            process.kill()
            process.wait(timeout=20)


@contextlib.contextmanager
def chromium() -> Iterator:
    """Debian's chromium, headless, through playwright (no browser download)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.mark.subprocess
@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_parallel_view_in_a_real_browser(seeded, tmp_path):
    from workbench import Workspace

    from .files import link_seed_pair

    ws = Workspace(seeded.copy_to(tmp_path / "ws"))
    alignment = link_seed_pair(ws)  # a comparable fa-en pair (a run keeps no seed links)
    flags = ("--server.headless", "true", "--browser.gatherUsageStats", "false")
    with serving(ws.path, tmp_path / "streamlit.log", flags=flags) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1500, "height": 1800})
        page.goto(f"{base}/?page=Parallel+view&alignment={alignment}")
        page.wait_for_selector("div.cv", timeout=90_000)  # the seeds' pairs are comparable
        rtl_cells = page.locator('div.cv span.t[dir="rtl"]').count()
        ltr_cells = page.locator('div.cv span.t[dir="ltr"]').count()
        exceptions = page.locator('[data-testid="stException"]').count()
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "parallel-view.png"), full_page=True)
    assert rtl_cells > 0 and ltr_cells > 0
    assert exceptions == 0
