"""Looking a person up (issue 14): every look-up is audited without the values searched, a match in
another organisation's records says only "a card exists; ask the city", and the searches that carry
personal data are POSTed (never in a URL), with a CSRF token, and never cached."""

import json

import pytest
from django.test import Client

from sanspeur.cards.models import Holder
from sanspeur.core.models import AuditEntry

from .conftest import PROFILE
from .test_views import ENROLL, form_data

pytestmark = pytest.mark.django_db

HOLDERS = "/fr/cards/holders/"
BY_NAMES = {
    "given_names": "zephyrine",
    "family_names": "Quasimodo Lavoie",
    "date_of_birth": "1987-03-14",
}
ASK_THE_CITY = "Une carte existe déjà pour cette personne"


def search(client, **data):
    return client.post(HOLDERS, {"search": "names", **BY_NAMES, **data})


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def assert_no_searched_value(entry):
    text = json.dumps(entry.detail, ensure_ascii=False).casefold() + entry.object_id.casefold()
    for value in ("zephyrine", "zéphyrine", "quasimodo", "lavoie", "1987", "03-14", "h4g"):
        assert value not in text, (value, entry.detail)


def assert_says_only_ask_the_city(text, holder, card):
    assert ASK_THE_CITY in text and "demandez à la Ville" in text
    assert card.display_number not in text and card.number not in text
    assert str(holder.pk) not in text and str(card.pk) not in text
    assert "state-active" not in text
    assert f"/fr/cards/holders/{holder.pk}/" not in text


# --- Every look-up is audited: who, when, how many matches; never the values -----------------------
def test_a_search_by_names_and_birth_date_is_audited_with_counts_only(mfa_client, agent, enrolled):
    holder, card = enrolled
    response = search(mfa_client(agent))
    assert response.status_code == 200
    assert card.display_number in response.content.decode()
    [entry] = entries("cards.holder.search")
    assert (entry.actor, entry.organisation_id) == (agent, agent.organisation_id)
    assert entry.detail == {"by": "names_and_birth_date", "matches": 1, "elsewhere": 0}
    assert_no_searched_value(entry)


def test_a_search_that_finds_nothing_is_audited_too(mfa_client, agent, enrolled):
    search(mfa_client(agent), family_names="Personne")
    [entry] = entries("cards.holder.search")
    assert entry.detail == {"by": "names_and_birth_date", "matches": 0, "elsewhere": 0}


def test_a_search_by_card_number_is_audited(mfa_client, agent, enrolled):
    _holder, card = enrolled
    response = mfa_client(agent).post(HOLDERS, {"search": "number", "number": card.display_number})
    assert card.display_number in response.content.decode()
    [entry] = entries("cards.holder.search")
    assert entry.detail == {"by": "card_number", "matches": 1, "elsewhere": 0}
    assert card.number not in json.dumps(entry.detail)


def test_an_invalid_search_looks_nothing_up_and_writes_nothing(mfa_client, agent, enrolled):
    response = mfa_client(agent).post(HOLDERS, {"search": "names", "given_names": "x"})
    assert response.status_code == 200 and response.context["search"].errors
    assert not entries("cards.holder.search")


def test_the_enrollment_duplicate_check_is_audited(mfa_client, agent, documents, enrolled):
    client = mfa_client(agent)
    response = client.post(ENROLL, form_data(documents, token="dup"))
    assert response.status_code == 200  # the warning
    [entry] = entries("cards.holder.duplicate_check")
    assert (entry.actor, entry.organisation_id) == (agent, agent.organisation_id)
    assert entry.detail == {"matches": 1, "elsewhere": 0}
    assert_no_searched_value(entry)


def test_an_enrollment_without_duplicate_records_its_check(mfa_client, agent, documents):
    assert mfa_client(agent).post(ENROLL, form_data(documents)).status_code == 302
    [entry] = entries("cards.holder.duplicate_check")
    assert entry.detail == {"matches": 0, "elsewhere": 0}


def test_lookups_are_refused_to_staff_without_the_enrollment_capability(make_staff, organisation):
    from django.core.exceptions import PermissionDenied

    from sanspeur.cards import services

    clerk = make_staff("door.a", ["clinic_door_staff"], organisation)
    with pytest.raises(PermissionDenied):
        services.holder_search(acting_user=clerk, **{**BY_NAMES, "date_of_birth": PROFILE["date_of_birth"]})
    with pytest.raises(PermissionDenied):
        services.holder_duplicate_check(acting_user=clerk, **BY_NAMES)
    assert (
        not AuditEntry.objects.filter(action__startswith="cards.holder.").exclude(action="cards.holder.enroll").exists()
    )


# --- Another organisation's match: "a card exists; ask the city", nothing else ------------------------
def test_a_search_matching_another_organisation_says_only_ask_the_city(mfa_client, other_agent, enrolled):
    holder, card = enrolled
    response = search(mfa_client(other_agent))
    text = response.content.decode()
    assert response.status_code == 200
    assert_says_only_ask_the_city(text, holder, card)
    [entry] = entries("cards.holder.search")
    assert entry.detail == {"by": "names_and_birth_date", "matches": 0, "elsewhere": 1}


def test_a_card_number_of_another_organisation_says_only_ask_the_city(mfa_client, other_agent, enrolled):
    holder, card = enrolled
    response = mfa_client(other_agent).post(HOLDERS, {"search": "number", "number": card.number})
    text = response.content.decode()
    assert ASK_THE_CITY in text
    assert str(holder.pk) not in text and "state-active" not in text


def test_the_duplicate_check_against_another_organisation_says_only_ask_the_city(
    mfa_client, other_agent, documents, enrolled
):
    holder, card = enrolled
    client = mfa_client(other_agent)
    response = client.post(ENROLL, form_data(documents, token="dup"))
    text = response.content.decode()
    assert response.status_code == 200
    assert_says_only_ask_the_city(text, holder, card)
    assert Holder.objects.count() == 1
    [entry] = entries("cards.holder.duplicate_check")
    assert entry.detail == {"matches": 0, "elsewhere": 1}
    # The agent may still confirm that this is another person (a namesake born the same day).
    data = form_data(documents, token="dup", photo_data=response.context["form"]["photo_data"].value())
    data.update({"duplicate_seen": "1", "confirm_duplicate": "on"})
    assert client.post(ENROLL, data).status_code == 302
    assert Holder.objects.count() == 2


def test_the_duplicate_check_in_ones_own_organisation_shows_the_card_and_its_record(
    mfa_client, agent, documents, enrolled
):
    holder, card = enrolled
    text = mfa_client(agent).post(ENROLL, form_data(documents, token="dup")).content.decode()
    assert card.display_number in text and f"/fr/cards/holders/{holder.pk}/" in text
    assert ASK_THE_CITY not in text


# --- Searches that carry personal data: POST, CSRF, never cached ---------------------------------------
def test_the_search_forms_are_posted_with_a_csrf_token(mfa_client, agent, enrolled):
    page = mfa_client(agent).get(HOLDERS).content.decode()
    assert 'method="get"' not in page.casefold()
    assert page.count('method="post"') >= 2 and "csrfmiddlewaretoken" in page


def test_names_in_a_url_search_nothing_and_audit_nothing(mfa_client, agent, enrolled):
    _holder, card = enrolled
    response = mfa_client(agent).get(HOLDERS, BY_NAMES)
    assert response.status_code == 200
    assert not response.context["searched"]
    assert not entries("cards.holder.search")


def test_a_search_without_the_csrf_token_is_refused(agent, enrolled):
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = agent.totp_device.persistent_id
    session.save()
    assert client.get(HOLDERS).status_code == 200
    assert search(client).status_code == 403
    assert not entries("cards.holder.search")


def test_search_results_are_never_cached(mfa_client, agent, enrolled):
    response = search(mfa_client(agent))
    assert "no-store" in response["Cache-Control"]
