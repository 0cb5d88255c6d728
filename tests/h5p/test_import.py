"""The Django import service, the admin upload form and `manage.py import_h5p`.

Every bad input of issue 5 goes through both the service and the admin form:
each is refused with its message, and leaves no rows, no files in storage and
no temporary folders behind.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation

from h5p.models import H5PActivity, H5PLibrary
from h5p.services import ImportRefused, import_package

from .builders import (
    SYMLINK,
    Member,
    dumps,
    library_files,
    raw_zip,
    valid_files,
    valid_package,
    zero_bomb,
)
from .conftest import FIXTURES, assert_nothing_left, import_bytes, other_content, stored_files

ADD_URL = "/admin/snippets/h5p/h5pactivity/add/"
INDEX_URL = "/admin/snippets/h5p/h5pactivity/"


def _many_entries() -> bytes:
    return valid_package(extra=[Member(f"content/bild-{i}.png", b"x") for i in range(60)])


#: (id, package bytes, expected code) – the bad-input rows of issue 5.
BAD_INPUTS = [
    ("zip-slip-dotdot", valid_package(extra=[Member("../evil.js", b"x")]), "path_traversal"),
    ("zip-slip-absolute", valid_package(extra=[Member("/etc/evil.json", b"{}")]), "absolute_path"),
    (
        "zip-slip-backslash",
        valid_package(extra=[Member("content\\..\\evil.png", b"x")]),
        "backslash_in_name",
    ),
    (
        "zip-slip-inner",
        valid_package(extra=[Member("content/a/../b.png", b"x")]),
        "path_traversal",
    ),
    (
        "symlink",
        valid_package(extra=[Member("content/link.png", b"/etc/passwd", external_attr=SYMLINK)]),
        "symlink",
    ),
    (
        "ratio-bomb",
        valid_package(extra=[zero_bomb("content/video.mp4", 300)]),
        "compression_ratio_too_high",
    ),
    ("too-many-entries", _many_entries(), "too_many_entries"),
    ("missing-h5p-json", valid_package({"h5p.json": None}), "missing_h5p_json"),
    ("invalid-h5p-json", valid_package({"h5p.json": b"{'title': 'x'}"}), "invalid_json"),
    (
        "missing-content-json",
        valid_package({"content/content.json": None}),
        "missing_content_json",
    ),
    (
        "invalid-content-json",
        valid_package({"content/content.json": b'{"text": "ofullst'}),
        "invalid_json",
    ),
    (
        "missing-main-library",
        valid_package(
            {
                "H5P.Test-1.2/library.json": None,
                "H5P.Test-1.2/scripts/main.js": None,
                "H5P.Test-1.2/styles/main.css": None,
            }
        ),
        "missing_main_library",
    ),  # fmt: skip
    ("php", valid_package(extra=[Member("content/evil.php", b"<?php")]), "file_type_not_allowed"),
    ("html", valid_package(extra=[Member("content/sida.html", b"<p>")]), "file_type_not_allowed"),
    (
        "exe",
        valid_package(extra=[Member("H5P.Test-1.2/tool.exe", b"MZ")]),
        "file_type_not_allowed",
    ),
    (
        "content-svg",
        valid_package(extra=[Member("content/bild.svg", b"<svg/>")]),
        "file_type_not_allowed",
    ),
    (
        "double-extension",
        valid_package(extra=[Member("content/x.png.html", b"<script>")]),
        "file_type_not_allowed",
    ),
    ("truncated", valid_package()[: len(valid_package()) // 2], "corrupt_zip"),
    ("not-a-zip", "Hej, det här är ingen zip-fil.".encode(), "not_a_zip"),
    ("empty", b"", "empty_file"),
]


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.H5P_LIMITS = {"max_entries": 50}


# ------------------------------------------------------------------ the service


@pytest.mark.django_db
def test_a_valid_package_is_stored_with_its_libraries(h5p_dirs, admin_user):
    media, temp = h5p_dirs
    result = import_bytes(valid_package(), user=admin_user)

    activity = result.activity
    assert activity.title == "Hej världen"
    assert activity.uploaded_by == admin_user
    assert activity.main_library.folder_name == "H5P.Test-1.2"
    assert activity.metadata["mainLibrary"] == "H5P.Test"
    assert activity.collection.is_root()
    assert {lib.folder_name for lib in activity.libraries.all()} == {
        "H5P.Test-1.2",
        "H5P.Helper-2.0",
    }
    assert {lib.folder_name for lib in result.installed} == {"H5P.Test-1.2", "H5P.Helper-2.0"}
    test_library = H5PLibrary.objects.get(machine_name="H5P.Test")
    assert (test_library.patch_version, test_library.runnable) == (3, True)
    assert len(test_library.content_hash) == 64
    files = stored_files(media)
    assert f"h5p/content/{activity.uuid}/h5p.json" in files
    assert f"h5p/content/{activity.uuid}/content/content.json" in files
    assert f"h5p/content/{activity.uuid}/content/images/bar.png" in files
    assert f"{test_library.storage_path}/scripts/main.js" in files
    assert not any(name.endswith(".h5p") for name in files)
    assert list(temp.iterdir()) == []


@pytest.mark.django_db
def test_title_and_collection_can_be_given(h5p_dirs):
    from wagtail.models import Collection

    collection = Collection.get_first_root_node().add_child(name="Malmö stadsbibliotek")
    activity = import_bytes(
        valid_package(), title="Mitt eget namn", collection=collection
    ).activity
    assert (activity.title, activity.collection) == ("Mitt eget namn", collection)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "code"), [row[1:] for row in BAD_INPUTS], ids=[row[0] for row in BAD_INPUTS]
)
def test_bad_input_is_refused_by_the_service(h5p_dirs, admin_user, data, code):  # fmt: skip
    with pytest.raises(ImportRefused) as caught:
        import_bytes(data, user=admin_user)
    assert code in caught.value.codes, caught.value.codes
    assert all(message.strip() for message in caught.value.messages)
    assert_nothing_left(h5p_dirs)


@pytest.mark.django_db
def test_an_editor_cannot_install_new_libraries(h5p_dirs, editor):
    with pytest.raises(ImportRefused) as caught:
        import_bytes(valid_package(), user=editor)
    assert caught.value.codes == ["libraries_need_admin"]
    message = caught.value.messages[0]
    assert "H5P.Test 1.2" in message and "H5P.Helper 2.0" in message
    assert_nothing_left(h5p_dirs)


@pytest.mark.django_db
def test_an_editor_may_upload_content_for_installed_libraries(h5p_dirs, editor, admin_user):
    import_bytes(valid_package(), user=admin_user)
    activity = import_bytes(other_content(), user=editor).activity
    assert activity.uploaded_by == editor
    assert H5PLibrary.objects.count() == 2


@pytest.mark.django_db
def test_a_different_copy_of_an_installed_library_is_not_installed(h5p_dirs, admin_user):
    media, _ = h5p_dirs
    first = import_bytes(valid_package(), user=admin_user).activity
    library = H5PLibrary.objects.get(machine_name="H5P.Test")
    before = (library.content_hash, library.storage_path, library.patch_version)
    changed = valid_package(
        {
            "content/content.json": dumps({"question": "<p>Ny fråga</p>"}),
            "H5P.Test-1.2/scripts/main.js": b"H5P.x = 'en annan kopia';\n",
            **{
                k: v
                for k, v in library_files(
                    "H5P.Test",
                    1,
                    2,
                    patchVersion=9,
                    preloadedDependencies=[
                        {"machineName": "H5P.Helper", "majorVersion": 2, "minorVersion": 0}
                    ],
                ).items()
                if k.endswith("library.json")
            },
        }
    )
    result = import_bytes(changed, user=admin_user)

    library.refresh_from_db()
    assert (library.content_hash, library.storage_path, library.patch_version) == before
    assert (media / library.storage_path / "scripts" / "main.js").read_bytes() == b"H5P.x = 1;\n"
    assert result.installed == []
    assert any("H5P.Test 1.2" in w and "1.2.9" in w and "1.2.3" in w for w in result.warnings)
    assert result.activity.warnings == result.warnings
    assert H5PLibrary.objects.count() == 2 and first.pk != result.activity.pk


@pytest.mark.django_db
def test_an_identical_library_is_reused_silently(h5p_dirs, admin_user, editor):
    import_bytes(valid_package(), user=admin_user)
    result = import_bytes(other_content(), user=editor)
    assert result.warnings == [] and result.installed == []


@pytest.mark.django_db
def test_editor_only_libraries_are_not_installed(h5p_dirs, editor, admin_user):
    """H5PEditor.* libraries ship for the authoring tool; playing does not need them."""
    import_bytes(valid_package(), user=admin_user)
    files = valid_files()
    files["content/content.json"] = dumps({"question": "<p>Med redigerare</p>"})
    files.update(library_files("H5PEditor.Test", 1, 0, runnable=0))
    from .builders import package_bytes

    result = import_bytes(package_bytes(files), user=editor)  # no new library is needed
    assert not H5PLibrary.objects.filter(machine_name="H5PEditor.Test").exists()
    assert result.installed == []


@pytest.mark.django_db
def test_a_duplicate_upload_is_refused(h5p_dirs, admin_user):
    first = import_bytes(valid_package(), user=admin_user).activity
    media, temp = h5p_dirs
    files_before = stored_files(media)
    with pytest.raises(ImportRefused) as caught:
        import_bytes(valid_package(), user=admin_user)
    assert caught.value.codes == ["duplicate_package"]
    assert first.title in caught.value.messages[0]
    assert H5PActivity.objects.count() == 1 and stored_files(media) == files_before
    assert list(temp.iterdir()) == []


@pytest.mark.django_db
def test_a_storage_failure_midway_leaves_nothing(h5p_dirs, admin_user, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    original = FileSystemStorage.save
    calls = []

    def failing_save(self, name, content, max_length=None):
        calls.append(name)
        if len(calls) == 4:
            raise OSError("disk full")
        return original(self, name, content, max_length=max_length)

    monkeypatch.setattr(FileSystemStorage, "save", failing_save)
    with pytest.raises(OSError):
        import_bytes(valid_package(), user=admin_user)
    assert len(calls) == 4
    assert_nothing_left(h5p_dirs)


@pytest.mark.django_db
def test_a_database_failure_leaves_nothing(h5p_dirs, admin_user, monkeypatch):
    def failing_save(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(H5PActivity, "save", failing_save)
    with pytest.raises(RuntimeError):
        import_bytes(valid_package(), user=admin_user)
    assert_nothing_left(h5p_dirs)


@pytest.mark.django_db
def test_external_media_is_reported(h5p_dirs):
    data = valid_package(
        {
            "content/content.json": dumps(
                {"video": {"files": [{"path": "https://h5p.org/iv.mp4", "mime": "video/mp4"}]}}
            )
        }
    )
    result = import_bytes(data)
    assert result.activity.external_media == ["https://h5p.org/iv.mp4"]
    assert any("https://h5p.org/iv.mp4" in w for w in result.warnings)


@pytest.mark.django_db
def test_deleting_an_activity_removes_its_files_but_keeps_libraries(
    h5p_dirs, django_capture_on_commit_callbacks
):
    media, _ = h5p_dirs
    activity = import_bytes(valid_package()).activity
    with django_capture_on_commit_callbacks(execute=True):
        activity.delete()
    files = stored_files(media)
    assert not any(f"content/{activity.uuid}" in name for name in files)
    assert any(
        "libraries/H5P.Test-1.2-" in name and name.endswith("/library.json") for name in files
    )
    assert H5PLibrary.objects.count() == 2


@pytest.mark.django_db
def test_the_limits_come_from_settings(h5p_dirs, settings):
    settings.H5P_LIMITS = {"max_file_size": 10}
    with pytest.raises(ImportRefused) as caught:
        import_bytes(valid_package())
    assert "file_too_large" in caught.value.codes
    assert_nothing_left(h5p_dirs)


@pytest.mark.django_db
def test_a_too_large_file_is_refused_before_reading(h5p_dirs, settings):
    settings.H5P_MAX_UPLOAD_SIZE = 100
    with pytest.raises(ImportRefused) as caught:
        import_package(io.BytesIO(valid_package()), user=None)
    assert caught.value.codes == ["upload_too_large"]
    assert_nothing_left(h5p_dirs)


# --------------------------------------------------------------- the admin form


def upload(client, data: bytes, name: str = "paket.h5p", **fields):
    from wagtail.models import Collection

    package = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    fields.setdefault("collection", Collection.get_first_root_node().pk)
    return client.post(ADD_URL, {"package": package, "title": "", **fields})


@pytest.mark.django_db
def test_the_upload_form_is_shown(h5p_dirs, admin_client):
    response = admin_client.get(ADD_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'type="file"' in html and 'name="package"' in html
    assert 'enctype="multipart/form-data"' in html


@pytest.mark.django_db
def test_uploading_in_the_admin_creates_the_activity(h5p_dirs, admin_client):
    response = upload(admin_client, valid_package())
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = H5PActivity.objects.get()
    assert activity.title == "Hej världen"
    listing = admin_client.get(INDEX_URL).content.decode()
    assert "Hej världen" in listing


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "code"), [row[1:] for row in BAD_INPUTS], ids=[row[0] for row in BAD_INPUTS]
)
def test_bad_input_is_refused_by_the_upload_form(h5p_dirs, admin_client, data, code):  # fmt: skip
    with pytest.raises(ImportRefused) as expected:
        import_bytes(data)  # the messages the form must show
    assert_nothing_left(h5p_dirs)
    response = upload(admin_client, data)
    assert response.status_code == 200
    html = response.content.decode()
    from django.utils.html import escape

    for message in expected.value.messages:
        assert escape(message) in html, message
    assert_nothing_left(h5p_dirs)


@pytest.mark.django_db
def test_the_upload_form_refuses_new_libraries_from_an_editor(h5p_dirs, editor_client):
    response = upload(editor_client, valid_package())
    assert response.status_code == 200
    assert "H5P.Test 1.2" in response.content.decode()
    assert_nothing_left(h5p_dirs)


@pytest.mark.django_db
def test_the_upload_form_refuses_a_duplicate(h5p_dirs, admin_client):
    assert upload(admin_client, valid_package()).status_code == 302
    response = upload(admin_client, valid_package())
    assert response.status_code == 200
    assert "Hej världen" in response.content.decode()
    assert H5PActivity.objects.count() == 1


@pytest.mark.django_db
def test_a_huge_upload_is_refused_before_it_is_read(h5p_dirs, admin_client, settings):
    settings.H5P_MAX_UPLOAD_SIZE = 1000
    response = upload(admin_client, valid_package() + b"\0" * 200_000)
    assert response.status_code == 302 and response.url.endswith(ADD_URL)
    assert H5PActivity.objects.count() == 0


@pytest.mark.django_db
def test_preview_shows_the_player_frame_and_the_self_reported_note(activity, admin_client):
    url = f"{INDEX_URL}inspect/{activity.pk}/"
    response = admin_client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert f"http://h5p.localhost/h5p/play/{activity.uuid}/?parent=http%3A%2F%2Ftestserver" in html
    assert 'sandbox="allow-scripts allow-same-origin"' in html and "title=" in html
    with translation.override("sv"):
        note = translation.gettext(
            "H5P scores are self-reported: the activity's JavaScript reports them from the "
            "learner's browser. The platform checks that they are possible (0 up to the "
            "maximum, for an activity in a lesson the learner can see), not that they are true."
        )
    assert note in html


@pytest.mark.django_db
def test_deleting_in_the_admin_removes_the_files(
    h5p_dirs, admin_client, django_capture_on_commit_callbacks
):
    media, _ = h5p_dirs
    activity = import_bytes(valid_package()).activity
    url = f"{INDEX_URL}delete/{activity.pk}/"
    assert admin_client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(url).status_code == 302
    assert not H5PActivity.objects.exists()
    assert not any(str(activity.uuid) in name for name in stored_files(media))


@pytest.mark.django_db
def test_an_editor_without_h5p_permissions_cannot_upload(h5p_dirs, client, django_user_model):
    from tests.conftest import with_totp

    user = django_user_model.objects.create_user("nobody", "n@example.org", "pw", is_staff=True)
    client.force_login(with_totp(user))
    response = upload(client, valid_package())
    assert response.status_code in (302, 403)
    assert_nothing_left(h5p_dirs)


# ------------------------------------------------------------------ the command


@pytest.mark.django_db
def test_import_h5p_command(h5p_dirs, tmp_path: Path):
    path = tmp_path / "paket.h5p"
    path.write_bytes(valid_package())
    out = io.StringIO()
    call_command("import_h5p", str(path), "--title", "Från kommandoraden", stdout=out)
    activity = H5PActivity.objects.get()
    assert activity.title == "Från kommandoraden" and activity.uploaded_by is None
    assert "2 new libraries" in out.getvalue()


@pytest.mark.django_db
def test_import_h5p_command_reports_every_reason(h5p_dirs, tmp_path: Path):
    path = tmp_path / "trasig.h5p"
    path.write_bytes(raw_zip([Member("../evil.js", b"x")]))
    with pytest.raises(CommandError) as caught:
        call_command("import_h5p", str(path))
    assert "..".lower() in str(caught.value)
    assert_nothing_left(h5p_dirs)


FIXTURE_FILES = sorted(FIXTURES.glob("*.h5p")) if FIXTURES.is_dir() else []


@pytest.mark.django_db
@pytest.mark.skipif(not FIXTURE_FILES, reason=f"fixture folder {FIXTURES} is absent")
def test_every_fixture_package_imports_through_the_command(h5p_dirs, settings):
    settings.H5P_LIMITS = {}
    for path in FIXTURE_FILES:
        out = io.StringIO()
        call_command("import_h5p", str(path), stdout=out)
    assert H5PActivity.objects.count() == len(FIXTURE_FILES)
    video = H5PActivity.objects.get(main_library__machine_name="H5P.InteractiveVideo")
    assert any(url.startswith("https://h5p.org/") for url in video.external_media)
    assert not H5PLibrary.objects.filter(machine_name__startswith="H5PEditor.").exists()
    _, temp = h5p_dirs
    assert list(temp.iterdir()) == []
