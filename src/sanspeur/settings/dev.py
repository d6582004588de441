"""Development and demo: runs out of the box on SQLite with keys generated under ./var."""

from .base import *  # noqa: F403
from .base import DATA_DIR, env

DEBUG = env.bool("SANSPEUR_DEBUG", default=True)
SECRET_KEY = env.str("SANSPEUR_SECRET_KEY", default="dev-only-not-secret-" + "x" * 40)
ALLOWED_HOSTS = env.list("SANSPEUR_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
SANSPEUR_CREATE_MISSING_KEYS = True
# Reminders are printed to the console instead of being sent.
vars().update(env.email_url("SANSPEUR_EMAIL_URL", default="consolemail://"))
SANSPEUR_PUBLIC_URL = env.str("SANSPEUR_PUBLIC_URL", default="http://127.0.0.1:8000")
DATA_DIR.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
