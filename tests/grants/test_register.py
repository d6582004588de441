"""The public register of awards: 360Giving JSON that validates against the standard's schema
(vendored), the same awards as CSV, and nothing about beneficiaries."""

import csv
import datetime as dt
import io
import json
from io import StringIO
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from sanspeur.accounts import demo as accounts_demo
from sanspeur.grants import demo, register

pytestmark = pytest.mark.django_db

SCHEMAS = Path(register.__file__).parent / "schema"


def _validator() -> Draft202012Validator:
    package = json.loads((SCHEMAS / "360-giving-package-schema.json").read_text())
    grant = json.loads((SCHEMAS / "360-giving-schema.json").read_text())
    grant_ref = package["properties"]["grants"]["items"]["$ref"]
    # The standard writes its dialect as "http://json-schema.org/draft/2020-12/schema" (not the
    # official https URI): the resource is created as 2020-12 explicitly.
    resource = DRAFT202012.create_resource(grant)
    registry = Registry().with_resources([(grant_ref, resource), (grant["$id"], resource)])
    return Draft202012Validator(package, registry=registry, format_checker=_formats())


def _formats() -> FormatChecker:
    """The formats the standard's ``oneOf`` relies on (a date or a date-time), asserted: without the
    optional rfc3339 package jsonschema would let every string pass as a date-time, and a plain
    date would then match both branches. The 360Giving tools check formats the same way."""
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def date_time(value) -> bool:
        if not isinstance(value, str):
            return True
        if "T" not in value.upper():
            raise ValueError("a date-time has a time")
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True

    return checker


@pytest.fixture
def demo_data():
    accounts_demo.load(stdout=StringIO(), print_logins=False)
    demo.load(stdout=StringIO(), print_logins=False)


def test_the_register_validates_against_the_360giving_schema(client, demo_data):
    response = client.get("/open-data/grants/360giving.json")
    assert response.status_code == 200
    data = response.json()
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:10]]
    assert len(data["grants"]) == 9
    assert sum(grant["amountAwarded"] for grant in data["grants"]) == 1_875_000
    assert {grant["currency"] for grant in data["grants"]} == {"CAD"}


def test_an_invalid_record_is_caught_by_the_validator(demo_data):
    """The validation can fail: a record without its amount does not pass."""
    data = register.package()
    del data["grants"][0]["amountAwarded"]
    assert list(_validator().iter_errors(data))


def test_only_decided_awards_are_published_and_nothing_about_people(client, demo_data):
    data = register.package()
    ids = {grant["id"] for grant in data["grants"]}
    assert all(grant_id.startswith("360G-sanspeur-montreal-MONTREAL-POUR-TOUS-2024-") for grant_id in ids)
    text = json.dumps(data, ensure_ascii=False)
    for kept_out in ("Contact 1", "applicant1@example.org", "recipientIndividual", "toIndividualsDetails"):
        assert kept_out not in text
    rows = list(csv.reader(io.StringIO(client.get("/open-data/grants/360giving.csv").content.decode())))
    assert rows[0][:2] == ["Identifier", "Title"] and len(rows) == 10
    assert {row[0] for row in rows[1:]} == ids


@pytest.mark.parametrize("language", ["fr", "en", "es", "ar", "ht"])
def test_the_register_page_is_public_in_five_languages(client, demo_data, language):
    response = client.get(f"/{language}/grants/register/")
    assert response.status_code == 200
    assert "Collectif Accès Santé (fictif)" in response.content.decode()


def test_a_spreadsheet_formula_is_neutralised_in_the_csv():
    assert register._csv_safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert register._csv_safe("Projet") == "Projet"


def test_an_award_is_published_once_the_call_s_decisions_are_closed(officer, applicant, call):
    from decimal import Decimal

    from sanspeur.grants import services

    from .conftest import into_review

    application = into_review(officer, applicant, call)
    services.application_decide(
        acting_user=officer, application=application, move="approve", amount=Decimal("1000"), resolution_number="CE1"
    )
    assert register.package()["grants"] == []
    services.call_transition(acting_user=officer, call=application.call, move="decide")
    assert [grant["amountAwarded"] for grant in register.package()["grants"]] == [1000]
