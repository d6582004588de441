"""The holder app's page, service worker and manifest: installable, offline, no token, no tracker."""

from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_page_carries_every_language_and_no_third_party(client):
    response = client.get("/wallet/app/")
    assert response.status_code == 200
    html = response.content.decode()
    config = json.loads(re.search(r'<script id="wa-config" type="application/json">(.*?)</script>', html, re.S)[1])
    assert [lang["code"] for lang in config["languages"]] == ["fr", "en", "es", "ar", "ht"]
    assert config["strings"]["fr"]["title"] == "Ma carte"
    assert config["strings"]["ar"]["show_code"] != config["strings"]["en"]["show_code"]
    for language in ("fr", "es", "ar", "ht"):
        same = {"pin_heading"}  # "PIN" is also the Spanish and Haitian Creole word
        untranslated = [
            k for k, v in config["strings"][language].items() if v == config["strings"]["en"][k] and k not in same
        ]
        assert not untranslated, (language, untranslated)
    assert config["claim_url"] == "/wallet/app/claim"
    assert 'rel="manifest"' in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing from another site
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies


def test_manifest_makes_it_installable_in_its_own_scope(client):
    data = json.loads(client.get("/wallet/app/manifest.webmanifest").content)
    assert data["scope"] == data["start_url"] == "/wallet/app/"
    assert data["display"] == "standalone"
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}


def test_service_worker_caches_the_shell_only(client):
    response = client.get("/wallet/app/sw.js")
    assert response.status_code == 200
    assert response["Service-Worker-Allowed"] == "/wallet/app/"
    body = response.content.decode()
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", body)[1])
    assert shell[0] == "/wallet/app/"
    assert not [url for url in shell if "claim" in url]
    assert any(url.endswith("verify/mtl1.js") for url in shell)
    assert 'if (request.method !== "GET") return;' in body
