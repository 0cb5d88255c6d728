"""Route requests by host: the content origin serves only the H5P player.

On the content host (``H5P_CONTENT_HOST``, any port):

* incoming cookies are dropped before any other middleware sees them, and
  every ``Set-Cookie`` is stripped from the response;
* the player's files (h5p-standalone's ``dist`` folder and our player script)
  are served as static files by a WhiteNoise instance of their own;
* the player page and the package files go through ``h5p.content_urls``
  (``request.urlconf``); every other path is a plain 404, so nothing of the
  platform (pages, admin, static, media) is reachable there.

On every other host, the content paths do not exist (they are not in
``lms.urls``) and the H5P files in media storage are refused.

Put this middleware first in ``MIDDLEWARE``.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.urls import Resolver404, resolve
from whitenoise.base import WhiteNoise
from whitenoise.middleware import WhiteNoiseMiddleware

from .origin import (
    ASSET_CSP,
    ASSETS_PREFIX,
    CONTENT_URLCONF,
    PLAYER_PREFIX,
    is_content_request,
)

ASSETS_DIR = Path(__file__).resolve().parent / "player_assets"


def _asset_headers(headers, path, url) -> None:
    headers["Content-Security-Policy"] = ASSET_CSP
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Referrer-Policy"] = "no-referrer"


def not_found(request: HttpRequest | None = None, exception=None) -> HttpResponse:
    response = HttpResponseNotFound(b"Not found\n", content_type="text/plain; charset=utf-8")
    response["Content-Security-Policy"] = ASSET_CSP
    response["X-Content-Type-Options"] = "nosniff"
    return response


def player_files() -> WhiteNoise:
    """h5p-standalone's files and ours, scanned once at start-up."""
    files = WhiteNoise(
        application=None,
        autorefresh=False,
        max_age=int(getattr(settings, "H5P_PLAYER_MAX_AGE", 24 * 60 * 60)),
        allow_all_origins=False,
        add_headers_function=_asset_headers,
    )
    root = Path(getattr(settings, "H5P_PLAYER_ROOT", ""))
    if root.is_dir():
        files.add_files(str(root), prefix=PLAYER_PREFIX)
    files.add_files(str(ASSETS_DIR), prefix=ASSETS_PREFIX)
    return files


class ContentOriginMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.files = player_files()
        self.refused_on_platform = tuple(
            prefix.rstrip("/") + "/h5p/"
            for prefix in (settings.MEDIA_URL or "",)
            if prefix.startswith("/")
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_content_request(request):
            if self.refused_on_platform and request.path_info.startswith(self.refused_on_platform):
                return not_found(request)
            return self.get_response(request)
        return _cookieless(self._content(request))

    def _content(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_COOKIE", None)
        request.COOKIES = {}
        static_file = self.files.files.get(request.path_info)
        if static_file is not None:
            if request.method not in ("GET", "HEAD"):
                return not_found(request)
            return WhiteNoiseMiddleware.serve(static_file, request)
        try:
            resolve(request.path_info, urlconf=CONTENT_URLCONF)
        except Resolver404:
            return not_found(request)
        request.urlconf = CONTENT_URLCONF
        return self.get_response(request)


def _cookieless(response: HttpResponse) -> HttpResponse:
    response.cookies.clear()
    if "Set-Cookie" in response:
        del response["Set-Cookie"]
    return response
