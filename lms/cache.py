"""A Redis cache that keeps pages up when Redis is down, and keeps rate limits shut.

Reads and writes that only speed things up (navigation, branding, Wagtail's site
root paths) fall back to "not cached". `add` and `incr` — what rate limiters and
locks use — still raise, and `CacheUnavailableMiddleware` turns that into a 503, so
logins are refused rather than let through without their limits (SECURITY.md #30).
"""

from __future__ import annotations

import logging

from django.core.cache.backends.redis import RedisCache
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is a dependency
    RedisError = OSError

UNAVAILABLE = (RedisError, ConnectionError, OSError)


def _quietly(method, fallback):
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except UNAVAILABLE as error:
            logger.warning("Cache unavailable (%s): %s", method.__name__, type(error).__name__)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    wrapper.__name__ = method.__name__
    return wrapper


class ResilientRedisCache(RedisCache):
    get = _quietly(RedisCache.get, lambda key, default=None, *a, **k: default)
    get_many = _quietly(RedisCache.get_many, {})
    set = _quietly(RedisCache.set, None)
    set_many = _quietly(RedisCache.set_many, [])
    delete = _quietly(RedisCache.delete, False)
    delete_many = _quietly(RedisCache.delete_many, None)
    has_key = _quietly(RedisCache.has_key, False)


class CacheUnavailableMiddleware:
    """A request that needed the cache to stay safe (a rate limit) gets a clear 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, UNAVAILABLE):
            logger.error("Refused %s: the cache is unavailable", request.path)
            return HttpResponse(render_to_string("503.html"), status=503)
        return None
