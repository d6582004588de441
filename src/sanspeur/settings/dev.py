"""Development and demo: runs out of the box on SQLite with keys generated under ./var."""

import environ

from .base import *  # noqa: F403
from .base import DATA_DIR, config

# The variables whose development default differs from production's (registry.py).
DEBUG = config("SANSPEUR_DEBUG", development=True)
SECRET_KEY = config("SANSPEUR_SECRET_KEY", development=True)
ALLOWED_HOSTS = config("SANSPEUR_ALLOWED_HOSTS", development=True)
SANSPEUR_CREATE_MISSING_KEYS = config("SANSPEUR_CREATE_MISSING_KEYS", development=True)
# Reminders are printed to the console instead of being sent.
vars().update(environ.Env.email_url_config(config("SANSPEUR_EMAIL_URL", development=True)))
SANSPEUR_PUBLIC_URL = config("SANSPEUR_PUBLIC_URL", development=True)
DATA_DIR.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
