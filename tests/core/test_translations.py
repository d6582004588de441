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
