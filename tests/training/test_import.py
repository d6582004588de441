"""The HR file of headcounts: bad rows listed with translated messages, nothing saved; a good file
previewed, then saved whole."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from sanspeur.training import services
from sanspeur.training.imports import headcount_parse
from sanspeur.training.models import Headcount

pytestmark = pytest.mark.django_db

GOOD = "unit,period,headcount\nSPVM-PDQ38,2026-01,87\nspvm-pdq15,2026-01,96\nVILLE-BIB,2026-01,34\n"
BAD = (
    "unit;period;headcount\n"
    "SPVM-PDQ38;2026-01;87\n"
    "SPVM-PDQ99;2026-01;10\n"
    "SPVM-PDQ15;janvier;96\n"
    "VILLE-BIB;2026-01;-3\n"
    "SPVM-PDQ38;2026-01;88\n"
    "VILLE-BIB\n"
)


def test_every_bad_row_is_listed_in_french_and_nothing_is_saved(coordinator, tree):
    with translation.override("fr"):
        rows, errors = headcount_parse(BAD)
        with pytest.raises(ValidationError) as refused:
            services.headcount_import(acting_user=coordinator, text=BAD)
    assert [error.line for error in errors] == [3, 4, 5, 6, 7]
    messages = refused.value.messages
    assert len(messages) == 5
    assert "Ligne 3 : aucune unité n’a le code « SPVM-PDQ99 »." in messages
    assert any("Ligne 4" in m and "année-mois" in m for m in messages)
    assert any("Ligne 6" in m and "ligne 2" in m for m in messages)
    assert not Headcount.objects.exists()


def test_a_good_file_is_saved_whole_and_a_second_import_replaces_the_values(coordinator, tree):
    rows = services.headcount_import(acting_user=coordinator, text=GOOD)
    assert len(rows) == 3
    assert Headcount.objects.get(unit=tree["pdq38"]).headcount == 87
    services.headcount_import(acting_user=coordinator, text="unit,period,headcount\nSPVM-PDQ38,2026-01,90\n")
    assert Headcount.objects.get(unit=tree["pdq38"], period=dt.date(2026, 1, 1)).headcount == 90
    assert Headcount.objects.count() == 3


@pytest.mark.parametrize("text", ["", "unit,headcount\nSPVM,3\n", "unit,period,headcount\n", "\x00\x01garbage"])
def test_files_without_the_columns_are_refused(coordinator, tree, text):
    _rows, errors = headcount_parse(text)
    assert errors
    with pytest.raises(ValidationError):
        services.headcount_import(acting_user=coordinator, text=text)
    assert not Headcount.objects.exists()


def test_the_page_previews_then_imports(coordinator, tree, mfa_client):
    client = mfa_client(coordinator)
    response = client.post(
        "/fr/training/headcounts/", {"file": SimpleUploadedFile("rh.csv", BAD.encode(), content_type="text/csv")}
    )
    assert response.status_code == 400
    assert "Ligne 3 : aucune unité" in response.content.decode()
    assert not Headcount.objects.exists()

    response = client.post(
        "/fr/training/headcounts/", {"file": SimpleUploadedFile("rh.csv", GOOD.encode(), content_type="text/csv")}
    )
    assert response.status_code == 200 and 'id="preview"' in response.content.decode()
    assert not Headcount.objects.exists()  # a preview saves nothing
    response = client.post("/fr/training/headcounts/", {"text": GOOD, "confirm": "1"})
    assert response.status_code == 302
    assert Headcount.objects.count() == 3
