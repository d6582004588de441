"""The holder app ("My card", a machine URL without language: one cached page serves every
language offline), its claim endpoint, and the agent's page that makes a one-time link."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanspeur.accounts.decorators import staff_view
from sanspeur.cards import selectors as card_selectors
from sanspeur.core.public_pages import public_view

from . import services
from .strings import UI_STRINGS

LANGUAGES = ("fr", "en", "es", "ar", "ht")
RTL_LANGUAGES = ("ar",)
LANGUAGE_NAMES = {"fr": "Français", "en": "English", "es": "Español", "ar": "العربية", "ht": "Kreyòl ayisyen"}
STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_CLAIM_BYTES = 1024

# The app's own files, cached by the service worker when it installs. The card decoder is the
# verifier's (same parser, one implementation to keep right).
SHELL_STATIC = (
    "wallet/wallet.css",
    "wallet/app.js",
    "wallet/icons/icon-192.png",
    "wallet/icons/icon-512.png",
    "verify/mtl1.js",
    "verify/inflate.js",
)


def _config() -> dict:
    strings = {}
    months = {}
    for code in LANGUAGES:
        with translation.override(code):
            strings[code] = {key: str(value) for key, value in UI_STRINGS.items()}
            months[code] = [str(MONTHS[number]) for number in range(1, 13)]
    return {
        "languages": [
            {"code": code, "name": LANGUAGE_NAMES[code], "dir": "rtl" if code in RTL_LANGUAGES else "ltr"}
            for code in LANGUAGES
        ],
        "strings": strings,
        "months": months,
        "claim_url": reverse("wallet_app:claim"),
    }


@require_GET
def app(request):
    # Rendered in French for browsers without JavaScript; the script relabels the page in the
    # resident's language from the strings embedded in it. The page never carries a token: the
    # one-time link puts it after "#", which browsers do not send.
    with translation.override("fr"):
        response = render(
            request,
            "wallet/app.html",
            {"strings": {k: str(v) for k, v in UI_STRINGS.items()}, "config": _config(), "languages": LANGUAGE_NAMES},
        )
    response["Cache-Control"] = "no-cache"
    return response


@require_POST
@public_view
def claim(request):
    """POST {"token": "..."} -> the card, once. Same refusal for every kind of failure."""
    if len(request.body) > MAX_CLAIM_BYTES:
        return JsonResponse({"error": "unavailable"}, status=400)
    try:
        token = json.loads(request.body or b"{}").get("token")
    except (ValueError, AttributeError):
        token = None
    try:
        payload = services.phone_link_claim(acting_user=None, token=token)
    except services.LinkUnavailable:
        return JsonResponse({"error": "unavailable"}, status=410)
    return JsonResponse(payload)


@cache
def _shell_version() -> str:
    digest = hashlib.sha256()
    for name in SHELL_STATIC:
        for root in (STATIC_DIR, STATIC_DIR.parent.parent / "verify" / "static"):
            path = root / name
            if path.is_file():
                digest.update(path.read_bytes())
    for template in ("app.html", "sw.js"):
        digest.update((STATIC_DIR.parent / "templates" / "wallet" / template).read_bytes())
    return digest.hexdigest()[:16]


@require_GET
def service_worker(request):
    # Only the shell is cached: the claim is never cached, and the card lives in IndexedDB.
    shell = [reverse("wallet_app:app"), reverse("wallet_app:manifest")]
    for name in SHELL_STATIC:
        for url in (static(name), settings.STATIC_URL + name):
            if url not in shell:
                shell.append(url)
    body = render(
        request,
        "wallet/sw.js",
        {"version_json": json.dumps(_shell_version()), "shell_json": json.dumps(shell)},
        content_type="text/javascript; charset=utf-8",
    )
    body["Service-Worker-Allowed"] = reverse("wallet_app:app")
    body["Cache-Control"] = "no-cache"
    return body


@require_GET
def manifest(request):
    with translation.override("fr"):
        data = {
            "name": f"{UI_STRINGS['title']} · Sans peur",
            "short_name": str(UI_STRINGS["title"]),
            "lang": "fr",
            "start_url": reverse("wallet_app:app"),
            "scope": reverse("wallet_app:app"),
            "id": reverse("wallet_app:app"),
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#1d3a6e",
            "icons": [
                {"src": static("wallet/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {
                    "src": static("wallet/icons/icon-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "any maskable",
                },
            ],
        }
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")


# --- the agent's page -----------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@staff_view(services.MANAGE)
def card_phone(request, pk):
    """GET: what the resident will get, and a button. POST: a new one-time link, shown as a QR."""
    card = card_selectors.card_get(acting_user=request.user, pk=pk)
    carried = services.card_is_carried(card)
    context = {"card": card, "carried": carried, "minutes": settings.SANSPEUR_WALLET_LINK_MINUTES}
    if request.method == "POST":
        if not carried:
            messages.error(request, _("Only a valid card can be put in a phone."))
            return redirect("wallet:card_phone", pk=card.pk)
        new = services.phone_link_create(acting_user=request.user, card=card)
        url = request.build_absolute_uri(reverse("wallet_app:app")) + "#claim=" + new.token
        context.update({"link_url": url, "link_qr": services.qr_svg(url), "expires_at": new.link.expires_at})
    return render(request, "wallet/card_phone.html", context)
