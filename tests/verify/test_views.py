"""Server side of the verifier: public page, pinned configuration, service worker, manifest."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from sanspeur.verify.views import build_config

from .conftest import VECTORS

pytestmark = pytest.mark.django_db


def test_page_is_public_and_allows_wasm_only_for_itself(client):
    response = client.get(reverse("verify:app"))
    assert response.status_code == 200
    assert reverse("verify:app") == "/verify/"
    csp = response["Content-Security-Policy"]
    assert "'wasm-unsafe-eval'" in csp
    assert "'unsafe-inline'" not in csp
    html = response.content.decode()
    assert 'rel="manifest"' in html
    assert '<script type="module"' in html
    assert 'style="' not in html
    assert not response.cookies


def test_config_pins_the_trust_root_and_lists(client, vector_source):
    data = client.get(reverse("verify:config")).json()
    assert data["trust_root_pem"] == (VECTORS / "trust_root.pem").read_text()
    assert data["trust_list_url"] == "/test-vectors/trust-list"
    assert data["status_list_urls"] == ["/test-vectors/status/1"]
    assert [lang["code"] for lang in data["languages"]] == ["fr", "en", "es", "ar", "ht"]
    assert next(lang for lang in data["languages"] if lang["code"] == "ar")["dir"] == "rtl"
    assert {p["id"]: p["fields"] for p in data["profiles"]} == {
        "library": ["photo", "names", "expiry"],
        "food_bank": ["photo", "resident", "borough"],
        "age_check": ["photo", "age_18"],
        "identity": ["photo", "names", "date_of_birth"],
    }
    for code in ("fr", "en", "es", "ar", "ht"):
        strings = data["strings"][code]
        assert set(strings) == set(data["strings"]["en"])
        assert all(strings.values())
    assert data["strings"]["fr"]["not_valid"] == "NON VALIDE"
    assert data["strings"]["es"]["valid"] == "VÁLIDA"
    assert data["strings"]["ht"]["reason_revoked"] == "Yo revoke kat la."
    assert data["policy"] == {"max_status_age": 604800, "leeway": 300, "refresh_seconds": 60}
    assert data["wasm_url"].endswith("zxing_reader.wasm")


def test_profiles_come_from_the_setting(settings):
    settings.SANSPEUR_VERIFY_PROFILES = [
        {"id": "pool", "label": "Pool", "fields": ["photo", "names", "immigration_status"]},
    ]
    profiles = build_config()["profiles"]
    assert [(p["id"], p["fields"]) for p in profiles] == [("pool", ["photo", "names"])]  # unknown fields dropped


def test_default_source_is_the_cards_app(client):
    data = client.get(reverse("verify:config")).json()
    assert data["trust_list_url"] == "/.well-known/sanspeur/trust-list"
    assert data["trust_root_pem"].startswith("-----BEGIN PUBLIC KEY-----")
    # the pinned root is the one the cards app publishes
    assert client.get("/.well-known/sanspeur/trust-root.pem").content.decode() == data["trust_root_pem"]
    assert client.get(data["trust_list_url"]).status_code == 200


def test_default_source_lists_every_published_status_list(client):
    from sanspeur.cards.keys import open_status_list

    status_list = open_status_list()
    data = client.get(reverse("verify:config")).json()
    assert data["status_list_urls"] == [f"/.well-known/sanspeur/status/{status_list.pk}"]
    response = client.get(data["status_list_urls"][0])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/statuslist+cwt"


def test_service_worker_script(client):
    response = client.get(reverse("verify:service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/verify/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert '"/verify/"' in body and '"/verify/config.json"' in body
    assert "zxing_reader.wasm" in body and "ponyfill.js" in body and "mtl1.js" in body
    assert "http://" not in body and "https://" not in body  # nothing from another origin


def test_service_worker_caches_plain_names_next_to_hashed_ones(client, monkeypatch):
    """Production's manifest storage hashes file names, but module imports use the plain ones."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    original = staticfiles_storage.url
    monkeypatch.setattr(staticfiles_storage, "url", lambda name: original(name).replace(".js", ".0123abcd.js"))
    body = client.get(reverse("verify:service_worker")).content.decode()
    assert '"/static/verify/mtl1.0123abcd.js"' in body
    assert '"/static/verify/mtl1.js"' in body
    assert '"/static/vendor/barcode-detector/es/zxing-exported.js"' in body


def test_manifest(client):
    response = client.get(reverse("verify:manifest"))
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["start_url"] == data["scope"] == "/verify/"
    assert data["display"] == "standalone"
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}
    for icon in data["icons"]:
        icon_response = client.get(icon["src"])
        assert icon_response.status_code == 200
        assert b"".join(icon_response.streaming_content).startswith(b"\x89PNG")
        icon_response.close()
