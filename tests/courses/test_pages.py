"""The public pages, rendered through the real URL routing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from courses.models import (
    CourseIndexPage,
    CoursePage,
    GlossaryPage,
    HomePage,
    LessonPage,
)
from editions.models import LocalPage

pytestmark = pytest.mark.django_db

LESSON_QUERY_CEILING = 15


class TestPageTree(WagtailPageTestCase):
    def test_parent_and_child_types(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertAllowedSubpageTypes(HomePage, {CourseIndexPage, GlossaryPage, LocalPage})
        self.assertAllowedParentPageTypes(CourseIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(CourseIndexPage, {CoursePage})
        self.assertAllowedParentPageTypes(CoursePage, {CourseIndexPage})
        self.assertAllowedSubpageTypes(CoursePage, {LessonPage})
        self.assertAllowedParentPageTypes(LessonPage, {CoursePage})
        self.assertAllowedSubpageTypes(LessonPage, set())
        self.assertAllowedParentPageTypes(GlossaryPage, {HomePage})

    def test_a_lesson_cannot_live_outside_a_course(self):
        self.assertCanNotCreateAt(CourseIndexPage, LessonPage)
        self.assertCanNotCreateAt(HomePage, CoursePage)
        self.assertCanCreateAt(CoursePage, LessonPage)


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def test_home_lists_the_courses(client, catalogue):
    html = get(client, "/")
    assert '<html lang="sv"' in html
    assert 'href="#main"' in html  # skip link
    for title in ("Vad är AI?", "Källkritik", "Grooming och trygghet på nätet"):
        assert title in html


def test_catalogue_filters_by_theme(client, catalogue):
    html = get(client, "/kurser/?tema=kallkritik")
    assert "/kurser/kallkritik/" in html
    assert "/kurser/grunder/" not in html
    assert 'aria-current="true"' in html
    assert "/kurser/grunder/" in get(client, "/kurser/")


def test_course_page_lists_goals_and_lessons_in_order(client, catalogue):
    html = get(client, "/kurser/grunder/")
    course = CoursePage.objects.get(slug="grunder")
    titles = [lesson.title for lesson in course.lessons()]
    positions = [html.index(title) for title in titles]
    assert positions == sorted(positions) and len(titles) >= 3
    assert "Efter kursen kan du" in html
    assert "Gör så här" in html


def test_lesson_page_has_progress_and_neighbours(client, lesson):
    html = get(client, lesson.url)
    lessons = list(lesson.get_parent().specific.lessons())
    number = [p.id for p in lessons].index(lesson.id) + 1
    assert f"Lektion {number} av {len(lessons)}" in html
    assert f'<progress max="{len(lessons)}" value="{number}"' in html
    assert lessons[number - 2].url in html and lessons[number].url in html
    assert 'rel="prev"' in html and 'rel="next"' in html
    assert "Källor och läs mer" in html


def test_lesson_page_query_count_has_a_ceiling(client, lesson):
    client.get(lesson.url)  # warm the per-process caches (site root paths, navigation)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(lesson.url).status_code == 200
    assert len(queries) <= LESSON_QUERY_CEILING, "\n".join(q["sql"] for q in queries)


def test_glossary_page_is_alphabetical_in_swedish(client, catalogue):
    html = get(client, "/ordlista/")
    assert 'id="begrepp-chattbot"' in html
    headings = [h for h in ('<h2 id="bokstav-' + str(n) for n in range(1, 40)) if h in html]
    assert len(headings) > 5
    letters = [html.split(h + '">')[1][0] for h in headings]
    assert letters == sorted(letters, key=lambda c: "ABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖ".find(c))


def test_search_finds_lessons_and_terms(client, catalogue):
    html = get(client, "/sok/?q=chattbot")
    assert "/kurser/grunder/sa-fungerar-chattbotar/" in html
    assert "I ordlistan" in html
    assert "Sök" in get(client, "/sok/")


def test_printable_checklist_sheet(client, catalogue):
    html = get(client, "/kurser/grunder/gor-sa-har/")
    course = CoursePage.objects.get(slug="grunder")
    assert all(item.value in html for item in course.checklist)
    assert "print.css" in html


def test_404_is_swedish(client, catalogue):
    html = get(client, "/finns-inte/", status=404)
    assert "Vi kunde inte hitta sidan" in html


def test_error_pages_need_no_database(rf, django_db_blocker):
    from lms.views import page_not_found, server_error

    with django_db_blocker.block():
        assert "Något gick fel" in server_error(rf.get("/")).content.decode()
        assert page_not_found(rf.get("/x")).status_code == 404


def test_healthz_reports_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "status": "ok"}


def test_healthz_is_503_when_the_database_is_down(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise ConnectionError("database down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_public_pages_send_a_strict_csp(client, catalogue):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'self'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"


def test_api_lists_lessons_with_course_metadata(client, catalogue):
    response = client.get("/api/v2/pages/?type=courses.CoursePage&fields=estimated_minutes,level")
    assert response.status_code == 200
    items = response.json()["items"]
    assert {item["meta"]["slug"] for item in items} >= {"grunder", "kallkritik"}
    assert all("estimated_minutes" in item for item in items)
    assert client.post("/api/v2/pages/").status_code == 405


@pytest.mark.skipif(connection.vendor != "postgresql", reason="Swedish stemming is PostgreSQL's")
def test_search_uses_swedish_stemming_on_postgresql(client, catalogue):
    # "chattbotarna" (definite plural) shares its stem with "chattbotar"/"chattbot".
    html = get(client, "/sok/?q=chattbotarna")
    assert "/kurser/grunder/sa-fungerar-chattbotar/" in html
