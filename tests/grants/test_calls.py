"""Calls: the declared states, the rubric's weights, the public pages in five languages."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sanspeur.core.transitions import InvalidTransition
from sanspeur.grants import services, states
from sanspeur.grants.models import Call

from .conftest import make_call

pytestmark = pytest.mark.django_db


def test_a_call_walks_its_declared_states_in_order_and_no_other_way(officer):
    call = make_call(officer, publish=False)
    with pytest.raises(InvalidTransition):
        services.call_transition(acting_user=officer, call=call, move="close")
    for move, state in [
        ("publish", "published"),
        ("close", "closed"),
        ("start_review", "reviewing"),
        ("decide", "decided"),
        ("archive", "archived"),
    ]:
        call = services.call_transition(acting_user=officer, call=call, move=move)
        assert call.state == state
    assert states.CALL.states == {"draft", "published", "closed", "reviewing", "decided", "archived"}


def test_publishing_needs_weights_that_add_up_to_100(officer):
    call = services.call_create(
        acting_user=officer,
        code="poids",
        title_fr="Poids",
        title_en="Weights",
        envelope=Decimal("1000"),
        max_per_project=Decimal("500"),
        first_year=2027,
        last_year=2027,
        opens_on=dt.date(2027, 1, 1),
        closes_on=dt.date(2027, 2, 1),
        decision_on=dt.date(2027, 3, 1),
    )
    services.criterion_add(acting_user=officer, call=call, title_fr="A", title_en="A", weight=50, anchors={})
    with pytest.raises(ValidationError):
        services.call_transition(acting_user=officer, call=call, move="publish")
    assert Call.objects.get(pk=call.pk).state == "draft"


def test_the_envelope_is_a_decimal_and_the_maximum_cannot_exceed_it(officer):
    with pytest.raises(ValidationError):
        make_call(officer, code="trop", envelope="1000", maximum="2000")
    call = make_call(officer, code="exact", envelope="1900000.10", maximum="250000")
    assert str(Call.objects.get(pk=call.pk).envelope) == "1900000.10"


def test_only_a_program_officer_creates_a_call(reviewer, applicant):
    for person in (reviewer, applicant):
        with pytest.raises(PermissionDenied):
            make_call(person, code=f"non-{person.pk}")


@pytest.mark.parametrize("language", ["fr", "en", "es", "ar", "ht"])
def test_the_public_call_page_is_in_each_language_with_the_text_marked_when_in_french(client, call, language):
    response = client.get(f"/{language}/grants/calls/{call.code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    if language == "en":
        assert "Test call without fear" in html
    else:
        assert "Appel test sans peur" in html
    if language not in ("fr", "en"):
        assert '<span lang="fr" dir="ltr">Appel test sans peur</span>' in html  # the fallback is marked
    listing = client.get(f"/{language}/grants/")
    assert listing.status_code == 200 and call.code in listing.content.decode()


def test_a_draft_call_is_not_public(client, officer):
    draft = make_call(officer, code="brouillon", publish=False)
    assert client.get(f"/fr/grants/calls/{draft.code}/").status_code == 404
    assert draft.code not in client.get("/fr/grants/").content.decode()


def test_published_questions_and_answers_show_on_the_call(client, officer, call):
    services.question_publish(
        acting_user=officer,
        call=call,
        question_fr="Une coalition peut-elle déposer?",
        question_en="Can a coalition apply?",
        answer_fr="Oui, par son organisme responsable.",
        answer_en="Yes, through its lead.",
    )
    assert "Yes, through its lead." in client.get(f"/en/grants/calls/{call.code}/").content.decode()


def test_the_amounts_are_written_the_way_each_language_writes_them(client, call):
    fr = client.get(f"/fr/grants/calls/{call.code}/").content.decode()
    en = client.get(f"/en/grants/calls/{call.code}/").content.decode()
    assert "500\u00a0000\u00a0$" in fr
    assert "$500,000" in en
