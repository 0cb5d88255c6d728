"""The edition's colours as a tiny stylesheet (CSP allows no inline styles)."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from .colours import HEX_COLOUR, darken
from .context_processors import _branding


@require_GET
def edition_css(request: HttpRequest) -> HttpResponse:
    accent = _branding(request).get("accent") or ""
    css = ""
    if HEX_COLOUR.match(accent):
        css = f":root {{ --accent: {accent}; --accent-dark: {darken(accent)}; }}\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response
