"""Benchmark-only full page cache (see bench/settings_pagecache.py).

Serves a stored copy of a GET response for anonymous requests, keyed by path
and language. Deliberately simple; not for production: it ignores cookies and
never invalidates before the timeout.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language

TIMEOUT = 600
SKIPPED_HEADERS = {"set-cookie", "content-length"}


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "GET" or request.user.is_authenticated:
            return self.get_response(request)
        key = f"bench-page:{get_language()}:{request.get_full_path()}"
        cached = cache.get(key)
        if cached is not None:
            return cached
        response = self.get_response(request)
        if response.status_code == 200 and not response.streaming:
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            stored = HttpResponse(response.content, status=200)
            for name, value in response.items():
                if name.lower() not in SKIPPED_HEADERS:
                    stored[name] = value
            cache.set(key, stored, TIMEOUT)
        return response
