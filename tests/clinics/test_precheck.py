"""The public pre-check reads the desk's rules: what administrators edit at cards:rules is what the
pre-check answers, in every public language."""

import importlib
import re

import pytest
from django.utils.html import escape

from sanspeur.cards.models import CardRules, DocumentType

pytestmark = pytest.mark.django_db
LANGUAGES = ("fr", "en", "es", "ar", "ht")


@pytest.fixture
def desk(db):
    from django.apps import apps

    importlib.import_module("sanspeur.cards.migrations.0002_default_document_rules").seed(apps, None)
    importlib.import_module("sanspeur.cards.migrations.0004_document_type_names").fill(apps, None)


@pytest.fixture
def admin_client(desk, make_staff, city_organisation, mfa_client):
    return mfa_client(make_staff("admin.precheck", ["administrator"], city_organisation))


def boxes(html: str) -> list[str]:
    return re.findall(r'name="docs" value="([^"]+)"', html)


def answer(client, docs, lang="en") -> str:
    html = client.get(f"/{lang}/clinics/precheck/", {"checked": "1", "docs": docs}).content.decode()
    if "You have what the card asks for" in html:
        return "ok"
    assert "Something is missing" in html
    return "missing"


def edit_at_desk(admin_client, document_type, **changes):
    data = {
        "code": document_type.code,
        "name_fr": document_type.name_fr,
        "name_en": document_type.name_en,
        **{f"name_{lang}": document_type.names.get(lang, "") for lang in ("es", "ar", "ht")},
        "identity_points": document_type.identity_points,
        "residence_points": document_type.residence_points,
        "order": document_type.order,
        **({"shows_photo": "on"} if document_type.shows_photo else {}),
        **({"shows_birth_date": "on"} if document_type.shows_birth_date else {}),
        **({"is_active": "on"} if document_type.is_active else {}),
    }
    for name, value in changes.items():
        if isinstance(value, bool):
            data.pop(name, None)
            if value:
                data[name] = "on"
        else:
            data[name] = value
    response = admin_client.post(f"/fr/cards/rules/documents/{document_type.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_the_precheck_lists_exactly_the_active_document_types_in_the_page_language(client, desk):
    DocumentType.objects.filter(code="school-letter").update(is_active=False)
    active = list(DocumentType.objects.filter(is_active=True))
    for lang in LANGUAGES:
        html = client.get(f"/{lang}/clinics/precheck/").content.decode()
        assert boxes(html) == [d.code for d in active], lang
        assert "school-letter" not in html
        for document in active:
            name = document.name_in(lang)
            assert name and escape(name) in html, (lang, document.code)
            if lang in ("es", "ar", "ht"):
                assert name != document.name_fr, (lang, document.code)  # a real name, not the fallback


def test_a_passport_edited_at_the_desk_changes_the_precheck_answer(client, desk, admin_client):
    passport = DocumentType.objects.get(code="passport")
    assert passport.identity_points == 3
    assert answer(client, ["passport", "lease"]) == "ok"

    edit_at_desk(admin_client, passport, identity_points=2)

    assert DocumentType.objects.get(code="passport").identity_points == 2
    assert answer(client, ["passport", "lease"]) == "missing"
    html = client.get("/en/clinics/precheck/", {"checked": "1", "docs": ["passport", "lease"]}).content.decode()
    assert "Identity points: 2." in html
    assert answer(client, ["passport", "birth-certificate", "lease"]) == "ok"


def test_thresholds_and_retired_types_edited_at_the_desk_reach_the_precheck(client, desk, admin_client):
    response = admin_client.post(
        "/fr/cards/rules/",
        {
            "min_identity_points": 5,
            "min_residence_points": 1,
            "require_photo_document": "on",
            "require_birth_date_document": "on",
            "validity_months": 24,
        },
    )
    assert response.status_code == 302 and CardRules.current().min_identity_points == 5
    html = client.get("/en/clinics/precheck/").content.decode()
    assert "The card asks for 5 identity points" in html
    assert answer(client, ["passport", "birth-certificate", "lease"]) == "missing"
    assert answer(client, ["passport", "birth-certificate", "health-card", "lease"]) == "ok"

    edit_at_desk(admin_client, DocumentType.objects.get(code="health-card"), is_active=False)
    assert "health-card" not in boxes(client.get("/en/clinics/precheck/").content.decode())
    assert answer(client, ["passport", "birth-certificate", "health-card", "lease"]) == "missing"


def test_without_the_photo_rule_the_page_says_so(client, desk):
    CardRules.objects.update(require_photo_document=False)
    html = client.get("/en/clinics/precheck/").content.decode()
    assert "The card asks for 3 identity points and 1 proof of address in Montréal." in html
    assert "One of the documents must show your date of birth." in html
    assert answer(client, ["birth-certificate", "school-record", "medical-record", "lease"]) == "ok"


def test_the_desk_and_the_precheck_give_the_same_answer(desk, agent_client):
    """The enrollment form refuses exactly the sets the pre-check says are short."""
    from sanspeur.cards.forms import EnrollForm
    from sanspeur.clinics import rules

    current = rules.active_rules("en")
    by_code = {d.code: d.pk for d in DocumentType.objects.all()}
    for docs in (["passport", "lease"], ["passport"], ["birth-certificate", "lease"], ["health-card", "lease"]):
        form = EnrollForm({"document_types": [by_code[c] for c in docs]})
        form.is_valid()
        assert ("document_types" not in form.errors) == rules.evaluate(docs, current).meets_rules, docs


@pytest.fixture
def agent_client(make_staff, organisation, mfa_client):
    return mfa_client(make_staff("agent.precheck", ["enrollment_agent"], organisation))


def test_a_new_document_type_gets_names_in_every_public_language(client, desk, admin_client):
    response = admin_client.post(
        "/fr/cards/rules/documents/new/",
        {
            "code": "library-card",
            "name_fr": "Carte de bibliothèque",
            "name_en": "Library card",
            "name_es": "Tarjeta de biblioteca",
            "name_ar": "بطاقة مكتبة",
            "name_ht": "Kat bibliyotèk",
            "identity_points": 1,
            "residence_points": 1,
            "is_active": "on",
            "order": 200,
        },
    )
    assert response.status_code == 302
    names = {"fr": "Carte de bibliothèque", "en": "Library card", "es": "Tarjeta de biblioteca"}
    names |= {"ar": "بطاقة مكتبة", "ht": "Kat bibliyotèk"}
    for lang, name in names.items():
        assert name in client.get(f"/{lang}/clinics/precheck/").content.decode()
