"""The content origin: a separate host that plays H5P content.

Package JavaScript runs only there. It has no cookies and shares nothing with
the platform, so it cannot read a learner's or an editor's session, the
platform's DOM, or call the platform's endpoints as them.

``H5P_CONTENT_HOST`` names the host (default ``h5p.localhost``). Without a port
it takes the scheme and port of the platform request, so in development
``http://h5p.localhost:8000`` works with no configuration (``*.localhost``
resolves to loopback in browsers).
"""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.http.request import split_domain_port, validate_host

#: The one inline script H5P core writes into its own frame (``H5P.getHeadTags``
#: in h5p-standalone 3.8.2's frame.bundle.js); allowed by hash, nothing else inline.
H5P_FRAME_INLINE_SCRIPT = (
    "H5PIntegration = window.parent.H5PIntegration; var H5P = H5P || {}; "
    "H5P.externalEmbed = false;"
)
_DIGEST = hashlib.sha256(H5P_FRAME_INLINE_SCRIPT.encode()).digest()
H5P_FRAME_SCRIPT_HASH = f"'sha256-{base64.b64encode(_DIGEST).decode()}'"

#: URL prefixes that exist only on the content origin.
PLAYER_PREFIX = "/h5p/player/"  # h5p-standalone's dist folder (static files)
ASSETS_PREFIX = "/h5p/assets/"  # our player script and style (static files)
CONTENT_PREFIX = "/h5p/content/"  # extracted packages (content)
LIBRARIES_PREFIX = "/h5p/libraries/"  # installed libraries
PLAY_PREFIX = "/h5p/play/"  # the player page
CONTENT_URLCONF = "h5p.content_urls"


def content_host_setting() -> str:
    return str(getattr(settings, "H5P_CONTENT_HOST", "h5p.localhost")).strip().lower()


def content_domain() -> str:
    return split_domain_port(content_host_setting())[0] or content_host_setting()


def is_content_request(request: HttpRequest) -> bool:
    """True when the request came to the content host (any port)."""
    domain, _port = split_domain_port(request.get_host())
    return domain == content_domain()


def _request_port(request: HttpRequest) -> str:
    return split_domain_port(request.get_host())[1]


def content_origin(request: HttpRequest) -> str:
    """``scheme://host[:port]`` of the content origin, seen from this request."""
    host = content_host_setting()
    if ":" not in host:
        port = _request_port(request)
        if port:
            host = f"{host}:{port}"
    return f"{request.scheme}://{host}"


def platform_origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def allowed_parent(origin: str, request: HttpRequest) -> str | None:
    """The platform origin that may frame the player, or None if it is not one.

    ``H5P_PLATFORM_ORIGINS`` lists them explicitly when set; otherwise the
    origin must use this request's scheme and port and a host in
    ``ALLOWED_HOSTS`` that is not the content host itself.
    """
    if not origin or len(origin) > 300:
        return None
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or parts.path or parts.query or parts.fragment:
        return None
    if parts.username or parts.password or not parts.hostname:
        return None
    normalised = f"{parts.scheme}://{parts.netloc.lower()}"
    explicit = getattr(settings, "H5P_PLATFORM_ORIGINS", None)
    if explicit:
        return normalised if normalised in {o.rstrip("/").lower() for o in explicit} else None
    domain, port = split_domain_port(parts.netloc.lower())
    if not domain or domain == content_domain():
        return None
    if parts.scheme != request.scheme or port != _request_port(request):
        return None
    if not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    return normalised


def player_csp(parent: str) -> str:
    """The player page's policy: only its own origin, framed only by ``parent``."""
    return "; ".join(
        [
            "default-src 'none'",
            # 'unsafe-eval': real libraries compile templates at run time (H5P.QuestionSet
            # uses EmbeddedJS). Acceptable here: this origin holds nothing to steal.
            f"script-src 'self' 'unsafe-eval' {H5P_FRAME_SCRIPT_HASH}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "media-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "frame-src 'self'",
            "child-src 'self'",
            "form-action 'none'",
            "base-uri 'self'",
            "object-src 'none'",
            f"frame-ancestors {parent}",
        ]
    )


#: Files (scripts, styles, media, package files) are never documents to frame or run.
ASSET_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"
