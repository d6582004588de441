"""Formats per language in one place (sanspeur/formats/<lang>/formats.py, used through
sanspeur.core.formats and the ``sanspeur`` template library), and the isolation filters."""

import datetime as dt
import importlib

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from sanspeur.core import formats

LANGUAGES = [code for code, _name in settings.LANGUAGES]
PROJECT_NAMES = (
    "TIME_FORMAT",
    "LONG_DATE_FORMAT",
    "DAY_MONTH_FORMAT",
    "DAY_MONTH_TIME_FORMAT",
    "ISO_DATE_FORMAT",
    "FIRST_DAY",
    "LIST_SEPARATOR",
    "RANGE_SEPARATOR",
    "PERCENT_FORMAT",
)


def render(text: str, **context) -> str:
    return Template("{% load sanspeur %}" + text).render(Context(context))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_defines_every_project_format(language):
    module = importlib.import_module(f"sanspeur.formats.{language}.formats")
    missing = [name for name in PROJECT_NAMES if not hasattr(module, name)]
    assert not missing, f"sanspeur/formats/{language}/formats.py lacks {missing}"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "lundi 1er décembre 2025"),
        ("en", "Monday, December 1, 2025"),
        ("es", "lunes 1 de diciembre de 2025"),
        ("ar", "الاثنين 1 ديسمبر 2025"),
        ("ht", "lendi 1 desanm 2025"),
    ],
)
def test_long_dates_with_the_french_ordinal(language, expected):
    with translation.override(language):
        assert render("{{ d|long_date }}", d=dt.date(2025, 12, 1)) == expected
        assert "1er" not in render("{{ d|long_date }}", d=dt.date(2025, 12, 2))


def test_times_and_ranges_in_the_page_language_isolated_left_to_right():
    start, end = dt.time(13, 0), dt.time(13, 50)
    with translation.override("fr"):
        assert render("{% time_range a b %}", a=start, b=end) == '<bdi dir="ltr">13\xa0h\xa000–13\xa0h\xa050</bdi>'
    with translation.override("en"):
        assert render("{% time_range a b %}", a=start, b=end) == '<bdi dir="ltr">1:00 PM–1:50 PM</bdi>'
    for language in ("es", "ar", "ht"):
        with translation.override(language):
            assert render("{% time_range a b %}", a=start, b=end) == '<bdi dir="ltr">13:00–13:50</bdi>'
    with translation.override("ar"):  # plain text (e-mails): Unicode isolates instead of markup
        assert render("{% time_range a b text=True %}", a=start, b=end) == "\u206613:00–13:50\u2069"


def test_lists_use_the_arabic_comma_in_arabic_and_escape_each_item():
    names = ["Centre A", "<b>B</b>"]
    with translation.override("ar"):
        assert render("{{ v|listing }}", v=names) == "<bdi>Centre A</bdi>، <bdi>&lt;b&gt;B&lt;/b&gt;</bdi>"
        assert formats.join_list(["a", "b"]) == "a، b"
    with translation.override("es"):
        assert render("{{ v|listing }}", v=names) == "<bdi>Centre A</bdi>, <bdi>&lt;b&gt;B&lt;/b&gt;</bdi>"


def test_language_names_carry_their_lang():
    with translation.override("ar"):
        html = render("{{ v|languages }}", v=[("fr", "Français"), ("ht", "Kreyòl ayisyen")])
    assert html == '<bdi lang="fr">Français</bdi>، <bdi lang="ht">Kreyòl ayisyen</bdi>'


def test_codes_and_names_are_isolated_and_escaped():
    assert render("{{ v|ltr }}", v="870H-WCKN-*") == '<bdi dir="ltr">870H-WCKN-*</bdi>'
    assert render("{{ v|bdi }}", v="355 avenue du Parc <x>") == "<bdi>355 avenue du Parc &lt;x&gt;</bdi>"
    assert render("{{ v|ltr }}{{ w|bdi }}", v="", w=None) == ""
    assert render("{{ v|ltr_text }}", v="A-1") == "\u2066A-1\u2069"


@pytest.mark.parametrize(
    ("language", "expected"), [("fr", "12,5\xa0%"), ("en", "12.5%"), ("es", "12,5\xa0%"), ("ht", "12,5\xa0%")]
)
def test_percentages(language, expected):
    with translation.override(language):
        assert render("{{ v|percent }}", v=12.5) == f'<bdi dir="ltr">{expected}</bdi>'


def test_distances_use_the_decimal_comma_in_french():
    from sanspeur.directory.templatetags.directory_tags import km

    with translation.override("fr"):
        assert km(2.345) == "2,3"
    with translation.override("en"):
        assert km(2.345) == "2.3"


def test_plural_messages_have_no_parenthesised_plural():
    """ "1 place(s)": every count goes through ngettext or {% blocktranslate count %}."""
    from pathlib import Path

    import polib

    src = Path(__file__).resolve().parents[2] / "src" / "sanspeur"
    owned = ("core", "accounts", "cards", "clinics", "directory", "outside_requests", "training", "verify")
    offenders = [
        f"{app}: {entry.msgid}"
        for app in owned
        for path in (src / app / "locale" / "en" / "LC_MESSAGES" / "django.po",)
        if path.exists()
        for entry in polib.pofile(str(path))
        if "(s)" in entry.msgid and not entry.obsolete
    ]
    assert not offenders, offenders


def test_language_names_in_clinic_forms_carry_their_lang():
    from sanspeur.clinics.forms import PublicFilterForm

    with translation.override("ar"):
        html = str(PublicFilterForm()["language"])
    assert '<option value="ht" lang="ht">Kreyòl ayisyen</option>' in html
    assert '<option value="fa" lang="fa">فارسی</option>' in html
