"""Every kind of public page in a real browser: it renders, axe-core finds no serious or
critical WCAG 2.0/2.1 A/AA violation, and the browser fetches nothing from another host."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_accessible, assert_no_third_party

pytestmark = pytest.mark.browser

LESSON = "/kurser/grunder/sa-fungerar-chattbotar/"


def visit(tab, site: str, path: str, status: int = 200):
    response = tab.page.goto(site + path)
    assert response is not None and response.status == status, f"{path}: {response.status}"
    assert tab.page.locator("html").get_attribute("lang") == "sv"
    return tab.page


def check(tab, site: str) -> None:
    assert_accessible(tab.page)
    assert_no_third_party(tab.requests, site)
    assert not tab.errors, tab.errors


def test_home(tab, site):
    page = visit(tab, site, "/")
    assert page.locator("h1").count() == 1
    assert page.locator(".cards .card").count() >= 1
    assert page.locator(".skip-link").get_attribute("href") == "#main"
    check(tab, site)


def test_course_catalogue_lists_every_course(tab, site):
    from wagtail.models import Site

    from courses.models import CoursePage

    courses = CoursePage.objects.live().in_site(Site.objects.get(is_default_site=True))
    page = visit(tab, site, "/kurser/")
    assert page.locator(".cards .card").count() == courses.count()
    assert page.locator(".theme-filter a[aria-current]").inner_text() == "Alla teman"
    check(tab, site)


def test_theme_filter_shows_only_that_theme(tab, site):
    page = visit(tab, site, "/kurser/?tema=kallkritik")
    cards = page.locator(".cards .card")
    assert cards.count() == 1
    assert cards.locator("a").first.get_attribute("href").rstrip("/").endswith("/kallkritik")
    current = page.locator(".theme-filter a[aria-current]")
    assert current.count() == 1
    assert current.get_attribute("href").endswith("?tema=kallkritik")
    check(tab, site)


def test_course_page(tab, site):
    from courses.models import CoursePage

    course = CoursePage.objects.get(slug="grunder")
    page = visit(tab, site, "/kurser/grunder/")
    assert page.locator("h1").inner_text() == course.title
    assert page.locator(".lesson-list li").count() == course.lessons().count()
    check(tab, site)


def test_lesson_page(tab, site):
    page = visit(tab, site, LESSON)
    assert page.locator("h1").count() == 1
    assert page.locator("[data-quiz] [data-quiz-form]").count() == 1
    assert page.locator(".pager a[rel=prev]").count() == 1
    assert page.locator(".pager a[rel=next]").count() == 1
    check(tab, site)


def test_glossary(tab, site):
    page = visit(tab, site, "/ordlista/")
    assert page.locator("dl.glossary dt").count() >= 10
    check(tab, site)


def test_search_finds_pages(tab, site):
    page = visit(tab, site, "/sok/?q=chattbot")
    assert page.locator("ol.search-results li").count() >= 1
    assert "chattbot" in page.locator("[role=status]").inner_text()
    check(tab, site)


def test_not_found_is_swedish(tab, site):
    page = visit(tab, site, "/finns-inte/", status=404)
    assert page.locator("h1").inner_text() == "Vi kunde inte hitta sidan"
    assert page.title().startswith("Sidan hittades inte")
    check(tab, site)


def test_printable_sheet(tab, site):
    from courses.models import CoursePage

    course = CoursePage.objects.get(slug="grunder")
    page = visit(tab, site, "/kurser/grunder/gor-sa-har/")
    assert page.locator("h1").inner_text() == "Gör så här"
    assert page.locator(".checklist--sheet li").count() == len(course.checklist)
    assert page.get_by_role("button", name="Skriv ut").is_visible()
    check(tab, site)


NARROW_PAGES = [LESSON, "/", "/kurser/", "/kurser/grunder/", "/ordlista/", "/sok/?q=chattbot"]


def test_narrow_screen_has_no_horizontal_scroll(open_tab, site):
    """WCAG 1.4.10 Reflow: at 320 CSS pixels wide nothing scrolls sideways (the lesson
    page first, then the other page types)."""
    tab = open_tab(viewport={"width": 320, "height": 640})
    too_wide = {}
    for path in NARROW_PAGES:
        page = visit(tab, site, path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            too_wide[path] = width
    assert not too_wide, f"wider than the 320px viewport: {too_wide}"
    assert_no_third_party(tab.requests, site)
