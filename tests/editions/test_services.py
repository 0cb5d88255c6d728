"""Creating editions and the national catalogue flowing into them."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from wagtail.models import Collection, GroupPagePermission, Page, Site

from courses.models import CourseIndexPage, CoursePage, LessonPage
from editions.models import Edition, EditionCourseChoice, EditionSettings
from editions.services import (
    EditionError,
    EditionSpec,
    create_edition,
    delete_edition,
    hide_course,
    make_local_copy,
    show_course,
    sync_catalogue,
)

pytestmark = pytest.mark.django_db

NATIONAL_COURSES = 7


def edition_courses(edition):
    index = CourseIndexPage.objects.child_of(edition.site.root_page).get()
    return CoursePage.objects.child_of(index)


def test_an_edition_has_everything(edition_a):
    site = edition_a.site
    assert site.hostname == "ankeby.localhost" and site.site_name == "Ankeby bibliotek"
    settings = EditionSettings.objects.get(site=site)
    assert settings.library_name == "Ankeby bibliotek" and settings.accent_colour == "#0b5cad"
    assert edition_a.collection.name == "Ankeby bibliotek"
    courses = edition_courses(edition_a)
    assert courses.count() == NATIONAL_COURSES
    assert all(course.alias_of_id for course in courses)
    national = CoursePage.objects.get(pk=courses.first().alias_of_id)
    assert Page.objects.child_of(courses.first()).count() == national.get_children().count()
    perms = set(
        GroupPagePermission.objects.filter(group=edition_a.editors).values_list(
            "page_id", "permission__codename"
        )
    )
    assert {page for page, _ in perms} == {site.root_page_id}
    assert "publish_page" in {code for _, code in perms}
    assert not GroupPagePermission.objects.filter(group=edition_a.librarians).exists()
    assert edition_a.librarians.permissions.filter(codename="view_edition_reports").exists()


def test_the_lesson_page_is_served_in_the_edition(client, edition_a):
    response = client.get("/kurser/grunder/sa-fungerar-chattbotar/", HTTP_HOST="ankeby.localhost")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ankeby bibliotek" in html and "utgava.css" in html


def test_creating_twice_changes_nothing(edition_a):
    pages, groups = Page.objects.count(), Group.objects.count()
    again, created = create_edition(EditionSpec("Ankeby bibliotek", "ankeby.localhost"))
    assert not created and again.pk == edition_a.pk
    assert (Page.objects.count(), Group.objects.count()) == (pages, groups)


@pytest.mark.parametrize(
    "spec, message",
    [
        (EditionSpec("Annat bibliotek", "ankeby.localhost"), "används redan"),
        (EditionSpec("Ogiltig", "inte ett värdnamn!"), "inte ett giltigt"),
        (EditionSpec("Ljus", "ljus.localhost", accent_colour="#ffee00"), "för ljus"),
        (EditionSpec("Fel färg", "farg.localhost", accent_colour="red"), "sex"),
        (EditionSpec("  ", "tom.localhost"), "namn"),
    ],
)
def test_bad_input_is_refused_and_creates_nothing(edition_a, spec, message):
    counts = (
        Site.objects.count(),
        Page.objects.count(),
        Group.objects.count(),
        Collection.objects.count(),
    )
    with pytest.raises(EditionError, match=message):
        create_edition(spec)
    assert (
        Site.objects.count(),
        Page.objects.count(),
        Group.objects.count(),
        Collection.objects.count(),
    ) == counts


def test_a_failure_half_way_leaves_nothing(catalogue, monkeypatch):
    from editions import services

    counts = (Site.objects.count(), Page.objects.count(), Group.objects.count())

    def broken(edition):
        raise RuntimeError("permission table unavailable")

    monkeypatch.setattr(services, "grant_permissions", broken)
    with pytest.raises(RuntimeError):
        create_edition(EditionSpec("Trasig", "trasig.localhost"))
    assert (Site.objects.count(), Page.objects.count(), Group.objects.count()) == counts


def test_the_command_creates_and_explains_errors(catalogue):
    call_command(
        "create_edition",
        "--name",
        "Cebyby bibliotek",
        "--hostname",
        "ceby.localhost",
        stdout=open("/dev/null", "w"),
    )
    assert Edition.objects.filter(site__hostname="ceby.localhost").exists()
    with pytest.raises(CommandError, match="används redan"):
        call_command("create_edition", "--name", "Annat", "--hostname", "ceby.localhost")


def test_a_national_edit_appears_in_every_edition(edition_a, edition_b):
    national = LessonPage.objects.get(slug="vad-ar-ai", alias_of=None)
    revision = national.save_revision()
    national.title = "Vad är AI – uppdaterad"
    revision = national.save_revision()
    revision.publish()
    aliases = LessonPage.objects.filter(alias_of=national)
    assert aliases.count() == 2
    assert set(aliases.values_list("title", flat=True)) == {"Vad är AI – uppdaterad"}


def test_a_new_national_lesson_reaches_every_edition(edition_a, edition_b):
    from tests.factories import make_lesson

    course = CoursePage.objects.get(slug="grunder", alias_of=None)
    lesson = make_lesson(course, slug="ny-lektion")
    assert LessonPage.objects.filter(alias_of=lesson).count() == 2


def test_a_hidden_course_stays_hidden(edition_a):
    alias = edition_courses(edition_a).get(slug="bias")
    national = CoursePage.objects.get(pk=alias.alias_of_id)
    hide_course(edition_a, alias)
    assert not edition_courses(edition_a).filter(slug="bias").exists()
    sync_catalogue()
    national.save_revision().publish()
    assert not edition_courses(edition_a).filter(slug="bias").exists()
    show_course(edition_a, national)
    assert edition_courses(edition_a).filter(slug="bias", alias_of=national).exists()


def test_a_local_copy_stops_following(edition_a):
    alias = edition_courses(edition_a).get(slug="grunder")
    national = LessonPage.objects.get(slug="vad-ar-ai", alias_of=None)
    copy = make_local_copy(edition_a, alias)
    assert copy.alias_of_id is None
    assert not Page.objects.child_of(copy).exclude(alias_of=None).exists()
    national.title = "Ändrad nationellt"
    national.save_revision().publish()
    local = LessonPage.objects.child_of(copy).get(slug="vad-ar-ai")
    assert local.title != "Ändrad nationellt"
    sync_catalogue()
    assert edition_courses(edition_a).filter(slug__startswith="grunder").count() == 1
    assert EditionCourseChoice.objects.get(edition=edition_a).choice == "copied"


def test_deleting_an_edition_removes_its_parts(edition_a):
    home_id, groups = edition_a.site.root_page_id, [edition_a.editors.pk, edition_a.librarians.pk]
    summary = delete_edition(edition_a)
    assert summary["pages"] > NATIONAL_COURSES
    assert not Site.objects.filter(hostname="ankeby.localhost").exists()
    assert not Page.objects.filter(pk=home_id).exists()
    assert not Group.objects.filter(pk__in=groups).exists()
    assert CoursePage.objects.filter(slug="grunder", alias_of=None).exists()


def test_the_national_edition_cannot_be_deleted(catalogue):
    national = Edition.objects.get(is_national=True)
    with pytest.raises(EditionError):
        delete_edition(national)


def test_local_pages_show_in_the_menu_and_on_the_home_page(client, edition_a):
    from courses.models import HomePage
    from editions.models import LocalPage

    home = HomePage.objects.get(pk=edition_a.site.root_page_id)
    page = home.add_child(
        instance=LocalPage(title="Träffa oss", slug="traffa-oss", show_in_menus=True)
    )
    page.save_revision().publish()
    html = client.get("/", HTTP_HOST="ankeby.localhost").content.decode()
    assert html.count('href="/traffa-oss/"') == 2  # the menu and "På biblioteket"
    national = client.get("/").content.decode()
    assert "/traffa-oss/" not in national
