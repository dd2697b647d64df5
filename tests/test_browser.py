"""In a real browser: the address keeps the place across a reload and the back button,
Persian search typed with Arabic letters, and the app (as shipped, with
`.streamlit/config.toml`) talks to nothing but this machine.

One `streamlit run` of the repository's app, with no command-line settings, so that the
shipped config is what applies. It runs under a Python audit hook that logs every socket
connection and host-name lookup the server makes; the browser logs every request the pages
make. Without the config, streamlit looks up the machine's network address (a UDP connect
to 8.8.8.8), its external one (checkip.amazonaws.com), and the page sends usage statistics
to data.streamlit.io: all three fail the last test.
"""

from __future__ import annotations

import ast
import ipaddress
import os
import sys
from urllib.parse import parse_qs, urlparse

import pytest

from .test_e2e import CHROMIUM, SCREENSHOTS, chromium, serving

pytestmark = [
    pytest.mark.slow,
    pytest.mark.subprocess,  # streamlit and chromium
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)"),
]

# `python -c HOOK LOG streamlit-arguments...`: streamlit, with every connect and lookup logged
HOOK = """
import sys
log = open(sys.argv.pop(1), "a", buffering=1)
log.write("hook on\\n")
def audit(event, args):
    if event == "socket.connect":
        log.write(f"connect {args[1]!r}\\n")
    elif event == "socket.getaddrinfo":
        log.write(f"lookup {args[0]!r}\\n")
sys.addaudithook(audit)
sys.argv = ["streamlit", *sys.argv[1:]]
from streamlit.web.cli import main
main()
"""
REQUESTS: list[str] = []  # every URL any page of this module asked for


@pytest.fixture(scope="module")
def server(seeded_with_stories, tmp_path_factory):
    from workbench import Workspace

    from .files import link_seed_pair

    folder = tmp_path_factory.mktemp("browser")
    ws = Workspace(seeded_with_stories.copy_to(folder / "ws"))
    link_seed_pair(ws)  # Persian sentences with a counterpart, for the search test
    log = folder / "sockets.log"
    with serving(
        ws.path,
        folder / "streamlit.log",
        launcher=[sys.executable, "-c", HOOK, str(log), "run"],
        cwd=folder,  # the config next to the app applies wherever it is started from
        env={**os.environ, "HOME": str(folder)},  # no user-level streamlit config
    ) as base:
        yield base, log, ws


@pytest.fixture(scope="module")
def browser():
    with chromium() as shared:
        yield shared


def new_page(browser):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.on("request", lambda request: REQUESTS.append(request.url))
    return page


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlparse(url).query)


def test_a_reload_keeps_pair_and_focused_row(server, browser):
    base, _, ws = server
    alignment = ws.conn.execute(
        "SELECT alignment_id FROM links GROUP BY alignment_id ORDER BY COUNT(*) DESC LIMIT 1"
    ).fetchone()[0]
    page = new_page(browser)
    page.goto(f"{base}/?page=Parallel+view&alignment={alignment}")
    page.wait_for_selector(".cur", timeout=90_000)
    visited = []  # (address, focused row) after each step
    current = "document.querySelector('.st-key-pv_panel h3').textContent"
    panel = page.locator(".st-key-pv_panel h3")  # "Row 1 of 4: [2]-[7]"
    for _ in range(2):
        before, address = panel.inner_text(), page.url
        page.get_by_role("button", name="Unconfirmed ▶").click()
        page.wait_for_function(f"{current} !== {before!r}", timeout=30_000)
        page.wait_for_function(f"location.href !== {address!r}", timeout=30_000)
        visited.append((page.url, panel.inner_text()))
    place = params(page.url)
    assert place["alignment"] == [str(alignment)] and place["focus"][0].startswith("link:")
    page.reload()
    page.wait_for_selector(".cur", timeout=90_000)
    assert params(page.url) == place
    assert panel.inner_text() == visited[1][1]
    page.go_back()  # the browser's back button: the row focused one step earlier
    page.wait_for_function(f"location.href === {visited[0][0]!r}", timeout=30_000)
    page.wait_for_timeout(3000)
    assert panel.inner_text() == visited[0][1] != visited[1][1]
    page.close()


def test_persian_search_typed_with_arabic_letters(server, browser):
    base, _, _ = server
    page = new_page(browser)
    page.goto(f"{base}/?page=Search")
    box = page.get_by_label("Words in any language")
    box.fill("پاريس")  # Arabic YEH, as a keyboard set to Arabic types it
    box.press("Enter")
    page.wait_for_selector("mark", timeout=90_000)
    page.wait_for_function("document.querySelectorAll('div.hit mark').length >= 4")
    direction = page.eval_on_selector(".st-key-q input", "e => getComputedStyle(e).direction")
    assert direction == "rtl"
    opens = page.get_by_role("button", name="Open beside")
    opens.first.wait_for(timeout=30_000)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "search.png"), full_page=True)
    opens.first.click()
    page.wait_for_selector(".st-key-pv_panel h3", timeout=90_000)
    place = params(page.url)
    assert place["page"] == ["Parallel view"] and place["focus"][0].startswith("link:")
    assert page.locator('[data-testid="stException"]').count() == 0
    page.close()


def test_nothing_leaves_the_machine(server, browser):
    """Runs last: every page the tests above opened, plus the export page, and then the
    server's and the browser's connections are all to this machine."""
    base, log, _ = server
    page = new_page(browser)
    page.goto(f"{base}/?page=Export")
    page.wait_for_selector("text=Download TSV", timeout=90_000)
    page.wait_for_timeout(3000)  # statistics, when on, are sent once the page has run
    page.close()
    hosts = {urlparse(url).hostname for url in REQUESTS if not url.startswith(("data:", "blob:"))}
    assert hosts == {"127.0.0.1"}, f"the pages asked other hosts: {hosts}"
    entries = log.read_text().splitlines()
    assert entries[:1] == ["hook on"], "the audit hook is not running"
    outside = [e for e in entries[1:] if not _local(e)]
    assert not outside, f"the server reached out: {outside[:5]}"


def _local(entry: str) -> bool:
    """A logged connect or lookup that stays on this machine (loopback or a Unix socket)."""
    kind, _, value = entry.partition(" ")
    target = ast.literal_eval(value)  # written by repr() above: a str, a tuple or None
    host = target[0] if isinstance(target, tuple) else target
    if host in (None, "", "localhost") or (kind == "connect" and isinstance(target, str)):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback or host in ("0.0.0.0", "::")
    except ValueError:
        return False
