"""The offline verifier: one page, its configuration, its service worker and manifest.

No account is needed (verifying needs no secret) and nothing about a scan ever reaches the
server: the browser verifies the card with cached, signed lists (see static/verify/).
"""

from __future__ import annotations

import hashlib
import json
import logging
from functools import cache
from pathlib import Path

from csp.decorators import csp_update
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.dates import MONTHS
from django.views.decorators.http import require_GET

from sanspeur.cards import keys as card_keys
from sanspeur.cards import selectors as card_selectors

from .profiles import profiles
from .strings import CHARTER_VERSION, UI_STRINGS

logger = logging.getLogger(__name__)

LANGUAGES = ("fr", "en", "es", "ar", "ht")
RTL_LANGUAGES = ("ar",)
LANGUAGE_NAMES = {"fr": "Français", "en": "English", "es": "Español", "ar": "العربية", "ht": "Kreyòl ayisyen"}
STATIC_DIR = Path(__file__).resolve().parent / "static"

# The page's own files, cached by the service worker when it installs.
SHELL_STATIC = (
    "verify/verify.css",
    "verify/app.js",
    "verify/mtl1.js",
    "verify/verdict.js",
    "verify/inflate.js",
    "verify/scanner.js",
    "verify/icons/icon-192.png",
    "verify/icons/icon-512.png",
    "vendor/barcode-detector/es/ponyfill.js",
    "vendor/barcode-detector/es/zxing-exported.js",
    "vendor/zxing-wasm/reader/zxing_reader.wasm",
)


def _sources() -> dict:
    """Where the lists come from and which root signs the trust list (pinned here, server-side).

    Defaults to the cards app's /.well-known/sanspeur/ endpoints; each part can be set with
    SANSPEUR_VERIFY_TRUST_LIST_URL, SANSPEUR_VERIFY_STATUS_LIST_URLS and
    SANSPEUR_VERIFY_TRUST_ROOT_PEM (tests point them at the shared vectors).
    """
    trust_list_url = settings.SANSPEUR_VERIFY_TRUST_LIST_URL or reverse("wellknown:trust_list")
    status_urls = settings.SANSPEUR_VERIFY_STATUS_LIST_URLS
    if status_urls is None:
        status_urls = [reverse("wellknown:status_list", args=[list_id]) for list_id in card_selectors.status_list_ids()]
    root_pem = settings.SANSPEUR_VERIFY_TRUST_ROOT_PEM
    if root_pem is None:
        try:
            root_pem = card_keys.trust_root_pem().decode("ascii")
        except ImproperlyConfigured:
            # No trust-list key yet (production before `sanspeur cards_keys create`): the page
            # still loads, and its verifier refuses every card until it has a pinned root.
            logger.warning("verify: no trust-list signing key yet")
            root_pem = ""
    return {"trust_list_url": trust_list_url, "status_list_urls": list(status_urls), "trust_root_pem": root_pem}


def build_config() -> dict:
    strings = {}
    profile_labels = {}
    months = {}
    for code in LANGUAGES:
        with translation.override(code):
            strings[code] = {key: str(value) for key, value in UI_STRINGS.items()}
            profile_labels[code] = {p["id"]: str(p["label"]) for p in profiles()}
            # For a language the browser's Intl does not know (Haitian Creole): "7 desanm 2026".
            months[code] = [str(MONTHS[number]) for number in range(1, 13)]
    config = {
        "format": "MTL1",
        **_sources(),
        "policy": {
            "max_status_age": settings.SANSPEUR_VERIFY_MAX_STATUS_AGE_SECONDS,
            "leeway": settings.SANSPEUR_VERIFY_LEEWAY_SECONDS,
            "refresh_seconds": settings.SANSPEUR_VERIFY_REFRESH_SECONDS,
        },
        "city": settings.SANSPEUR_CITY_NAME,
        "languages": [
            {"code": code, "name": LANGUAGE_NAMES[code], "dir": "rtl" if code in RTL_LANGUAGES else "ltr"}
            for code in LANGUAGES
        ],
        "profiles": [
            {"id": p["id"], "fields": p["fields"], "label": {c: profile_labels[c][p["id"]] for c in LANGUAGES}}
            for p in profiles()
        ],
        "strings": strings,
        "months": months,
        "wasm_url": static("vendor/zxing-wasm/reader/zxing_reader.wasm"),
    }
    return config


@require_GET
@csp_update({"script-src": ["'wasm-unsafe-eval'"]})
def app(request):
    # Rendered in French for browsers without JavaScript; the script relabels the page in the
    # clerk's language from config.json (one cached page serves every language offline).
    with translation.override("fr"):
        response = render(
            request,
            "verify/app.html",
            {
                "strings": {k: str(v) for k, v in UI_STRINGS.items()},
                "profiles": profiles(),
                "languages": LANGUAGE_NAMES,
                "charter_version": CHARTER_VERSION,
            },
        )
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def config(request):
    response = JsonResponse(build_config(), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-cache"
    return response


@cache
def _shell_version() -> str:
    digest = hashlib.sha256()
    for name in SHELL_STATIC:
        path = STATIC_DIR / name
        if path.is_file():
            digest.update(path.read_bytes())
    digest.update((STATIC_DIR.parent / "templates" / "verify" / "app.html").read_bytes())
    digest.update((STATIC_DIR.parent / "templates" / "verify" / "sw.js").read_bytes())
    return digest.hexdigest()[:16]


@require_GET
def service_worker(request):
    # config.json is not part of the shell: it lives with the lists and is refreshed like them.
    shell = [reverse("verify:app"), reverse("verify:manifest")]
    # With the manifest storage, static() gives hashed names, but ES module imports inside our
    # files ("./mtl1.js", the ponyfill's "./zxing-exported.js") ask for the plain names: cache both.
    for name in SHELL_STATIC:
        for url in (static(name), settings.STATIC_URL + name):
            if url not in shell:
                shell.append(url)
    body = render(
        request,
        "verify/sw.js",
        {
            "version_json": json.dumps(_shell_version()),
            "shell_json": json.dumps(shell),
            "config_url_json": json.dumps(reverse("verify:config")),
        },
        content_type="text/javascript; charset=utf-8",
    )
    body["Service-Worker-Allowed"] = reverse("verify:app")
    body["Cache-Control"] = "no-cache"
    return body


@require_GET
def manifest(request):
    with translation.override("fr"):
        data = {
            "name": f"{UI_STRINGS['title']} · Sans peur",
            "short_name": "Vérif. Sans peur",
            "lang": "fr",
            "start_url": reverse("verify:app"),
            "scope": reverse("verify:app"),
            "id": reverse("verify:app"),
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#1d3a6e",
            "icons": [
                {"src": static("verify/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {
                    "src": static("verify/icons/icon-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "any maskable",
                },
            ],
        }
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")
