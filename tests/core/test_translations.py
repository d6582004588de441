"""Translations are complete: French and English for everything, es/ar/ht for public pages."""

from pathlib import Path

import polib
import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "sanspeur"
# English is the source language; every other catalog must be complete.
CATALOGS = sorted(p for p in SRC.glob("*/locale/*/LC_MESSAGES/django.po") if p.parts[-3] != "en")


def test_catalogs_exist():
    assert any(path.parts[-3] == "fr" for path in CATALOGS)


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: f"{p.parts[-5]}-{p.parts[-3]}")
def test_catalog_is_complete(path):
    app, language = path.parts[-5], path.parts[-3]
    catalog = polib.pofile(str(path))
    missing = [entry.msgid for entry in catalog.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]
    assert not missing, f"{len(missing)} untranslated in {app}/{language}: {missing[:5]}"
    assert not fuzzy, f"fuzzy in {app}/{language}: {fuzzy[:5]}"


def test_haitian_creole_dates_use_creole_names_and_day_month_order():
    """Django ships no ht calendar: without ours, ht pages showed French names in US order."""
    import datetime
    from zoneinfo import ZoneInfo

    from django.template import Context, Template
    from django.utils import translation

    moment = datetime.datetime(2026, 12, 7, 14, 30, tzinfo=ZoneInfo("America/Montreal"))
    template = Template('{{ m|date:"l j F Y" }}|{{ m|date }}|{{ m|date:"SHORT_DATE_FORMAT" }}|{{ m|time }}')
    with translation.override("ht"):
        assert template.render(Context({"m": moment})) == "lendi 7 desanm 2026|7 desanm 2026|07/12/2026|14:30"
    with translation.override("fr"):
        assert template.render(Context({"m": moment})).startswith("lundi 7 décembre 2026|")
