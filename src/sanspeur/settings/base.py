"""Settings shared by every environment.

Everything that differs between machines comes from environment variables: ``DATABASE_URL``
through ``environ.Env`` and every ``SANSPEUR_*`` variable through the table of ``registry.py``
(its type, default and meaning; apps read ``settings.SANSPEUR_*`` without a default of their own).
Development defaults are safe, production refuses to start without its secrets (``production.py``).
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from . import registry

env = environ.Env()  # DATABASE_URL only
config = registry.Environment()  # every SANSPEUR_* variable, parsed at once: a bad value stops here

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(config("SANSPEUR_DATA_DIR") or Path.cwd() / "var").resolve()

SECRET_KEY = config("SANSPEUR_SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = config("SANSPEUR_ALLOWED_HOSTS")

# Our apps come first so that their templates and translations win over the libraries' own.
INSTALLED_APPS = [
    "sanspeur.core",
    "sanspeur.accounts",
    "sanspeur.cards",
    "sanspeur.verify",
    "sanspeur.wallet",
    "sanspeur.directory",
    "sanspeur.clinics",
    "sanspeur.protection",
    "sanspeur.outside_requests",
    "sanspeur.training",
    "sanspeur.grants",
    "sanspeur.impact",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sanspeur.core.middleware.PrivacyHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "sanspeur.accounts.middleware.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "sanspeur.urls"
WSGI_APPLICATION = "sanspeur.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sanspeur.core.context_processors.site",
            ],
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'sanspeur.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the demo serve a page while a job writes. IMMEDIATE transactions
    # take the write lock when they begin, waiting for it up to the timeout: a transaction that
    # read first and wrote later (cancel or move a booking) would otherwise fail at once with
    # "database is locked" when another writer was busy (tests/clinics/test_concurrency.py).
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;",
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side binding: PostgreSQL receives "$1, $2" and the values apart, never a statement
    # with search words or a map point written into it, so that no server log, pg_stat_activity
    # or error report can show them (docs/deploy.md, "PostgreSQL's own logs"). Django binds on
    # the client by default with psycopg 3.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"

# Sign-in lockout: accounts/lockout.py (device cookies: guessing a password locks out only the
# browsers that never signed in to the account; no address is read or kept). django-axes, which
# locked the account itself for everyone, is gone (issue 14; its tables: docs/deploy.md, upgrades).

# Idle timeout: every request pushes the expiry forward; a silent half-hour ends the session.
SESSION_COOKIE_AGE = config("SANSPEUR_IDLE_TIMEOUT_SECONDS")
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "sanspeur.core.views.csrf_failure"

# Internationalisation: French first, English complete; public pages also es, ar (RTL), ht.
LANGUAGE_CODE = "fr"
LANGUAGES = [
    ("fr", "Français"),
    ("en", "English"),
    ("es", "Español"),
    ("ar", "العربية"),
    ("ht", "Kreyòl ayisyen"),
]
STAFF_LANGUAGES = ("fr", "en")
EXTRA_LANG_INFO = {
    "ht": {"bidi": False, "code": "ht", "name": "Haitian Creole", "name_local": "Kreyòl ayisyen"},
}
TIME_ZONE = "America/Montreal"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [PACKAGE_DIR / "locale"]  # Haitian Creole calendar names Django lacks
FORMAT_MODULE_PATH = ["sanspeur.formats"]  # and its date formats

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Front-end packages installed from npm with the lockfile (see package.json) are served from here.
NODE_MODULES_DIR = Path(config("SANSPEUR_NODE_MODULES") or PACKAGE_DIR.parent.parent / "node_modules")
VENDORED_STATIC = {
    "vendor/leaflet": "leaflet/dist",
    "vendor/barcode-detector": "barcode-detector/dist",
    "vendor/zxing-wasm": "zxing-wasm/dist",
    "vendor/cborg": "cborg",
    "vendor/altcha": "altcha/dist",  # proof-of-work widget of the public forms (core/humancheck.py)
}
STATICFILES_DIRS = [
    (prefix, str(NODE_MODULES_DIR / folder))
    for prefix, folder in VENDORED_STATIC.items()
    if (NODE_MODULES_DIR / folder).is_dir()
]

# Uploads never touch the disk unencrypted: everything stays in memory up to this size.
FILE_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]

# Every variable the apps read as settings.SANSPEUR_<same name> (city name, public address, card
# issuer, retention periods, rate limits...), with the defaults declared in registry.py.
vars().update(config.django_settings())
# Keys live outside the database: a directory (or environment variables) read by the key provider.
SANSPEUR_KEY_DIR = config("SANSPEUR_KEY_DIR") or DATA_DIR / "keys"
SANSPEUR_VAULT_BUCKETS = config("SANSPEUR_VAULT_BUCKETS")
# Outgoing e-mail is used only for reminders the person asked for.
vars().update(environ.Env.email_url_config(config("SANSPEUR_EMAIL_URL")))
DEFAULT_FROM_EMAIL = config("SANSPEUR_EMAIL_FROM")


def cache_from_url(url: str) -> dict:
    """``redis://host:port/db`` (shared by every worker) or ``locmem://`` (one process only)."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": "sanspeur"}
    if url.startswith("locmem://"):
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": url[len("locmem://") :]}
    raise ImproperlyConfigured("SANSPEUR_CACHE_URL must start with redis://, rediss://, unix:// or locmem://")


# Rate limits and the single-use booking-form tokens live in the cache: in production every worker
# must share it, or a token spent on one worker is accepted again by the next (production.py).
CACHES = {"default": cache_from_url(config("SANSPEUR_CACHE_URL"))}

# Security headers. The CSP allows nothing inline and nothing from another origin.
SECURE_CONTENT_TYPE_NOSNIFF = True
# "same-origin", not "no-referrer": with no-referrer, Chromium sends "Origin: null" on form posts and
# Django's CSRF origin check (rightly) refuses them. Other sites still never get a referrer.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
# The directory map's tiles: a city's own tile server on another origin is the one image source
# allowed besides this site (docs/directory.md "Map tiles").
if _tile_origin := registry.url_origin(config("SANSPEUR_MAP_TILE_URL")):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(_tile_origin)

# Logging: never the request line of the public, never a personal value. Django's request logger
# only records server errors here; every handler goes through core.privacy.ScrubPersonalDataFilter,
# which blanks query strings, secret path segments (<secret:…> in the URL map: booking codes,
# one-time links), e-mail addresses, booking codes and codenames in the message and the exception.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub": {"()": "sanspeur.core.privacy.ScrubPersonalDataFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["scrub"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.server": {"handlers": [], "level": "CRITICAL", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
