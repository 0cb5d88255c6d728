"""Production settings plus a full page cache, for the benchmark only.

Estimates what a full page cache would add. Django's own site cache
(UpdateCacheMiddleware/FetchFromCacheMiddleware) can't be used for this: the
lesson page renders {% csrf_token %} for its quiz forms, so every response sets
the csrftoken cookie while varying on Cookie, and Django never caches such
responses. bench.pagecache.PageCacheMiddleware therefore stores the rendered
page without its cookies. It sits where FetchFromCacheMiddleware would (last),
so a hit still runs gunicorn, the request half of every other middleware, a
cache get with unpickling, and every middleware's response half.
Not used by the application; `bench/run.py` serves it as one scenario.
"""

from lms.settings.production import *  # noqa: F403

MIDDLEWARE = [*MIDDLEWARE, "bench.pagecache.PageCacheMiddleware"]  # noqa: F405
