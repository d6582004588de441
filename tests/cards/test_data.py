"""Demo data, raw database dump, CSV import."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from sanspeur.cards.models import Card, Holder
from sanspeur.core.models import AuditEntry
from tests.core.test_raw_dump import raw_database_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def _load_demo():
    from sanspeur.accounts import demo as accounts_demo
    from sanspeur.cards import demo

    out = io.StringIO()
    accounts_demo.load(stdout=out, print_logins=False)
    demo.load(stdout=out, print_logins=False)
    return out.getvalue()


def test_demo_is_idempotent_and_dump_holds_no_personal_value(documents):
    import re

    from sanspeur.cards.demo import demo_people
    from sanspeur.cards.faces import face_jpeg

    _load_demo()
    assert Holder.objects.count() == 50
    counts = (Holder.objects.count(), Card.objects.count(), AuditEntry.objects.count())
    _load_demo()
    assert (Holder.objects.count(), Card.objects.count(), AuditEntry.objects.count()) == counts
    assert Card.objects.filter(state=Card.State.REVOKED).exists()
    assert Card.objects.filter(state=Card.State.EXPIRED).exists()
    assert set(Holder.objects.values_list("organisation__name", flat=True)) == {
        "Centre communautaire Côte-des-Neiges (fictif)",
        "Maison d'accueil Saint-Michel (fictive)",
    }
    connection.close()
    dump = raw_database_bytes()
    assert Card.objects.first().number.encode() in dump  # the dump is real
    secrets = set()
    for _number, profile in demo_people():
        secrets |= {profile["given_names"], profile["family_names"], profile["date_of_birth"], profile["postal_code"]}
        secrets |= {value for value in (profile["phone"], profile["email"]) if value}
    for secret in secrets:
        for encoding in ("utf-8", "utf-16-le"):
            assert secret.encode(encoding) not in dump, secret
    for number, _profile in demo_people()[:10]:
        photo = face_jpeg(number)
        assert photo[200:264] not in dump  # no chunk of the photo
    assert b"WEBPVP8" not in dump  # no card photo (WebP) either
    # No document number at all: no column can hold one.
    assert not re.search(rb"(document|passport|permit)_?(number|no)\b", dump, re.IGNORECASE)


CSV_OK = """given_names,family_names,date_of_birth,borough,postal_code,phone,email,preferred_language,organisation
Anouk,Ferreira-Blais,1979-05-02,Verdun,H4G 2A1,514-555-0101,,fr,Centre test A
Kwame,Asante,1990-11-30,Lachine,h8s1a1,,kwame@example.org,en,Centre test A
"""


def test_import_all_or_nothing_with_line_report(tmp_path, organisation):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        CSV_OK
        + "Bad,Date,2999-01-01,Verdun,H4G 2A1,,,fr,Centre test A\nNo,Postal,1980-01-01,Verdun,K1A 0B1,,,fr,Nope\n"
    )
    with pytest.raises(CommandError) as error:
        call_command("cards_import", str(bad))
    report = str(error.value)
    assert "line 4: date_of_birth" in report
    assert "line 5: postal_code" in report and "line 5: organisation" in report
    assert "Ferreira" not in report and "1979-05-02" not in report  # no personal value echoed
    assert Holder.objects.count() == 0
    good = tmp_path / "good.csv"
    good.write_text(CSV_OK)
    call_command("cards_import", str(good), stdout=io.StringIO())
    holders = list(Holder.objects.all())
    assert len(holders) == 2 and all(h.needs_new_card and h.imported for h in holders)
    assert AuditEntry.objects.filter(action="cards.holder.import").count() == 2
    wrong_header = tmp_path / "header.csv"
    wrong_header.write_text("name,dob\nX,1990-01-01\n")
    with pytest.raises(CommandError, match="missing columns"):
        call_command("cards_import", str(wrong_header))
