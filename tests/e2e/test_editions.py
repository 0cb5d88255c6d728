"""Editions in Chromium: an editor works in their own edition and is refused in
another; a national edit reaches both editions; a local copy stops following."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.browser

LESSON = "/kurser/grunder/vad-ar-ai/"
PASSWORD = "redaktor-losenord-123"  # noqa: S105


@pytest.fixture
def editions(site):
    from editions.services import EditionSpec, create_edition

    a, _ = create_edition(EditionSpec("Ankeby bibliotek", "ankeby.localhost"))
    b, _ = create_edition(EditionSpec("Bebyholm bibliotek", "bebyholm.localhost"))
    return a, b


def host_url(site: str, hostname: str) -> str:
    return f"http://{hostname}:{urlsplit(site).port}"


def make_editor(edition, username):
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        username, f"{username}@example.org", PASSWORD, is_staff=True
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    user.groups.add(edition.editors)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, secret


def log_in(page, base: str, user, secret: str) -> None:
    """Through allauth, like an editor: e-mail, password, then the authenticator code."""
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    page.goto(base + "/admin/")
    page.wait_for_url(re.compile("/konto/login/"))
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url(re.compile("/konto/2fa/authenticate/"))
    counter = next(yield_hotp_counters_from_time())
    page.locator("#id_code").fill(format_hotp_value(hotp_value(secret, counter)))
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url(re.compile("/admin/"))


def local_page(edition, title):
    from courses.models import HomePage
    from editions.models import LocalPage

    home = HomePage.objects.get(pk=edition.site.root_page_id)
    page = home.add_child(
        instance=LocalPage(title=title, slug=f"sida-{edition.pk}", show_in_menus=True)
    )
    page.save_revision().publish()
    return page


def test_an_editor_publishes_in_own_edition_and_is_refused_in_another(site, editions, tab):
    a, b = editions
    page_a, page_b = local_page(a, "Träffa oss i Ankeby"), local_page(b, "Hemligt i Bebyholm")
    editor, secret = make_editor(a, "redaktor-a")
    page = tab.page
    log_in(page, site, editor, secret)

    page.goto(f"{site}/admin/pages/{page_a.pk}/edit/")
    page.locator("#id_title").fill("Träffa oss på biblioteket i Ankeby")
    publish = page.locator('button[name="action-publish"]')
    if not publish.is_visible():  # Publish sits in the save button's menu
        page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    publish.click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/$"))
    page.goto(host_url(site, "ankeby.localhost") + f"/sida-{a.pk}/")
    assert "Träffa oss på biblioteket i Ankeby" in page.content()
    assert_accessible(page, "edition A local page")

    response = page.goto(f"{site}/admin/pages/{page_b.pk}/edit/")
    assert "Hemligt i Bebyholm" not in page.content()
    assert response.status in {403, 404} or not page.url.endswith(f"/{page_b.pk}/edit/")
    page.goto(f"{site}/admin/pages/search/?q=Hemligt")
    assert "Hemligt i Bebyholm" not in page.content()
    page_b.refresh_from_db()
    assert page_b.title == "Hemligt i Bebyholm" and page_b.live


def test_a_national_edit_appears_in_both_editions_and_a_copy_stops_following(site, editions, tab):
    from courses.models import CourseIndexPage, CoursePage, LessonPage
    from editions.services import make_local_copy

    a, b = editions
    national = LessonPage.objects.get(slug="vad-ar-ai", alias_of=None)
    index_b = CourseIndexPage.objects.child_of(b.site.root_page).get()
    make_local_copy(b, CoursePage.objects.child_of(index_b).get(slug="grunder"))
    national.title = "Vad är AI? (uppdaterad nationellt)"
    national.save_revision().publish()

    page = tab.page
    page.goto(host_url(site, "ankeby.localhost") + LESSON)
    assert "Vad är AI? (uppdaterad nationellt)" in page.content()
    assert "Ankeby bibliotek" in page.content()
    page.goto(host_url(site, "bebyholm.localhost") + LESSON)
    assert "Bebyholm bibliotek" in page.content()
    assert "uppdaterad nationellt" not in page.content()  # the local copy kept its own text
    page.goto(site + LESSON)
    assert "Vad är AI? (uppdaterad nationellt)" in page.content()
