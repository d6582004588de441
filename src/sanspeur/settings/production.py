"""Production: PostgreSQL behind a reverse proxy. Refuses to start without its secrets."""

from typing import Any

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, config, env


def mandatory(name: str) -> Any:
    value = config(name)
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production.")
    return value


DEBUG = False
SECRET_KEY = mandatory("SANSPEUR_SECRET_KEY")
ALLOWED_HOSTS = mandatory("SANSPEUR_ALLOWED_HOSTS")
# The master key (or the file that holds it) must be given: a missing key is never generated here.
if not (config.is_set("SANSPEUR_MASTER_KEY") or config.is_set("SANSPEUR_MASTER_KEY_FILE")):
    raise ImproperlyConfigured("SANSPEUR_MASTER_KEY or SANSPEUR_MASTER_KEY_FILE must be set in production.")
SANSPEUR_CREATE_MISSING_KEYS = False
SANSPEUR_DIRECTORY_FIXED_NOW = None  # a test hook: the public directory always runs on the real clock
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not config("SANSPEUR_ALLOW_SQLITE"):
    raise ImproperlyConfigured("Production runs on PostgreSQL: set DATABASE_URL.")
# Keep a worker's database connection between requests: a new PostgreSQL connection per request
# cost a directory search 15-25 ms and 37 % of throughput (docs/benchmarks.md). A
# ``?conn_max_age=`` in DATABASE_URL still wins; health checks drop a connection that went away.
if "conn_max_age" not in env.str("DATABASE_URL", default=""):
    DATABASES["default"]["CONN_MAX_AGE"] = config("SANSPEUR_CONN_MAX_AGE")
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Every worker must see the same rate limits and spent tokens: a per-process cache would accept a
# booking form's single-use token once per worker. Redis in production (docs/deploy.md).
if not config("SANSPEUR_CACHE_URL").startswith(("redis://", "rediss://", "unix://")) and not config(
    "SANSPEUR_ALLOW_LOCAL_CACHE"
):
    raise ImproperlyConfigured("SANSPEUR_CACHE_URL must point to a Redis shared by every worker in production.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = config("SANSPEUR_SSL_REDIRECT")
SECURE_HSTS_SECONDS = 63072000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
