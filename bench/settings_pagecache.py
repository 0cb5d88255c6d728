"""Production settings plus Django's site-wide cache, for the benchmark only.

Estimates what a full page cache would add: a hit still runs gunicorn, the
request half of every middleware above FetchFromCacheMiddleware, a cache
lookup and unpickling, and every middleware's response half. Not used by the
application; `bench/run.py` serves it as one scenario.
"""

from lms.settings.production import *  # noqa: F403

MIDDLEWARE = [
    "django.middleware.cache.UpdateCacheMiddleware",
    *MIDDLEWARE,  # noqa: F405
    "django.middleware.cache.FetchFromCacheMiddleware",
]
CACHE_MIDDLEWARE_SECONDS = 600
CACHE_MIDDLEWARE_KEY_PREFIX = "bench-page"
