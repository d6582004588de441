"""No string from another language on a public page in Spanish, Arabic or Haitian Creole.

Every public page of the URL map (``accounts.policy.PAGES``) is fetched in es, ar and ht with the
demo data, and every form on it is submitted empty, as rendered and with invalid values (too
long, not a date, not a number, a choice that is not offered), so that Django's own messages —
"This field is required.", "Enter a valid date." — show up where a person would see them.

The detector knows every message the project can show: each msgid of the project's catalogs
and of Django's, in English (the source) and in French (the fallback language, what a missing
translation shows). A page in language L leaks when its visible text contains one of those
strings that L's own catalogs do not also use. Text inside an element whose ``lang`` names
another language is declared foreign (a French name of a service, a language's own name) and
is not a leak.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import django
import polib
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import trans_real

from tests.core.test_form_fuzz import PARAM, as_rendered, build_path, forms_of, routes

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src" / "sanspeur"
DJANGO_EN = Path(django.__file__).parent / "conf" / "locale" / "en" / "LC_MESSAGES" / "django.po"
TARGETS = ("es", "ar", "ht")
# Words that give a foreign form error away even if a catalog changes its wording.
MARKERS = {
    "fr": ("Ce champ", "obligatoire", "Saisissez", "Sélectionnez un choix valide", "Assurez-vous"),
    "en": ("This field", "is required", "Enter a valid", "Select a valid choice", "Ensure this value"),
}
MIN_LENGTH = 12  # shorter fragments ("Date", "Non") are words several languages share
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sdr]|\{\w*\}")
INVALID = {
    "date": "2026-02-30",
    "number": "douze",
    "email": "pas-une-adresse",
    "url": "pas une adresse",
    "text": "x" * 5000,
    "textarea": "x" * 50000,
    "search": "x" * 5000,
    "tel": "x" * 500,
}


# --- What each language may show --------------------------------------------------------------------
def _msgids() -> set[tuple[str | None, str, str | None]]:
    """(context, msgid, plural) of every message the project or Django can show."""
    files = [DJANGO_EN, *SRC.glob("*/locale/fr/LC_MESSAGES/django.po"), *SRC.glob("locale/*/LC_MESSAGES/django.po")]
    found = set()
    for path in files:
        for entry in polib.pofile(str(path)):
            if not entry.obsolete:
                found.add((entry.msgctxt, entry.msgid, entry.msgid_plural or None))
    return found


def _own(language: str, context, msgid, plural) -> list[str]:
    """The language's own translations of a message, without the French fallback."""
    catalog = trans_real.translation(language)._catalog
    key = f"{context}\x04{msgid}" if context else msgid
    if plural:
        return [text for index in range(6) if (text := catalog.get((key, index))) is not None]
    text = catalog.get(key)
    return [] if text is None else [text]


def _fragments(text: str) -> list[str]:
    parts = [part.strip(" .:,;«»“”\"'()") for part in PLACEHOLDER.split(text)]
    return [part for part in parts if len(part) >= MIN_LENGTH and " " in part]


def foreign_strings(language: str) -> dict[str, str]:
    """Fragment -> where it comes from, for every English or French message ``language`` does not
    use itself."""
    own_texts, foreign = [], {}
    with translation.override("fr"):
        for context, msgid, plural in sorted(_msgids(), key=str):
            own_texts += _own(language, context, msgid, plural)
            french = _own("fr", context, msgid, plural)
            for source, texts in (("en", [msgid] + ([plural] if plural else [])), ("fr", french)):
                for text in texts:
                    for fragment in _fragments(text):
                        foreign.setdefault(fragment, f"{source}: {msgid[:60]!r}")
    own = "\n".join(own_texts)
    foreign = {fragment: origin for fragment, origin in foreign.items() if fragment not in own}
    for source, words in MARKERS.items():
        for word in words:
            foreign.setdefault(word, f"{source} marker")
    return foreign


# --- What a page shows ------------------------------------------------------------------------------
class VisibleText(HTMLParser):
    """The text a person reads or hears: text nodes and the attributes read aloud, without what an
    element marks as another language."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    SPOKEN = ("alt", "title", "aria-label", "placeholder", "data-label", "data-point-label", "data-choose-label")

    def __init__(self, language: str):
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[tuple[str, bool]] = []  # (tag, foreign or hidden)
        self.chunks: list[str] = []

    def _skipping(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        lang = a.get("lang", "").split("-")[0]
        skip = tag in ("script", "style", "template") or (lang and lang != self.language)
        if not self._skipping() and not skip:
            self.chunks += [a[name] for name in self.SPOKEN if a.get(name)]
            if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
                self.chunks.append(a["value"])
        if tag not in self.VOID:
            self.stack.append((tag, bool(skip)))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if not self._skipping():
            self.chunks.append(data)


def visible_text(html: str, language: str) -> str:
    parser = VisibleText(language)
    parser.feed(html)
    return " ".join(" ".join(parser.chunks).split())


def leaks(html: str, language: str, foreign: dict[str, str]) -> list[str]:
    text = visible_text(html, language)
    return sorted(f"{fragment!r} ({origin})" for fragment, origin in foreign.items() if fragment in text)


# --- Walking the public pages -------------------------------------------------------------------------
def _public_routes():
    from sanspeur.accounts.policy import PAGES, PUBLIC

    return [
        route for route in routes() if route.localized and PAGES.get(route.name) and PAGES[route.name].access == PUBLIC
    ]


def _world() -> dict:
    from sanspeur.clinics import services as clinic_services
    from sanspeur.clinics.models import Session
    from sanspeur.directory.models import Service

    call_command("load_demo", "--quiet-logins", stdout=io.StringIO())
    now = timezone.now()
    session = (
        Session.objects.filter(released_at__lte=now, starts_at__gt=now, cancelled_at=None)
        .filter(service__event__is_published=True)
        .order_by("starts_at")
        .first()
    )
    _booking, code = clinic_services.booking_create(acting_user=None, session_id=session.pk, places=1, language="ht")
    event = session.service.event
    return {
        "clinics:event_detail": {"pk": event.pk},
        "clinics:event_poster": {"pk": event.pk},
        "clinics:book": {"session_id": session.pk},
        "clinics:booking": {"code": code},
        "clinics:booking_ics": {"code": code},
        "directory:detail": {"pk": Service.objects.filter(status="active").order_by("id").first().pk},
        "protection:challenge": {"scope": "report"},
    }


def _invalid(form) -> dict:
    data = as_rendered(form)
    for name, kind, _value, _options in form.fields:
        if kind in ("hidden", "submit") or kind.endswith("-off") and name in data:
            continue
        if kind in ("select", "checkbox-off", "radio-off", "checkbox", "radio"):
            data[name] = ["not-a-choice"]
        else:
            data[name] = [INVALID.get(kind, INVALID["text"])]
    return data


def _question(html: str) -> dict:
    """The arithmetic question shown to browsers without JavaScript, answered."""
    token = re.search(r'name="token" value="([^"]+)"', html)
    question = re.search(r"(\d+) \+ (\d+)", html)
    if not (token and question):
        return {}
    return {"token": [token.group(1)], "answer": [str(int(question.group(1)) + int(question.group(2)))]}


@pytest.fixture
def crawl_settings(settings):
    settings.SANSPEUR_CLINICS_MIN_FORM_SECONDS = 0
    settings.SANSPEUR_POW_COST = 1
    settings.SANSPEUR_CLINICS_SLOT_SHARE_PER_MINUTE = 1000.0
    cache.clear()
    yield settings
    cache.clear()


def test_the_detector_finds_french_and_english_in_a_creole_page():
    foreign = foreign_strings("ht")
    assert leaks("<p>Ce champ est obligatoire.</p>", "ht", foreign)
    assert leaks('<p><img alt="This field is required."></p>', "ht", foreign)
    assert not leaks("<p>Chan sa a obligatwa.</p>", "ht", foreign)
    assert not leaks('<p><span lang="fr">Ce champ est obligatoire.</span></p>', "ht", foreign)


@pytest.mark.parametrize("language", TARGETS)
def test_django_form_errors_are_in_the_page_language(language):
    from django import forms

    class Sample(forms.Form):
        name = forms.CharField(max_length=3)
        when = forms.DateField()
        kind = forms.ChoiceField(choices=[("a", "A")])
        count = forms.IntegerField()

    with translation.override(language):
        form = Sample({"name": "toolong", "when": "2026-02-30", "kind": "z", "count": "x"})
        errors = " ".join(str(error) for field in form.errors.values() for error in field)
        errors += " " + " ".join(str(e) for e in Sample({}).errors["name"])
    assert not leaks(f"<p>{errors}</p>", language, foreign_strings(language)), errors


def test_public_pages_and_forms_show_only_the_page_language(crawl_settings):
    world = _world()
    found: dict[str, set[str]] = {}
    pages = 0
    submitted: set[str] = set()
    for language in TARGETS:
        foreign = foreign_strings(language)
        client = Client(raise_request_exception=False)
        for route in _public_routes():
            names = [name for _converter, name in PARAM.findall("".join(route.parts))]
            if names and route.name not in world:
                continue
            url = build_path(route, world.get(route.name, {}), language)

            def check(response, what, url=url, language=language, foreign=foreign):
                if "html" not in response.get("Content-Type", "") or 300 <= response.status_code < 400:
                    return
                html = response.content.decode("utf-8", "replace")
                for leak in leaks(html, language, foreign):
                    found.setdefault(f"{language} {what} {urlsplit(url).path}", set()).add(leak)

            page = client.get(url)
            pages += 1
            check(page, "GET")
            if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
                continue
            html = page.content.decode("utf-8", "replace")
            for form in forms_of(html):
                target = urljoin(url, form.action) if form.action else url
                if urlsplit(target).netloc:
                    continue
                method = "post" if form.method == "post" else "get"
                answered = {**_invalid(form), **_question(html)}
                for what, data in (("empty", {}), ("invalid", _invalid(form)), ("answered", answered)):
                    cache.clear()  # rate limits would answer before the form does
                    check(getattr(client, method)(target, data), f"{method.upper()} {what}", target)
                    submitted.add(re.sub(r"^/\w+/|\d+/", "", urlsplit(target).path))
                    pages += 1
    assert pages > 60
    # The public forms were all reached: booking, look-up, pre-check, filters, reports.
    for form in ("clinics/slot/book/", "clinics/booking/", "clinics/precheck/", "accountability/report/", "directory/"):
        assert form in submitted, sorted(submitted)
    report = "\n".join(f"{where}: {', '.join(sorted(items))}" for where, items in sorted(found.items()))
    assert not found, f"strings from another language on {len(found)} pages:\n{report}"
