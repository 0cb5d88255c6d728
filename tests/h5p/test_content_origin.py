"""The content origin serves only the player, its files and the packages,
cookieless and with a strict policy; the platform origin refuses those paths."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from .conftest import CONTENT_HOST

PARENT = "http://testserver"
PLAYER_JS = "/h5p/player/main.bundle.js"
HAS_PLAYER = (django_settings.H5P_PLAYER_ROOT / "main.bundle.js").is_file()
needs_player = pytest.mark.skipif(
    not HAS_PLAYER, reason="h5p-standalone is not installed (run `make install`)"
)


def content_get(client, path: str, **extra):
    return client.get(path, HTTP_HOST=CONTENT_HOST, **extra)


def assert_cookieless(response) -> None:
    assert not response.cookies, response.cookies
    assert "Set-Cookie" not in response
    assert "Cookie" not in response.get("Vary", "")


def play_url(activity, parent: str = PARENT) -> str:
    from urllib.parse import urlencode

    return f"/h5p/play/{activity.uuid}/?{urlencode({'parent': parent})}"


@pytest.mark.django_db
def test_player_page_headers(activity, client):
    client.cookies["sessionid"] = "someone-elses-session"
    client.cookies["csrftoken"] = "x" * 32
    response = content_get(client, play_url(activity))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "X-Frame-Options" not in response
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert (
        "script-src 'self' 'unsafe-eval' 'sha256-" in csp
        and "unsafe-inline" not in csp.split("style")[0]
    )
    assert "connect-src 'self'" in csp
    assert "img-src 'self' data: blob:" in csp and "media-src 'self' data: blob:" in csp
    assert f"frame-ancestors {PARENT}" in csp
    assert "http" not in csp.replace(f"frame-ancestors {PARENT}", "")  # no other host
    assert_cookieless(response)
    html = response.content.decode()
    assert "klartankt-h5p-config" in html and str(activity.uuid) in html
    assert '"parentOrigin": "http://testserver"' in html
    assert '"H5P": {"fullscreen": "Helsk' in html  # h5p-standalone's translations option
    assert "<script>" not in html  # no inline script (the config is a JSON data block)


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "swedish"), [("sv", True), ("en", False), ("xx", True)])
def test_player_speaks_the_lessons_language(activity, client, lang, swedish):
    html = content_get(client, play_url(activity) + f"&lang={lang}").content.decode()
    assert ('"H5P": {"fullscreen": "Helsk' in html) is swedish
    assert f'<html lang="{"sv" if lang == "xx" else lang}">' in html


@pytest.mark.django_db
def test_player_keeps_a_logged_in_session_out(activity, client, admin_user):
    client.force_login(admin_user)
    response = content_get(client, play_url(activity))
    assert response.status_code == 200
    assert_cookieless(response)
    assert "h5padmin" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "parent",
    [
        "",
        "https://evil.example",
        "http://evil.example",
        f"http://{CONTENT_HOST}",  # the content origin may not frame itself
        "https://testserver",  # another scheme than the request's
        "http://testserver:8443",  # another port
        "http://testserver/path",
        "javascript:alert(1)",
    ],
)
def test_player_refuses_unknown_parents(activity, client, parent):
    response = content_get(client, play_url(activity, parent))
    assert response.status_code == 400
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert_cookieless(response)


@pytest.mark.django_db
def test_unknown_activity_is_404(h5p_dirs, client):
    response = content_get(client, "/h5p/play/00000000-0000-4000-8000-000000000000/?parent=x")
    assert response.status_code in (400, 404)
    response = content_get(
        client, "/h5p/play/00000000-0000-4000-8000-000000000000/?parent=http%3A%2F%2Ftestserver"
    )
    assert response.status_code == 404


@needs_player
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        (PLAYER_JS, "text/javascript"),
        ("/h5p/player/frame.bundle.js", "text/javascript"),
        ("/h5p/player/styles/h5p.css", "text/css"),
        ("/h5p/assets/player.js", "text/javascript"),
        ("/h5p/assets/player.css", "text/css"),
    ],
)
def test_player_files_are_static_files(client, path, content_type):
    client.cookies["sessionid"] = "x"
    response = content_get(client, path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "max-age" in response["Cache-Control"]
    assert_cookieless(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("h5p.json", "application/json"),
        ("content/content.json", "application/json"),
        ("content/images/bar.png", "image/png"),
    ],
)
def test_package_content_files(activity, client, path, content_type):
    response = content_get(client, f"/h5p/content/{activity.uuid}/{path}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert_cookieless(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("H5P.Test-1.2/library.json", "application/json"),
        ("H5P.Test-1.2/scripts/main.js", "text/javascript; charset=utf-8"),
        ("H5P.Test-1.2/styles/main.css", "text/css; charset=utf-8"),
        ("H5P.Helper-2.0/scripts/main.js", "text/javascript; charset=utf-8"),
    ],
)
def test_library_files(activity, client, path, content_type):
    response = content_get(client, f"/h5p/libraries/{path}")
    assert response.status_code == 200, path
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert_cookieless(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/h5p/content/{uuid}/content/../h5p.json",
        "/h5p/content/{uuid}/content/%2e%2e/h5p.json",
        "/h5p/content/{uuid}/content/.hidden.json",
        "/h5p/content/{uuid}/content/missing.png",
        "/h5p/content/{uuid}/content/evil.php",
        "/h5p/content/{uuid}/other/file.json",
        "/h5p/content/00000000-0000-4000-8000-000000000000/h5p.json",
        "/h5p/libraries/H5P.Test-1.2/../../content/x.json",
        "/h5p/libraries/H5P.Test-9.9/library.json",
        "/h5p/libraries/H5P.Test-1.2/nothing.js",
        "/h5p/libraries/H5P.Test-1.2/page.html",
    ],
)
def test_bad_file_paths_are_404(activity, client, path):
    response = content_get(client, path.format(uuid=activity.uuid))
    assert response.status_code == 404
    assert_cookieless(response)


@pytest.mark.django_db
def test_the_platform_origin_refuses_the_content_paths(activity, client, h5p_dirs):
    paths = [
        play_url(activity),
        PLAYER_JS,
        "/h5p/assets/player.js",
        f"/h5p/content/{activity.uuid}/h5p.json",
        "/h5p/libraries/H5P.Test-1.2/scripts/main.js",
        f"/media/{activity.storage_path}/h5p.json",
        f"/media/{activity.libraries.first().storage_path}/library.json",
    ]
    for path in paths:
        for host in ("testserver", "localhost", "bibliotek.localhost"):
            response = client.get(path, HTTP_HOST=host)
            assert response.status_code == 404, (host, path)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/admin/",
        "/konto/login/",
        "/healthz",
        "/static/css/site.css",
        "/static/js/h5p.js",
        "/api/v2/pages/",
        "/kurser/grunder/",
        "/media/anything.png",
        "/h5p/",
        "/h5p/play/",
    ],
)
def test_the_content_origin_refuses_everything_else(catalogue, h5p_dirs, client, path):
    client.cookies["sessionid"] = "x"
    response = content_get(client, path)
    assert response.status_code == 404, path
    assert response["Content-Type"].startswith("text/plain")
    assert_cookieless(response)


@pytest.mark.django_db
def test_posting_to_the_content_origin_is_refused(activity, client):
    response = client.post(play_url(activity), HTTP_HOST=CONTENT_HOST)
    assert response.status_code in (404, 405)
    assert_cookieless(response)
    if HAS_PLAYER:
        response = client.post(PLAYER_JS, HTTP_HOST=CONTENT_HOST)
        assert response.status_code == 404


@pytest.mark.django_db
def test_content_origin_takes_the_request_port(activity, client, h5p_lesson):
    html = client.get(h5p_lesson.url, HTTP_HOST="localhost:8000").content.decode()
    assert f"http://{CONTENT_HOST}:8000/h5p/play/{activity.uuid}/" in html
    response = client.get(
        play_url(activity, "http://localhost:8000"), HTTP_HOST=f"{CONTENT_HOST}:8000"
    )
    assert response.status_code == 200
    assert "frame-ancestors http://localhost:8000" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_lesson_page_allows_framing_only_the_content_origin(client, h5p_lesson):
    response = client.get(h5p_lesson.url)
    csp = response["Content-Security-Policy"]
    frame_src = next(part for part in csp.split(";") if part.strip().startswith("frame-src"))
    assert f"{CONTENT_HOST}:*" in frame_src
    assert "default-src 'self'" in csp
