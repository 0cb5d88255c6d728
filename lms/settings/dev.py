"""Local development: `make run`. Never use in production."""

import os

from .base import *  # noqa: F403
from .env import env_bool, env_list

DEBUG = os.environ.get("DEBUG", "1") not in {"0", "false", "False"}
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-change-me"  # noqa: S105
# *.localhost resolves to loopback everywhere, so editions and the H5P content
# origin work without touching /etc/hosts.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,.localhost")
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Plain static storage: no manifest needed while developing.
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
}
KLARTANKT_DEMO_USERS = True
SERVE_MEDIA = True
# Serve static files straight from the app folders while developing.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The demo admin logins work without an authenticator app; set REQUIRE_STAFF_MFA=1
# to try the two-factor flow that production enforces.
KLARTANKT_REQUIRE_STAFF_MFA = env_bool("REQUIRE_STAFF_MFA", False)
