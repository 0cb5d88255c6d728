"""Browser test harness: Debian's Chromium driven by Playwright against pytest-django's
live server, with axe-core for accessibility and a record of every request a page makes.

One browser per session, a fresh context (cookies, storage) per test. The live server's
tests are transactional, so the database is flushed after each one; `site` reloads the
catalogue when it is gone (like the `catalogue` fixture in tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
# Schemes that never reach the network.
LOCAL_SCHEMES = {"data", "blob", "about"}
TIMEOUT_MS = 10_000


# --- helpers -----------------------------------------------------------------------------


def assert_accessible(page, label: str = "") -> None:
    """Run axe-core (WCAG 2.0/2.1 A and AA) on the page; fail on serious or critical issues."""
    if not AXE_JS.exists():
        pytest.skip(f"axe-core is not installed ({AXE_JS} is missing): run `npm install`")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # A <script> tag with axe's source; the site's CSP (script-src 'self') refuses
        # inline scripts, so fall back to evaluating it through the DevTools protocol.
        try:
            page.add_script_tag(path=str(AXE_JS))
        except Exception:  # noqa: BLE001, S110 - blocked by CSP; handled below
            pass
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;true")
    results = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), impact: n.impact})),
            }));
        }""",
        AXE_TAGS,
    )
    blocking = [v for v in results if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"axe found {len(blocking)} serious/critical violation(s) on {label or page.url}:"]
        for v in blocking:
            lines.append(f"- [{v['impact']}] {v['id']}: {v['help']}")
            lines.extend(f"    {node['target']}" for node in v["nodes"])
        pytest.fail("\n".join(lines), pytrace=False)


def assert_no_third_party(requests: list[str], server_url: str) -> None:
    """Every request went to the live server itself (or never left the browser)."""
    own = urlsplit(server_url)
    foreign = [
        url
        for url in requests
        if urlsplit(url).scheme not in LOCAL_SCHEMES
        and (urlsplit(url).scheme, urlsplit(url).netloc) != (own.scheme, own.netloc)
    ]
    assert not foreign, "requests left the site:\n" + "\n".join(foreign)


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (`make browser` as root)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed in the virtualenv (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, catalogue):
    """The live server's base URL, with the catalogue loaded (reloaded after a flush)."""
    from django.core.cache import cache

    cache.clear()  # navigation and site root paths of a flushed database
    return live_server.url


@dataclass
class Tab:
    """A page in its own browser context and every URL it requested."""

    page: object
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def open_tab(browser, site) -> Iterator[Callable[..., Tab]]:
    """Factory: a new context and page; keyword arguments go to `browser.new_context`."""
    contexts = []

    def open_(**options) -> Tab:
        options.setdefault("locale", "sv-SE")
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        tab = Tab(context.new_page())
        tab.page.on("request", lambda request: tab.requests.append(request.url))
        return tab

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def tab(open_tab) -> Tab:
    return open_tab()


@pytest.fixture
def page(tab):
    return tab.page

