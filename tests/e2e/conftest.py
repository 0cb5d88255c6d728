"""Browser test harness: Debian's Chromium driven by Playwright (sync API) against
pytest-django's live server, axe-core for accessibility and a record of every request.

One browser per session; a fresh context (cookies, storage, JavaScript on or off) per test.

The database: live_server tests are transactional, so Django flushes the database after
each one, and a flushed database has lost the catalogue and even the rows Wagtail's
migrations created. `site` therefore puts the catalogue back before every test from a
copy of the loaded database taken once per package (`_catalogue_snapshot`: SQLite's
backup API, or copies of the tables on PostgreSQL), and the copy is restored again when
the package is done, for the tests that run after it.
"""

from __future__ import annotations

import contextlib
import sqlite3
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import load_catalogue

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
BLOCKING_IMPACTS = ("critical", "serious")
LOCAL_SCHEMES = {"data", "blob", "about"}  # never reach the network
TIMEOUT_MS = 10_000

# Pages opened in a context with JavaScript switched off (see `axe_violations`).
_SCRIPTLESS_PAGES: weakref.WeakSet = weakref.WeakSet()


# --- helpers -----------------------------------------------------------------------------


def _inject_axe(page) -> None:
    if page.evaluate("() => typeof window.axe === 'object'"):
        return
    from playwright.sync_api import Error as PlaywrightError

    with contextlib.suppress(PlaywrightError):  # the site's CSP refuses inline scripts
        page.add_script_tag(path=str(AXE_JS))
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # `script-src 'self'` blocks the tag; evaluating through the DevTools protocol
        # is not subject to the page's CSP. The CSP itself stays on for every test.
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")


def _audit_copy(page):
    """A page with JavaScript showing what a JavaScript-less page shows.

    axe needs script and timers, which never run in a context with JavaScript off. The
    copy gets the same HTML at the same URL (styles and images load from the server as
    before); the site's own scripts are kept out, so the DOM is the one without them.
    """
    html = page.content()
    document_url = page.url.split("#")[0]
    context = page.context.browser.new_context(
        viewport=page.viewport_size, locale="sv-SE", java_script_enabled=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.route(
        lambda url: url.split("#")[0] == document_url,
        lambda route: route.fulfill(
            status=200, content_type="text/html; charset=utf-8", body=html
        ),
    )
    context.route("**/*.js", lambda route: route.abort())
    copy = context.new_page()
    copy.goto(page.url)
    return context, copy


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page as it is now."""
    if not AXE_JS.exists():
        pytest.skip(f"axe-core is not installed ({AXE_JS} is missing): run `npm install`")
    context = None
    if page in _SCRIPTLESS_PAGES:
        context, page = _audit_copy(page)
    try:
        _inject_axe(page)
        return page.evaluate(
            """async (tags) => {
                const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                    nodes: v.nodes.map(n => ({
                        target: n.target.join(" "), impact: n.impact,
                        summary: n.failureSummary,
                    })),
                }));
            }""",
            AXE_TAGS,
        )
    finally:
        if context is not None:
            context.close()


def assert_accessible(page, label: str = "") -> None:
    """Fail listing every serious or critical axe-core violation (WCAG 2.0/2.1 A, AA)."""
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
    if not blocking:
        return
    lines = [f"axe: {len(blocking)} serious/critical violation(s) on {label or page.url}"]
    for violation in blocking:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    at {node['target']}")
            lines.extend(f"       {line}" for line in (node["summary"] or "").splitlines())
    pytest.fail("\n".join(lines), pytrace=False)


def assert_no_third_party(requests: list[str], server_url: str) -> None:
    """Every request went to the live server itself (same scheme, host and port)."""
    own = urlsplit(server_url)
    foreign = []
    for url in requests:
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES:
            continue
        if (parts.scheme, parts.netloc) != (own.scheme, own.netloc):
            foreign.append(url)
    assert not foreign, f"requests left {own.netloc}:\n" + "\n".join(foreign)


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (`make browser` as root)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed in the virtualenv: pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _forget_cached_rows() -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    ContentType.objects.clear_cache()  # the ids from before the flush are back
    cache.clear()  # navigation, Wagtail's site root paths …


class SQLiteSnapshot:
    """A byte-for-byte copy of the SQLite test database (sqlite3's backup API)."""

    def __init__(self, connection):
        connection.ensure_connection()
        self.connection = connection
        self.copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(self.copy)

    def restore(self) -> None:
        self.connection.ensure_connection()
        self.copy.backup(self.connection.connection)
        _forget_cached_rows()

    def close(self) -> None:
        self.copy.close()


class TableSnapshot:
    """Copies of every Django table, kept in the test database itself (PostgreSQL).

    Django's flush empties only its own tables, so the copies survive it.
    """

    PREFIX = "e2e_snapshot__"

    def __init__(self, connection):
        self.connection = connection
        self.tables = sorted(
            connection.introspection.django_table_names(only_existing=True, include_views=False)
        )
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for table in self.tables:
                copy = quote(self.PREFIX + table)
                cursor.execute(f"DROP TABLE IF EXISTS {copy}")
                cursor.execute(f"CREATE TABLE {copy} AS SELECT * FROM {quote(table)}")  # noqa: S608

    def restore(self) -> None:
        from django.apps import apps
        from django.core.management.color import no_style
        from django.db import transaction

        quote = self.connection.ops.quote_name
        models = apps.get_models(include_auto_created=True)
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            cursor.execute(
                f"TRUNCATE {', '.join(quote(t) for t in self.tables)} RESTART IDENTITY CASCADE"
            )
            for table in self.tables:
                copy = quote(self.PREFIX + table)
                cursor.execute(f"INSERT INTO {quote(table)} SELECT * FROM {copy}")  # noqa: S608
            for sql in self.connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
        _forget_cached_rows()

    def close(self) -> None:
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            for table in self.tables:
                cursor.execute(f"DROP TABLE IF EXISTS {quote(self.PREFIX + table)}")


@pytest.fixture(scope="package", autouse=True)
def _catalogue_snapshot(browser, django_db_setup, django_db_blocker):
    """The test database with the catalogue loaded, copied once for the package.

    Each live-server test starts from the copy (`site`); Django flushes after the test.
    Restoring takes milliseconds, where loading the catalogue takes seconds and cannot
    even start on a flushed database (the rows Wagtail's migrations created, the root
    page and the default locale, are gone too). When the package is done the copy is
    put back, so the tests that run after it find the database as they expect.
    """
    from django.db import connection

    from courses.models import LessonPage

    with django_db_blocker.unblock():
        if not LessonPage.objects.exists():
            load_catalogue()
        if connection.vendor == "sqlite":
            snapshot = SQLiteSnapshot(connection)
        else:
            snapshot = TableSnapshot(connection)
    yield snapshot
    with django_db_blocker.unblock():
        snapshot.restore()
        snapshot.close()


@pytest.fixture
def site(live_server, _catalogue_snapshot) -> str:
    """The live server's base URL, with the catalogue loaded (the live server's tests
    are transactional: Django flushes the database after each one)."""
    _catalogue_snapshot.restore()
    return live_server.url


@dataclass
class Tab:
    """A page in its own browser context, with every URL it requested and every
    uncaught script error."""

    page: object
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def open_tab(browser, site) -> Iterator[Callable[..., Tab]]:
    """Open a page in a new context; keyword arguments go to `browser.new_context`."""
    contexts = []

    def open_(**options) -> Tab:
        options.setdefault("locale", "sv-SE")
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        tab = Tab(context.new_page())
        tab.page.on("request", lambda request: tab.requests.append(request.url))
        tab.page.on("pageerror", lambda error: tab.errors.append(str(error)))
        if options.get("java_script_enabled") is False:
            _SCRIPTLESS_PAGES.add(tab.page)
        return tab

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def tab(open_tab) -> Tab:
    """A page with JavaScript in a fresh context (desktop viewport)."""
    return open_tab()


@pytest.fixture
def page(tab):
    return tab.page
