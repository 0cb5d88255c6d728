"""Isolation between editions, as a matrix: every admin URL pattern that takes an id ×
the roles of edition A × the objects of edition B must be refused, and the same
actions on A's own objects are allowed (SECURITY.md rows 12–14, 18–20)."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page

from courses.models import HomePage
from editions.models import LocalPage
from tests.conftest import with_totp

pytestmark = pytest.mark.django_db

SECRET = "Hemlig sida i Bebyholm"
REFUSED = {302, 400, 403, 404, 405}
PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


def admin_patterns():
    """(route, namespace, name, params) for every admin URL that names an object."""

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), namespace, pattern.name

    for route, namespace, name in walk(get_resolver().url_patterns):
        params = [a or b for a, b in PARAM.findall(route)]
        if route.startswith("admin/") and params:
            yield route, namespace, name, params


def make_local_page(edition, title):
    home = HomePage.objects.get(pk=edition.site.root_page_id)
    page = home.add_child(instance=LocalPage(title=title, slug="hemlig"))
    page.save_revision().publish()
    page.save_revision()  # a draft revision too, for revision views
    return page


def make_media(edition, title):
    from django.core.files.base import ContentFile

    image = get_image_model()(title=title, collection=edition.collection)
    image.file.save("hemlig.png", ContentFile(png_bytes()), save=False)
    image.width = image.height = 1
    image._set_image_file_metadata()
    image.save()
    document = get_document_model()(title=title, collection=edition.collection)
    document.file.save("hemlig.txt", ContentFile(b"hemligt"), save=True)
    return image, document


def png_bytes() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (1, 1), "white").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def world(edition_a, edition_b, django_user_model):
    """Edition B's objects, and edition A's editor and librarian."""
    page_b = make_local_page(edition_b, SECRET)
    image_b, doc_b = make_media(edition_b, SECRET)
    editor_a = with_totp(
        django_user_model.objects.create_user("redaktor-a", "ra@example.org", "pw", is_staff=True)
    )
    editor_a.groups.add(edition_a.editors)
    librarian_a = with_totp(
        django_user_model.objects.create_user(
            "bibliotekarie-a", "ba@example.org", "pw", is_staff=True
        )
    )
    librarian_a.groups.add(edition_a.librarians)
    editor_b = django_user_model.objects.create_user("redaktor-b", "rb@example.org", "pw")
    editor_b.groups.add(edition_b.editors)
    return {
        "page": page_b,
        "revision": page_b.latest_revision,
        "image": image_b,
        "doc": doc_b,
        "site": edition_b.site,
        "edition": edition_b,
        "group": edition_b.editors,
        "collection": edition_b.collection,
        "user": editor_b,
        "roles": {"editor": editor_a, "librarian": librarian_a},
        "a": edition_a,
    }


def object_for(namespace, name, param, world):
    """The id of edition B's object that this URL parameter names."""
    ns = namespace or ""
    page_params = {"page_id", "parent_page_id", "page_to_move_id", "destination_id", "page_pk"}
    if param in page_params or (param == "pk" and ("pages" in ns or "pages" in (name or ""))):
        return world["page"].pk
    if param in {"revision_id", "revision_id_a", "revision_id_b"}:
        return world["revision"].pk
    if param in {"image_id"} or (param == "pk" and "image" in ns):
        return world["image"].pk
    if param in {"document_id", "doc_id"} or (param == "pk" and "doc" in ns):
        return world["doc"].pk
    if ns.startswith("wagtailsettings") and param == "pk":
        return world["site"].pk
    if ns.startswith("wagtailsites") and param == "pk":
        return world["site"].pk
    if ns.startswith("wagtailusers_users"):
        return world["user"].pk
    if ns.startswith("wagtailusers_groups"):
        return world["group"].pk
    if ns.startswith("wagtailadmin_collections") or param == "collection_id":
        return world["collection"].pk
    if ns.startswith("editions_admin") and param == "pk":
        return world["edition"].pk
    if ns.startswith("reports_edition") or param == "edition_id":
        return world["edition"].pk
    return None


STRING_PARAMS = {
    "content_type_app_name": "editions",
    "content_type_model_name": "localpage",
    "app_label": "editions",
    "model_name": "localpage",
    "app_name": "editions",
    "action": "delete",
    "action_name": "approve",
    "filter_spec": "original",
    "mode": "",
    "uidb64": "x",
    "token": "y",
    "object_id": "1",
}


def names_an_object(namespace, name, params, world) -> bool:
    return any(object_for(namespace, name, p, world) is not None for p in params)


def build_url(route, namespace, name, params, world) -> str | None:
    if namespace.startswith("wagtailsettings"):
        values = {"app_name": "editions", "model_name": "editionsettings"}
    else:
        values = dict(STRING_PARAMS)
    for param in params:
        if param in values:
            continue
        value = object_for(namespace, name, param, world)
        values[param] = value if value is not None else 999_999
    url = "/" + route
    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), url)
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), url)
    url = url.replace("^", "").replace("$", "").replace("\\.", ".")
    return url


def test_every_admin_url_refuses_another_editions_objects(client, world):
    patterns = list(admin_patterns())
    assert len(patterns) > 100
    failures = []
    for role, user in world["roles"].items():
        client.force_login(user)
        for route, namespace, name, params in patterns:
            url = build_url(route, namespace, name, params, world)
            response = client.get(url)
            status = response.status_code
            if status == 302:  # a redirect must not lead into B's objects either
                response = client.get(response["Location"])
            leaked = SECRET in response.content.decode(errors="replace")
            names_b = names_an_object(namespace, name, params, world)
            if leaked or (names_b and status not in REFUSED):
                failures.append(
                    f"{role} GET {url} → {status}" + (" (leaks B's title)" if leaked else "")
                )
    assert not failures, "\n".join(failures)


DESTRUCTIVE = [
    "/admin/pages/{page}/delete/",
    "/admin/pages/{page}/unpublish/",
    "/admin/pages/{page}/lock/",
    "/admin/pages/{page}/unlock/",
    "/admin/pages/{page}/copy/",
    "/admin/pages/{page}/convert_alias/",
    "/admin/pages/{page}/revisions/{revision}/revert/",
    "/admin/pages/{page}/move/{a_home}/confirm/",
    "/admin/images/{image}/delete/",
    "/admin/documents/delete/{doc}/",
    "/admin/settings/editions/editionsettings/{site}/",
]


def test_writes_to_another_edition_change_nothing(client, world):
    client.force_login(world["roles"]["editor"])
    page, image, doc = world["page"], world["image"], world["doc"]
    values = {
        "page": page.pk,
        "revision": world["revision"].pk,
        "image": image.pk,
        "doc": doc.pk,
        "site": world["site"].pk,
        "a_home": world["a"].site.root_page_id,
    }
    for template in DESTRUCTIVE:
        url = template.format(**values)
        response = client.post(
            url,
            {
                "new_title": "Kopia",
                "new_slug": "kopia",
                "new_parent_page": values["a_home"],
                "library_name": "Kapad",
                "confirm": "on",
            },
        )
        assert response.status_code in REFUSED, f"POST {url} → {response.status_code}"
    page.refresh_from_db()
    assert page.live and not page.locked and page.get_parent().pk == world["site"].root_page_id
    assert get_image_model().objects.filter(pk=image.pk).exists()
    assert get_document_model().objects.filter(pk=doc.pk).exists()
    assert not Page.objects.filter(title="Kopia").exists()
    from editions.models import EditionSettings

    assert EditionSettings.objects.get(site=world["site"]).library_name != "Kapad"


def test_admin_search_and_choosers_do_not_show_another_edition(client, world):
    client.force_login(world["roles"]["editor"])
    for url in (
        "/admin/pages/search/?q=Hemlig",
        "/admin/choose-page/search/?q=Hemlig",
        "/admin/images/chooser/?q=Hemlig",
        "/admin/documents/chooser/?q=Hemlig",
        f"/admin/choose-page/{world['site'].root_page_id}/",
        "/admin/images/?q=Hemlig",
        "/admin/documents/?q=Hemlig",
    ):
        response = client.get(url)
        assert SECRET not in response.content.decode(), url


def test_the_same_actions_on_own_objects_are_allowed(client, world):
    editor = world["roles"]["editor"]
    client.force_login(editor)
    edition_a = world["a"]
    page_a = make_local_page(edition_a, "Egen sida")
    image_a, doc_a = make_media(edition_a, "Egen bild")
    for url in (
        f"/admin/pages/{page_a.pk}/edit/",
        f"/admin/pages/{page_a.pk}/history/",
        f"/admin/images/{image_a.pk}/",
        f"/admin/documents/edit/{doc_a.pk}/",
        f"/admin/settings/editions/editionsettings/{edition_a.site.pk}/",
        f"/admin/pages/{edition_a.site.root_page_id}/",
    ):
        assert client.get(url).status_code == 200, url
    assert "Egen sida" in client.get("/admin/pages/search/?q=Egen").content.decode()
    response = client.post(f"/admin/pages/{page_a.pk}/unpublish/")
    assert response.status_code == 302
    page_a.refresh_from_db()
    assert not page_a.live


def test_api_is_read_only_and_per_site(client, world):
    response = client.get("/api/v2/pages/?search=Hemlig", HTTP_HOST="ankeby.localhost")
    assert SECRET not in response.content.decode()
    assert client.post("/api/v2/pages/", HTTP_HOST="ankeby.localhost").status_code == 405
    response = client.get(f"/api/v2/pages/{world['page'].pk}/", HTTP_HOST="ankeby.localhost")
    assert response.status_code == 404


def test_unknown_host_is_refused(client, catalogue):
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400
