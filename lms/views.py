"""Project-wide views: health check and error pages that need no database."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.static import serve


def healthz(request: HttpRequest) -> JsonResponse:
    """Database and cache status for load balancers: 200 when both work, else 503."""
    status = {"database": "ok", "cache": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        status["database"] = "error"
    try:
        cache.set("healthz", "1", 10)
        if cache.get("healthz") != "1":
            status["cache"] = "error"
    except Exception:  # noqa: BLE001
        status["cache"] = "error"
    healthy = all(value == "ok" for value in status.values())
    status["status"] = "ok" if healthy else "error"
    response = JsonResponse(status, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response


def serve_media(request: HttpRequest, path: str) -> HttpResponse:
    """Uploaded files, sandboxed so an uploaded SVG cannot run script on our origin."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return HttpResponse(render_to_string("403_csrf.html"), status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without a request context: no context processors, no database.
    return HttpResponse(render_to_string("500.html"), status=500)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return HttpResponse(render_to_string("404.html"), status=404)


def admin_login_redirect(request: HttpRequest) -> HttpResponse:
    """Send admin logins through allauth, keeping where the editor was going."""
    from django.shortcuts import redirect
    from django.utils.http import url_has_allowed_host_and_scheme, urlencode

    target = request.GET.get("next", "/admin/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/admin/"
    return redirect(f"/konto/login/?{urlencode({'next': target})}")
