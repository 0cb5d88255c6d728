"""The superuser's edition views and the editors' course actions, through HTTP."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.models import Site

from courses.models import CourseIndexPage, CoursePage
from editions.models import Edition, EditionSettings
from tests.conftest import with_totp

pytestmark = pytest.mark.django_db


def png(size=(40, 20)) -> SimpleUploadedFile:
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", size, "navy").save(buffer, "PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


def test_a_superuser_creates_an_edition_with_a_logo(admin_client, catalogue):
    response = admin_client.post(
        "/admin/utgavor/ny/",
        {
            "name": "Deby bibliotek",
            "hostname": "deby.localhost",
            "municipality": "Deby",
            "accent_colour": "#1f5f3a",
            "logo": png(),
        },
    )
    assert response.status_code == 302
    edition = Edition.objects.get(site__hostname="deby.localhost")
    settings = EditionSettings.objects.get(site=edition.site)
    assert settings.logo is not None and settings.logo.width == 40
    assert "Deby bibliotek" in admin_client.get("/admin/utgavor/").content.decode()


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {"logo": SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", "image/png")},
            "inte en bild",
        ),
        ({"logo": png(size=(5000, 10))}, "för stor"),
        ({"accent_colour": "#eeeeee"}, "för ljus"),
        ({"hostname": "inte giltig"}, "inte ett giltigt"),
    ],
)
def test_bad_input_is_refused_in_swedish(admin_client, catalogue, data, message):
    sites = Site.objects.count()
    form = {"name": "Eby bibliotek", "hostname": "eby.localhost", **data}
    response = admin_client.post("/admin/utgavor/ny/", form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Site.objects.count() == sites


def test_deleting_asks_first_and_says_what_goes(admin_client, edition_a):
    url = f"/admin/utgavor/{edition_a.pk}/radera/"
    html = admin_client.get(url).content.decode()
    assert "ankeby.localhost" in html and "Ankeby bibliotek – redaktörer" in html
    assert admin_client.post(url, {}).status_code == 200  # not confirmed: nothing happens
    assert Edition.objects.filter(pk=edition_a.pk).exists()
    assert admin_client.post(url, {"confirm": "on"}).status_code == 302
    assert not Edition.objects.filter(pk=edition_a.pk).exists()


def test_editors_cannot_manage_editions(client, edition_a, django_user_model):
    editor = with_totp(
        django_user_model.objects.create_user("ed", "e@example.org", "pw", is_staff=True)
    )
    editor.groups.add(edition_a.editors)
    client.force_login(editor)
    assert client.get("/admin/utgavor/").status_code in {302, 403}
    assert client.get("/admin/utgavor/ny/").status_code in {302, 403}


def test_an_editor_copies_and_hides_national_courses(client, edition_a, django_user_model):
    editor = with_totp(
        django_user_model.objects.create_user("ed", "e@example.org", "pw", is_staff=True)
    )
    editor.groups.add(edition_a.editors)
    client.force_login(editor)
    index = CourseIndexPage.objects.child_of(edition_a.site.root_page).get()
    grunder = CoursePage.objects.child_of(index).get(slug="grunder")
    bias = CoursePage.objects.child_of(index).get(slug="bias")
    explore = client.get(f"/admin/pages/{index.pk}/").content.decode()
    assert f"/admin/utgavor/kurs/{grunder.pk}/egen-kopia/" in explore
    warning = client.get(f"/admin/utgavor/kurs/{grunder.pk}/egen-kopia/").content.decode()
    assert "slutar din kopia att få uppdateringar" in warning or "uppdateringar" in warning
    assert (
        client.post(f"/admin/utgavor/kurs/{grunder.pk}/egen-kopia/", {"confirm": "on"}).status_code
        == 302
    )
    grunder.refresh_from_db()
    assert grunder.alias_of_id is None
    assert (
        client.post(f"/admin/utgavor/kurs/{bias.pk}/dolj/", {"confirm": "on"}).status_code == 302
    )
    assert not CoursePage.objects.filter(pk=bias.pk).exists()
    hidden = client.get("/admin/utgavor/dolda-kurser/").content.decode()
    assert "Bias och rättvisa i AI" in hidden
