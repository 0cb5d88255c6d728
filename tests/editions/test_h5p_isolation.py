"""H5P activities belong to an edition's collection: its editors upload there and
see, change and delete only their own edition's activities."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from h5p.models import H5PActivity
from h5p.services import import_package
from tests.conftest import with_totp
from tests.h5p.builders import dumps, valid_package
from tests.h5p.conftest import h5p_dirs  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
ADD_URL = "/admin/snippets/h5p/h5pactivity/add/"


def other(text):
    return valid_package(
        {"content/content.json": dumps({"question": f"<p>{text}</p>", "image": {}})}
    )


@pytest.fixture
def installed(h5p_dirs, edition_a, edition_b):  # noqa: F811
    """A platform admin has installed the libraries, in B's collection."""
    return import_package(
        io.BytesIO(valid_package()), user=None, collection=edition_b.collection
    ).activity


@pytest.fixture
def editor_a(client, edition_a, django_user_model):
    user = with_totp(
        django_user_model.objects.create_user("ra", "ra@example.org", "pw", is_staff=True)
    )
    user.groups.add(edition_a.editors)
    client.force_login(user)
    return user


def test_an_editor_uploads_into_their_own_collection(
    client, installed, editor_a, edition_a, edition_b
):
    package = SimpleUploadedFile("a.h5p", other("Ankeby"), "application/octet-stream")
    refused = client.post(
        ADD_URL,
        {"package": package, "title": "Ankebys aktivitet", "collection": edition_b.collection.pk},
    )
    assert refused.status_code == 200  # B's collection is not a choice for A's editor
    assert not H5PActivity.objects.filter(title="Ankebys aktivitet").exists()
    package = SimpleUploadedFile("a.h5p", other("Ankeby"), "application/octet-stream")
    response = client.post(
        ADD_URL,
        {"package": package, "title": "Ankebys aktivitet", "collection": edition_a.collection.pk},
    )
    assert response.status_code == 302
    mine = H5PActivity.objects.get(title="Ankebys aktivitet")
    assert mine.collection == edition_a.collection
    listing = client.get("/admin/snippets/h5p/h5pactivity/").content.decode()
    assert "Ankebys aktivitet" in listing and installed.title not in listing


def test_an_editor_cannot_touch_another_editions_activity(client, installed, editor_a):
    for view in ("edit", "delete", "inspect", "usage", "history", "copy"):
        url = f"/admin/snippets/h5p/h5pactivity/{view}/{installed.pk}/"
        assert client.get(url).status_code in {302, 403, 404}, url
    client.post(f"/admin/snippets/h5p/h5pactivity/delete/{installed.pk}/")
    assert H5PActivity.objects.filter(pk=installed.pk).exists()
