"""Each service-point profile shows exactly its fields, and nothing else, of a valid card."""

from __future__ import annotations

import pytest

from .conftest import CASES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _scan_as(page, profile: str) -> dict[str, str]:
    page.select_option("#vf-profile", profile)
    page.fill("#vf-code", CASES["valid"]["code"])
    page.click("#vf-paste button[type=submit]")
    page.wait_for_selector("#vf-result[data-reason='valid']")
    fields = page.eval_on_selector_all(
        "#vf-fields > [data-field]", "els => els.map(e => [e.dataset.field, e.innerText])"
    )
    assert page.locator("#vf-fields > *").count() == len(fields)  # no unlabelled extra element
    return dict(fields)


def _result_text(page) -> str:
    return page.locator("#vf-result").inner_text()


def test_library_profile(verifier_page):
    fields = _scan_as(verifier_page, "library")
    assert list(fields) == ["photo", "names", "expiry"]
    assert "Amina Sofía Haddad Pérez" in fields["names"]
    assert "2030" in fields["expiry"]
    text = _result_text(verifier_page)
    assert "1988" not in text and "Villeray" not in text and "C5FCNSPES7" not in text


def test_food_bank_profile(verifier_page):
    fields = _scan_as(verifier_page, "food_bank")
    assert list(fields) == ["photo", "resident", "borough"]
    assert fields["resident"].endswith("Oui")
    assert "Villeray–Saint-Michel–Parc-Extension" in fields["borough"]
    text = _result_text(verifier_page)
    assert "Amina" not in text and "Haddad" not in text and "1988" not in text and "2030" not in text


def test_age_check_profile_never_shows_the_birth_date(verifier_page):
    fields = _scan_as(verifier_page, "age_check")
    assert list(fields) == ["photo", "age_18"]
    assert "18 ans ou plus" in fields["age_18"] and fields["age_18"].endswith("Oui")
    text = _result_text(verifier_page)
    assert "1988" not in text and "23 novembre" not in text and "Amina" not in text and "Villeray" not in text
    assert "1988" not in verifier_page.content()  # not hidden in the DOM either


def test_identity_profile(verifier_page):
    fields = _scan_as(verifier_page, "identity")
    assert list(fields) == ["photo", "names", "date_of_birth"]
    assert "Amina Sofía Haddad Pérez" in fields["names"]
    assert "23 novembre 1988" in fields["date_of_birth"]
    text = _result_text(verifier_page)
    assert "Villeray" not in text and "2030" not in text


def test_profile_choice_is_remembered_on_this_device_only(verifier_page):
    page = verifier_page
    page.select_option("#vf-profile", "food_bank")
    page.reload()
    page.wait_for_selector("#verify-app[data-loaded='true']")
    assert page.locator("#vf-profile").input_value() == "food_bank"
    assert page.context.cookies() == []
