"""Fixtures for the H5P Django app: scratch storage and temp folders, users,
and lessons with H5P blocks."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest

from tests.conftest import with_totp

from .builders import dumps, valid_files, valid_package

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "h5p"
CONTENT_HOST = "h5p.localhost"


@pytest.fixture
def h5p_dirs(settings, tmp_path: Path):
    """Media storage and H5P temporary folders of this test only."""
    from django.core.cache import cache

    cache.clear()  # library folders are cached by name
    media = tmp_path / "media"
    temp = tmp_path / "h5p-temp"
    media.mkdir()
    temp.mkdir()
    settings.MEDIA_ROOT = media
    settings.H5P_TEMP_DIR = str(temp)
    settings.H5P_CONTENT_HOST = CONTENT_HOST
    return media, temp


def stored_files(media: Path) -> list[str]:
    return sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file())


def assert_nothing_left(h5p_dirs) -> None:
    from h5p.models import H5PActivity, H5PLibrary

    media, temp = h5p_dirs
    assert H5PActivity.objects.count() == 0
    assert H5PLibrary.objects.count() == 0
    assert stored_files(media) == []
    folders = list((media / "h5p").glob("*/*")) if (media / "h5p").exists() else []
    assert folders == [], "package or library folder left behind"
    assert list(temp.iterdir()) == [], "temporary directory left behind"


def other_content(text: str = "Ett annat påstående") -> bytes:
    """The valid package with other content (so it is not a duplicate)."""
    return valid_package(
        {"content/content.json": dumps({"question": f"<p>{text}</p>", "image": {}})}
    )


@pytest.fixture
def admin_user(django_user_model):
    return with_totp(
        django_user_model.objects.create_superuser("h5padmin", "h5p@example.org", "pw")
    )


@pytest.fixture
def editor(django_user_model):
    """Staff with the ordinary H5P permissions, but not install_h5p_library."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name="H5P-redaktörer")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="h5p",
            codename__in=[
                "add_h5pactivity",
                "change_h5pactivity",
                "delete_h5pactivity",
                "view_h5pactivity",
            ],
        )
        | Permission.objects.filter(codename="access_admin")
    )
    # H5P permissions are per collection (h5p/permissions.py), like images.
    from wagtail.models import Collection, GroupCollectionPermission

    root = Collection.get_first_root_node()
    for permission in group.permissions.filter(content_type__app_label="h5p"):
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=root, permission=permission
        )
    user = django_user_model.objects.create_user(
        "redaktor-h5p", "red@example.org", "pw", is_staff=True
    )
    user.groups.add(group)
    return with_totp(user)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def import_bytes(data: bytes, user=None, **kwargs):
    from h5p.services import import_package

    return import_package(io.BytesIO(data), user=user, **kwargs)


@pytest.fixture
def activity(db, h5p_dirs):
    """The small valid package, imported by the command line (a platform admin)."""
    return import_bytes(valid_package()).activity


def h5p_block(activity, block_id: str = "h5p-1", pass_percent: int = 50) -> dict:
    return {
        "type": "h5p",
        "id": block_id,
        "value": {"activity": activity.pk, "pass_percent": pass_percent},
    }


@pytest.fixture
def h5p_lesson(course, activity):
    """A published lesson whose body is a text and one H5P activity."""
    from tests.factories import make_lesson

    body = [
        {"type": "text", "id": str(uuid.uuid4()), "value": "<p>Prova själv.</p>"},
        h5p_block(activity),
    ]
    return make_lesson(course, slug="h5p-lektion", body=body)


__all__ = ["valid_files"]
