"""The other apps read the cards app (and the directory) directly: a broken link between apps is an
error that shows, never a silent fallback."""

import pytest

from sanspeur.cards import selectors as card_selectors
from sanspeur.cards.models import StatusList

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists_from_cards(settings):
    settings.SANSPEUR_VERIFY_TRUST_LIST_URL = None
    settings.SANSPEUR_VERIFY_STATUS_LIST_URLS = None
    settings.SANSPEUR_VERIFY_TRUST_ROOT_PEM = None


def test_the_verifier_lists_the_published_status_lists(client, lists_from_cards):
    StatusList.objects.create(id="7")
    config = client.get("/verify/config.json").json()
    assert config["status_list_urls"] == ["/.well-known/sanspeur/status/7"]
    assert config["trust_list_url"] == "/.well-known/sanspeur/trust-list"
    assert config["trust_root_pem"].startswith("-----BEGIN PUBLIC KEY-----")


def test_without_a_trust_list_key_yet_the_verifier_still_loads(client, lists_from_cards, settings, tmp_path):
    settings.SANSPEUR_KEY_DIR = tmp_path
    settings.SANSPEUR_CREATE_MISSING_KEYS = False
    config = client.get("/verify/config.json").json()
    assert config["trust_root_pem"] == "" and config["status_list_urls"] == []


def test_a_broken_link_to_the_cards_app_is_not_hidden(client, lists_from_cards, monkeypatch):
    def broken():
        raise RuntimeError("cards selectors changed")

    monkeypatch.setattr(card_selectors, "status_list_ids", broken)
    client.raise_request_exception = True
    with pytest.raises(RuntimeError, match="cards selectors changed"):
        client.get("/verify/config.json")


def test_a_clinic_shows_the_directory_site_name_unless_it_is_confidential(db):
    import io

    from sanspeur.clinics.models import Event
    from sanspeur.clinics.selectors import location_label
    from sanspeur.directory import demo
    from sanspeur.directory.models import Location

    demo.load(stdout=io.StringIO())
    public = Location.objects.filter(is_confidential=False).first()
    shelter = Location.objects.filter(is_confidential=True).first()
    event = Event(address="12, rue Test", directory_location_id=public.pk)
    assert location_label(event) == f"{public.name['fr']}, 12, rue Test"
    event.directory_location_id = shelter.pk
    assert location_label(event) == "12, rue Test"  # a shelter's name says where it is
    event.directory_location_id = "00000000-0000-4000-8000-000000000000"
    assert location_label(event) == "12, rue Test"


def test_document_rules_are_the_active_types_with_public_names(db):
    import importlib

    from django.apps import apps

    from sanspeur.cards.models import DocumentType

    importlib.import_module("sanspeur.cards.migrations.0002_default_document_rules").seed(apps, None)
    importlib.import_module("sanspeur.cards.migrations.0004_document_type_names").fill(apps, None)
    DocumentType.objects.filter(code="pay-stub").update(is_active=False)
    rules = card_selectors.document_rules(language="ht")
    codes = [d.code for d in rules.documents]
    assert "pay-stub" not in codes and codes[0] == "passport"
    assert rules.by_code()["passport"].name == "Paspò (menm si li ekspire)"
    for language in ("fr", "en", "es", "ar", "ht"):
        for document in card_selectors.document_rules(language=language).documents:
            assert document.name
