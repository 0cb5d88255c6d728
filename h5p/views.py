"""Views of the content origin: the player page and the package files.

They run only on the content host (``h5p.middleware`` selects
``h5p.content_urls``), without cookies, and every response carries a strict
Content-Security-Policy and ``X-Content-Type-Options: nosniff``.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from .models import H5PActivity, H5PLibrary
from .origin import (
    ASSET_CSP,
    ASSETS_PREFIX,
    CONTENT_PREFIX,
    LIBRARIES_PREFIX,
    PLAYER_PREFIX,
    allowed_parent,
    content_origin,
    player_csp,
)
from .package import CONTENT_EXTENSIONS, LIBRARY_EXTENSIONS
from .services import STORAGE_ROOT, h5p_storage
from .translations import player_translations

#: Content types by extension: every extension a package may contain, nothing guessed.
CONTENT_TYPES: dict[str, str] = {
    "json": "application/json",
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "svg": "image/svg+xml",
    "xml": "application/xml",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "eot": "application/vnd.ms-fontobject",
    "ttf": "font/ttf",
    "woff": "font/woff",
    "woff2": "font/woff2",
    "otf": "font/otf",
    "webm": "video/webm",
    "mp4": "video/mp4",
    "ogg": "audio/ogg",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "wav": "audio/wav",
    "txt": "text/plain; charset=utf-8",
    "md": "text/plain; charset=utf-8",
    "textile": "text/plain; charset=utf-8",
    "diff": "text/plain; charset=utf-8",
    "patch": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "vtt": "text/vtt; charset=utf-8",
    "webvtt": "text/vtt; charset=utf-8",
    "pdf": "application/pdf",
    "rtf": "application/rtf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "gltf": "model/gltf+json",
    "glb": "model/gltf-binary",
}
_SAFE_PART = re.compile(r"[^/\\\x00-\x1f]+")
_LIBRARY_FOLDER = re.compile(
    r"(?P<name>[\w.\-]+)-(?P<major>\d{1,5})\.(?P<minor>\d{1,5})", re.ASCII
)
FILE_MAX_AGE = 24 * 60 * 60


@require_safe
@xframe_options_exempt
def player(request: HttpRequest, activity) -> HttpResponse:
    """The page inside the lesson's iframe: h5p-standalone playing one activity.

    ``?parent=`` names the platform origin that embeds it; it must be one of
    ours, and becomes both ``frame-ancestors`` and the only ``postMessage``
    target, so no other site can frame the player or receive its results.
    """
    language = request.GET.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        return _player(request, activity, language)


def _player(request: HttpRequest, activity, language: str) -> HttpResponse:
    parent = allowed_parent(request.GET.get("parent", ""), request)
    if parent is None:
        response = HttpResponse(
            _("This activity can only be shown inside a lesson."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
        response["Content-Security-Policy"] = ASSET_CSP
        return response
    item = get_object_or_404(H5PActivity.objects.only("uuid", "title"), uuid=activity)
    origin = content_origin(request)
    config = {
        "activity": str(item.uuid),
        "parentOrigin": parent,
        "title": item.title,
        "h5pJsonPath": f"{CONTENT_PREFIX}{item.uuid}",
        "librariesPath": LIBRARIES_PREFIX.rstrip("/"),
        "frameJs": f"{PLAYER_PREFIX}frame.bundle.js",
        "frameCss": f"{PLAYER_PREFIX}styles/h5p.css",
        "xAPIObjectIRI": f"{origin}/h5p/play/{item.uuid}/",
        "translations": player_translations(language),
        "messages": {
            "failed": _("The activity could not be started. Reload the page to try again."),
        },
    }
    response = render(
        request,
        "h5p/player.html",
        {
            "activity": item,
            "config": config,
            "player_js": f"{PLAYER_PREFIX}main.bundle.js",
            "assets": ASSETS_PREFIX,
        },
    )
    response["Content-Security-Policy"] = player_csp(parent)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _clean_path(path: str, allowed: frozenset[str]) -> tuple[str, str]:
    parts = path.split("/")
    if any(not _SAFE_PART.fullmatch(p) or p in (".", "..") or p.startswith(".") for p in parts):
        raise Http404
    extension = parts[-1].rsplit(".", 1)[-1].lower() if "." in parts[-1] else ""
    if extension not in allowed or extension not in CONTENT_TYPES:
        raise Http404
    return "/".join(parts), extension


def _serve(name: str, extension: str, request: HttpRequest) -> FileResponse:
    storage = h5p_storage()
    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, OSError) as error:
        raise Http404 from error
    response = FileResponse(handle, content_type=CONTENT_TYPES[extension])
    if request.method == "HEAD":
        response.streaming_content = iter(())
    response["Content-Security-Policy"] = ASSET_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = f"public, max-age={FILE_MAX_AGE}"
    return response


@require_safe
def content_file(request: HttpRequest, activity: str, path: str) -> FileResponse:
    """h5p.json and content/… of one activity (content-type whitelist)."""
    allowed = CONTENT_EXTENSIONS | {"json"}
    clean, extension = _clean_path(path, allowed)
    if not (clean == "h5p.json" or clean.startswith("content/")):
        raise Http404
    return _serve(f"{STORAGE_ROOT}/content/{activity}/{clean}", extension, request)


def library_folder(folder: str) -> str | None:
    """Storage folder of an installed library (cached; installed libraries never change)."""
    key = f"h5p:library:{folder}"
    cached = cache.get(key)
    if cached is not None:
        return cached or None
    match = _LIBRARY_FOLDER.fullmatch(folder)
    storage_path = ""
    if match:
        storage_path = (
            H5PLibrary.objects.filter(
                machine_name=match["name"],
                major_version=int(match["major"]),
                minor_version=int(match["minor"]),
            )
            .values_list("storage_path", flat=True)
            .first()
            or ""
        )
    cache.set(key, storage_path, 60 * 60 if storage_path else 60)
    return storage_path or None


@require_safe
def library_file(request: HttpRequest, folder: str, path: str) -> FileResponse:
    clean, extension = _clean_path(path, LIBRARY_EXTENSIONS)
    storage_path = library_folder(folder)
    if storage_path is None:
        raise Http404
    return _serve(f"{storage_path}/{clean}", extension, request)
