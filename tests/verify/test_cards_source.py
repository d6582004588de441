"""The same page works with the real source: the cards app's /.well-known/sanspeur/ documents,
with the trust root pinned by the server. A card signed with the cards app's keys verifies;
after a revocation, the service worker's background refresh brings the new status list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from PIL import Image

from sanspeur.credential import PURPOSE_CARD, CardClaims, issue, make_photo, new_card_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _card_from_cards_keys():
    from sanspeur.cards import keys

    store = keys.ensure_keys()
    with transaction.atomic():
        entry = keys.allocate_entry(keep_until=timezone.now() + timedelta(days=3650))
    now = timezone.now()
    claims = CardClaims(
        issuer=keys.issuer(),
        card_number=new_card_number(),
        given_names="Test",
        family_names="Personne",
        date_of_birth="2001-02-03",
        city="Montréal",
        photo=make_photo(Image.new("L", (120, 150), 128)),
        status_list_uri=keys.status_list_uri(entry.status_list_id),
        status_index=entry.index,
        issued_at=now - timedelta(minutes=10),
        expires_at=now + timedelta(days=365),
        borough="Verdun",
    )
    return entry, issue(claims, store.active_signer(PURPOSE_CARD))


def _check(page, code: str) -> str:
    page.fill("#vf-code", code)
    page.click("#vf-paste button[type=submit]")
    page.wait_for_selector("#vf-result:not([hidden])")
    reason = page.locator("#vf-result").get_attribute("data-reason")
    page.click("#vf-done")
    return reason


def test_card_from_the_cards_app_keys_then_revoked(page):
    from sanspeur.cards import keys

    entry, code = _card_from_cards_keys()
    page.goto(page.base_url + "/verify/")
    page.wait_for_selector("#verify-app[data-sw-ready='true']")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_selector("#verify-app[data-ready='true']")
    assert page.evaluate("fetch('/verify/config.json').then(r => r.json()).then(c => c.trust_list_url)") == (
        "/.well-known/sanspeur/trust-list"
    )
    assert _check(page, code) == "valid"

    with transaction.atomic():
        keys.status_entry_set(entry, 1)
    # ask the service worker for a refresh, as the page does every minute when online; it
    # fetches the new list (new ETag) and tells the page, which reloads its lists
    loads = int(page.locator("#verify-app").get_attribute("data-lists-loads"))
    page.evaluate("navigator.serviceWorker.controller.postMessage({type: 'refresh', force: true})")
    page.wait_for_function("(n) => Number(document.getElementById('verify-app').dataset.listsLoads) > n", arg=loads)
    assert _check(page, code) == "revoked"
