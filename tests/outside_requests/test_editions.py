"""The half-yearly report: frozen numbers from the register, open-data files that validate against
their published schemas, signatures that verify with the city's published key; the canary."""

import csv
import datetime as dt
import io
import json
import subprocess

import jsonschema
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from sanspeur.core.publications import PublicationSignatureError, verify_file
from sanspeur.credential.trustlist import load_public_keys_pem
from sanspeur.outside_requests import editions, services
from sanspeur.outside_requests.models import CanaryStatement, EditionFile, OutsideRequest, TransparencyEdition

from .conftest import register

pytestmark = pytest.mark.django_db

LAST_YEAR = timezone.localdate().year - 1
H1 = f"{LAST_YEAR}-H1"
H2 = f"{LAST_YEAR}-H2"


def _published(user, outcome, *, published_on, received_on=None, persons=1, **overrides):
    request = register(user, received_on=received_on or published_on, **overrides)
    OutsideRequest.objects.filter(pk=request.pk).update(
        state="published",
        outcome=outcome,
        persons_affected=persons,
        responded_on=(received_on or published_on) + dt.timedelta(days=3),
        published_on=published_on,
    )
    return request


@pytest.fixture
def register_of_last_year(privacy):
    march, september = dt.date(LAST_YEAR, 3, 10), dt.date(LAST_YEAR, 9, 20)
    _published(privacy, "refused", published_on=march, instrument="informal", requester_type="border_agency")
    _published(privacy, "refused", published_on=march, instrument="letter", requester_type="border_agency")
    _published(privacy, "no_records", published_on=march, instrument="administrative", requester_type="immigration")
    _published(privacy, "partially_disclosed", published_on=march, persons=12, categories=["identity", "address"])
    # Received in the first half under a non-disclosure order; published in the second half.
    _published(privacy, "no_records", published_on=september, received_on=march, requester_type="court")
    register(privacy)  # still open: never counted


def _root_keys(client):
    return load_public_keys_pem(client.get("/.well-known/sanspeur/trust-root.pem").content)


def test_an_edition_counts_what_the_register_published_in_its_half_year_and_freezes_it(privacy, register_of_last_year):
    first = services.edition_publish(acting_user=privacy, period=H1)
    assert first.total == 4
    data = json.loads(bytes(EditionFile.objects.get(name=f"transparency-{H1}.json").content))
    assert (data["requests"], data["refused"], data["no_records_held"], data["disclosed"]) == (4, 2, 1, 1)
    assert data["median_days_to_answer"] == 3
    assert {row["band"]: row["disclosures"] for row in data["persons_affected"]}["10–49"] == 1
    assert {row["category"]: row["requests"] for row in data["categories"]}["address"] == 1
    # A request published later (its order expired) goes into the next edition, marked as such.
    second = services.edition_publish(acting_user=privacy, period=H2)
    data2 = json.loads(bytes(EditionFile.objects.get(name=f"transparency-{H2}.json").content))
    assert (second.total, data2["received_before_period"]) == (1, 1)
    # Frozen: a change in the register afterwards changes no published file.
    before = bytes(EditionFile.objects.get(name=f"transparency-{H1}.csv").content)
    OutsideRequest.objects.filter(edition=first).update(outcome="refused")
    assert bytes(EditionFile.objects.get(name=f"transparency-{H1}.csv").content) == before
    with pytest.raises(ValidationError):
        services.edition_publish(acting_user=privacy, period=H1)  # never published twice


@pytest.mark.parametrize("period", ["", "2026", "2026-H3", "26-H1", "2026-h1", "x" * 500, "2026-H1 "])
def test_a_period_that_is_not_a_half_year_is_refused(privacy, period):
    with pytest.raises(ValidationError):
        services.edition_publish(acting_user=privacy, period=period)
    assert not TransparencyEdition.objects.exists()


def test_a_half_year_that_has_not_ended_is_refused(privacy):
    with pytest.raises(ValidationError):
        services.edition_publish(acting_user=privacy, period=editions.period_of(timezone.localdate()))
    assert not TransparencyEdition.objects.exists()


def test_only_a_privacy_officer_of_the_city_publishes(legal, make_staff, organisation):
    for user in (legal, make_staff("pat.partner.admin", ["administrator"], organisation)):
        with pytest.raises(PermissionDenied):
            services.edition_publish(acting_user=user, period=H1)
    assert not TransparencyEdition.objects.exists()


def test_the_files_validate_against_their_published_schemas(client, privacy, register_of_last_year):
    services.edition_publish(acting_user=privacy, period=H1)
    schema = client.get("/transparency/schema/edition.schema.json").json()
    data = client.get(f"/transparency/transparency-{H1}.json").json()
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(data)
    with pytest.raises(jsonschema.ValidationError):  # the schema is strict: an extra column fails
        jsonschema.validate({**data, "names": ["x"]}, schema)
    # The CSV against the Table Schema its data package declares.
    package = client.get(f"/transparency/transparency-{H1}.datapackage.json").json()
    resource = next(r for r in package["resources"] if r["format"] == "csv")
    assert resource["schema"] == client.get("/transparency/schema/table-schema.json").json()
    rows = list(csv.DictReader(io.StringIO(client.get(f"/transparency/{resource['path']}").content.decode())))
    fields = resource["schema"]["fields"]
    assert list(rows[0]) == [field["name"] for field in fields]
    for row in rows:
        for field in fields:
            value, constraints = row[field["name"]], field["constraints"]
            if field["type"] == "integer":
                assert int(value) >= constraints["minimum"]
            else:
                assert value in constraints["enum"]
    assert sum(int(row["requests"]) for row in rows) == data["requests"]


def test_every_file_verifies_with_the_city_published_key_and_a_changed_byte_does_not(
    client, privacy, register_of_last_year
):
    services.edition_publish(acting_user=privacy, period=H1)
    keys = _root_keys(client)
    names = editions.file_names(H1).values()
    for name in names:
        content = client.get(f"/transparency/{name}").content
        signature = client.get(f"/transparency/{name}.jws").content.decode()
        assert verify_file(signature, content, keys).name == name
        with pytest.raises(PublicationSignatureError):
            verify_file(signature, content + b" ", keys)
    # A trust list (same key, another document type) is not accepted as a publication's signature.
    trust_list = client.get("/.well-known/sanspeur/trust-list").content.decode()
    with pytest.raises(PublicationSignatureError):
        verify_file(trust_list, b"", keys)


def test_the_pdfs_carry_the_register_numbers_in_french_and_english(client, privacy, register_of_last_year, tmp_path):
    services.edition_publish(acting_user=privacy, period=H1)
    for language, phrase in (("fr", "Demandes comptées : 4"), ("en", "Requests counted: 4")):
        pdf = client.get(f"/transparency/transparency-{H1}.{language}.pdf")
        assert pdf["Content-Type"] == "application/pdf"
        path = tmp_path / f"{language}.pdf"
        path.write_bytes(pdf.content)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
        assert phrase in " ".join(text.split()).replace("\u202f", " ").replace("\xa0", " ")


def test_public_pages_in_arabic_and_unknown_files(client, privacy, register_of_last_year):
    services.edition_publish(acting_user=privacy, period=H1)
    page = client.get("/ar/accountability/transparency/").content.decode()
    assert f'<bdi dir="ltr">{H1}</bdi>' in page
    edition = client.get(f"/ar/accountability/transparency/{H1}/").content.decode()
    assert '<dd id="edition-total"><bdi dir="ltr">4</bdi></dd>' in edition
    assert "وكالة الحدود" in edition  # labels in the page's language, from the frozen codes
    for url in (
        "/ar/accountability/transparency/2099-H1/",
        "/ar/accountability/transparency/%00/",
        "/transparency/nothing.csv",
        "/transparency/nothing.csv.jws",
        "/transparency/schema/other.json",
        "/transparency/" + "a" * 300,
    ):
        assert client.get(url).status_code == 404, url


def test_the_staff_page_publishes_and_refuses_the_others(mfa_client, privacy, legal, register_of_last_year):
    client = mfa_client(legal)
    assert client.get("/en/accountability/editions/").status_code == 403
    assert client.post("/en/accountability/editions/", {"period": H1}).status_code == 403
    client = mfa_client(privacy)
    page = client.get("/en/accountability/editions/")
    assert page.status_code == 200 and H1 in page.content.decode()
    response = client.post("/en/accountability/editions/", {"period": H1})
    assert response.status_code == 302
    assert TransparencyEdition.objects.filter(period=H1).exists()
    assert client.post("/en/accountability/editions/", {"period": "junk"}).status_code == 302  # a message, no 500


# --- The canary ----------------------------------------------------------------------------------------------
def test_the_canary_is_off_by_default(client, privacy):
    with pytest.raises(ValidationError):
        services.canary_renew(acting_user=privacy)
    assert client.get("/.well-known/sanspeur/canary.txt").status_code == 404


def test_the_canary_is_signed_monthly_and_verifies(client, privacy, settings):
    settings.SANSPEUR_CANARY_ENABLED = True
    statement = services.canary_renew(acting_user=privacy)
    text = client.get("/.well-known/sanspeur/canary.txt").content
    assert statement.signed_on.isoformat() in text.decode()
    signature = client.get("/.well-known/sanspeur/canary.txt.jws").content.decode()
    assert verify_file(signature, text, _root_keys(client)).name == "canary.txt"
    with pytest.raises(ValidationError):
        services.canary_renew(acting_user=privacy)  # once a month


def test_the_canary_cannot_be_signed_while_a_non_disclosure_order_runs(privacy, settings):
    settings.SANSPEUR_CANARY_ENABLED = True
    register(
        privacy,
        non_disclosure_order=True,
        ndo_expires_on=timezone.localdate() + dt.timedelta(days=90),
    )
    with pytest.raises(ValidationError):
        services.canary_renew(acting_user=privacy)
    assert not CanaryStatement.objects.exists()


def test_the_canary_is_refused_to_legal_counsel(legal, settings):
    settings.SANSPEUR_CANARY_ENABLED = True
    with pytest.raises(PermissionDenied):
        services.canary_renew(acting_user=legal)


def test_anyone_checks_a_download_with_the_command_line(client, privacy, register_of_last_year, tmp_path, capsys):
    from sanspeur.core.publications import main

    services.edition_publish(acting_user=privacy, period=H1)
    name = f"transparency-{H1}.csv"
    (tmp_path / name).write_bytes(client.get(f"/transparency/{name}").content)
    (tmp_path / "sig.jws").write_bytes(client.get(f"/transparency/{name}.jws").content + b"\n")
    (tmp_path / "root.pem").write_bytes(client.get("/.well-known/sanspeur/trust-root.pem").content)
    paths = [str(tmp_path / name), str(tmp_path / "sig.jws"), str(tmp_path / "root.pem")]
    assert main(paths) == 0
    assert "valid: " + name in capsys.readouterr().out
    (tmp_path / name).write_bytes((tmp_path / name).read_bytes().replace(b"refused", b"no_records"))
    assert main(paths) == 1
    assert "NOT VALID" in capsys.readouterr().err
