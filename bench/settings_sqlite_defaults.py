"""Production settings with Django's default SQLite options, for the benchmark only.

The project's SQLite configuration (lms/settings/env.py) uses WAL, IMMEDIATE
transactions, a 20 s busy timeout and persistent connections so that
concurrent writers queue instead of failing. This module takes those away
(deferred transactions, the 5 s default timeout, a new connection per
request); bench/run.py serves it on a copy of the database switched back to
the rollback journal, to show what the project's settings buy for answer
submissions. Not used by the application.
"""

from lms.settings.production import *  # noqa: F403

DATABASES = {  # noqa: F405
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATABASES["default"]["NAME"],  # noqa: F405
    }
}
