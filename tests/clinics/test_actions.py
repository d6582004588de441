"""The clinics on the action kernel: every write is an action, the declared lives of a booking, a
time slot and an event, and the guards of the security review (co-organisers, the door's answer
for another event's code, ``Origin: null`` on the public forms)."""

import inspect
import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from sanspeur.clinics import codes, services, states
from sanspeur.clinics.models import Booking, Session
from sanspeur.core.actions import AUDIT_ACTIONS
from sanspeur.core.models import AuditEntry
from sanspeur.core.transitions import InvalidTransition

from .conftest import book_with_client

pytestmark = pytest.mark.django_db

# Public functions of services.py that read and write nothing.
READS = {"code_hash", "purge_after_days"}


def test_every_public_writing_function_of_services_is_an_action():
    functions = {
        name: value
        for name, value in vars(services).items()
        if inspect.isfunction(value) and value.__module__ == services.__name__ and not name.startswith("_")
    }
    assert READS <= set(functions)
    writers = {name: fn for name, fn in functions.items() if name not in READS}
    assert len(writers) >= 14
    not_actions = sorted(name for name, fn in writers.items() if not hasattr(fn, "action_name"))
    assert not_actions == []
    assert all(fn.action_name in AUDIT_ACTIONS for fn in writers.values())
    for fn in writers.values():
        assert inspect.signature(fn.__wrapped__).parameters["acting_user"].kind is inspect.Parameter.KEYWORD_ONLY


# --- The declared lives, walked state by state -------------------------------------------------
def _walk(machine, reachable_from):
    """Every state: what it offers leads where declared, what it does not offer is refused; and
    every state is reachable from the initial ones."""
    for state in machine.states:
        for name, (sources, target) in machine.actions.items():
            if name in machine.offered(state):
                assert state in sources and machine.check(state, name) == target
            else:
                with pytest.raises(InvalidTransition):
                    machine.check(state, name)
    seen, frontier = set(reachable_from), list(reachable_from)
    while frontier:
        state = frontier.pop()
        for name in machine.offered(state):
            target = machine.check(state, name)
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == set(machine.states)


def test_the_booking_life_covers_every_status_and_the_services_follow_it(make_clinic):
    assert states.BOOKING.states == set(Booking.Status.values)
    _walk(states.BOOKING, {states.CONFIRMED, states.WAITLISTED})
    for final in (states.CHECKED_IN, states.CANCELLED, states.NO_SHOW):
        assert states.BOOKING.offered(final) == frozenset()
    # The services walk it too: confirmed → cancelled, waitlisted → confirmed (promoted).
    _event, _service, session = make_clinic(capacity=1)
    first, code1 = services.booking_create(acting_user=None, session_id=session.pk)
    second, _code2 = services.booking_create(acting_user=None, session_id=session.pk)
    assert first.offered_actions == {"cancel", "move", "check_in", "release", "cancel_slot"}
    assert second.offered_actions == {"cancel", "move", "promote", "cancel_slot"}
    services.booking_cancel(acting_user=None, code=code1)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("cancelled", "confirmed")
    assert first.offered_actions == frozenset()
    with pytest.raises(services.BookingError):  # not offered: refused, nothing written
        services.booking_cancel(acting_user=None, code=code1)
    # Once the slot is over, nothing is cancelled or moved any more.
    later = session.ends_at + timedelta(minutes=1)
    assert "cancel" not in second.offered_actions_at(later) and "move" not in second.offered_actions_at(later)


def test_the_time_slot_and_event_lives_and_the_pages_offer_what_they_allow(make_clinic, make_staff, city_organisation):
    _walk(states.SESSION, {states.OPEN})
    _walk(states.EVENT, {states.SCHEDULED})
    event, service, session = make_clinic(capacity=2)
    now = timezone.now()
    assert session.state_at(now) == "open" and session.offered_actions == {"capacity", "cancel", "end"}
    assert session.state_at(session.ends_at) == "over" and event.state_at(now) == "scheduled"
    assert event.state_at(session.ends_at + timedelta(days=3)) == "over"
    services.event_cancel(acting_user=None, event=event)
    session.refresh_from_db()
    assert session.state_at(now) == "cancelled" and session.offered_actions == frozenset()
    assert event.state_at(now) == "cancelled" and event.offered_actions == frozenset()
    before = AuditEntry.objects.count()
    assert services.event_cancel(acting_user=None, event=event) == 0  # not offered: nothing again
    assert AuditEntry.objects.count() == before
    with pytest.raises(services.BookingError, match="cancelled"):
        services.session_capacity_change(acting_user=None, session=session, capacity=5)


def test_the_event_page_offers_only_what_the_slots_allow(make_clinic, make_staff, city_organisation, mfa_client):
    event, service, session = make_clinic(capacity=2)
    over = services.session_create(
        acting_user=None,
        service=service,
        starts_at=timezone.now() - timedelta(hours=2),
        ends_at=timezone.now() - timedelta(hours=1),
        capacity=2,
        released_at=timezone.now() - timedelta(days=1),
    )
    client = mfa_client(make_staff("coord.offer", ["clinic_coordinator"], city_organisation))
    html = client.get(f"/en/clinics/staff/e/{event.pk}/").content.decode()
    assert f'id="capacity-{session.pk}"' in html and f'id="capacity-{over.pk}"' not in html
    assert 'name="action" value="cancel_event"' in html
    services.session_cancel(acting_user=None, session=session)
    html = client.get(f"/en/clinics/staff/e/{event.pk}/").content.decode()
    assert f'id="capacity-{session.pk}"' not in html and 'value="cancel_event"' not in html


# --- (b) Co-organisers of a shared event --------------------------------------------------------
def test_a_partner_cannot_remove_a_co_organiser_from_a_shared_event(
    make_clinic, make_staff, organisation, other_organisation, city_organisation, mfa_client
):
    event, _service, _session = make_clinic()
    event.organisations.set([organisation, other_organisation])
    partner = make_staff("coord.a", ["clinic_coordinator"], organisation)
    data = {"title": "Clinique partagée"}
    with pytest.raises(PermissionDenied):
        services.event_save(acting_user=partner, event=event, data=data, organisations=[organisation])
    assert set(event.organisations.all()) == {organisation, other_organisation}
    assert not AuditEntry.objects.filter(action="event.update").exists()
    # Through the page: the form says why, nothing is saved.
    client = mfa_client(partner)
    post = {
        "title": "Clinique partagée",
        "is_mobile": "on",
        "date": event.date.isoformat(),
        "start_time": "09:00",
        "end_time": "17:00",
        "address": "123, rue Test",
        "borough": "Verdun",
        "is_published": "on",
        "language_list": ["fr"],
    }
    response = client.post(f"/en/clinics/staff/e/{event.pk}/edit/", {**post, "organisations": [str(organisation.pk)]})
    assert response.status_code == 200 and "Only the City&#x27;s coordinators" in response.content.decode()
    event.refresh_from_db()
    assert event.title == {"fr": "Clinique test"}
    assert set(event.organisations.all()) == {organisation, other_organisation}
    # What the policy allows: the partner adds an organisation, or withdraws its own; the City
    # removes anyone.
    third = type(organisation).objects.create(name="Centre test C", kind="partner")
    services.event_save(
        acting_user=partner, event=event, data=data, organisations=[organisation, other_organisation, third]
    )
    entry = AuditEntry.objects.get(action="event.update")
    assert entry.detail == {"fields": ["title"], "organisations": {"added": [str(third.pk)], "removed": []}}
    services.event_save(acting_user=partner, event=event, data=data, organisations=[other_organisation, third])
    city = make_staff("coord.city", ["clinic_coordinator"], city_organisation)
    services.event_save(acting_user=city, event=event, data=data, organisations=[third])
    assert list(event.organisations.all()) == [third]


# --- (c) The door's answer for a code of another event ------------------------------------------
def _door_error(response) -> str:
    match = re.search(r'id="id_door-code_error"[^>]*><li>(.*?)</li>', response.content.decode(), re.S)
    return match.group(1).strip() if match else response.content.decode()[:2000]


def test_the_door_answers_a_code_of_another_event_like_a_code_that_does_not_exist(
    make_clinic, make_staff, city_organisation, mfa_client
):
    event, _service, _session = make_clinic(title="Ici")
    _other_event, _other_service, elsewhere = make_clinic(title="Ailleurs")
    booking, other_code = services.booking_create(acting_user=None, session_id=elsewhere.pk)
    unknown = codes.generate()  # a well-formed code nobody holds
    client = mfa_client(make_staff("door.city", ["clinic_door_staff"], city_organisation))
    url = f"/en/clinics/checkin/{event.pk}/"
    of_another_event = client.post(url, {"action": "checkin", "door-code": other_code})
    nonexistent = client.post(url, {"action": "checkin", "door-code": unknown})
    assert of_another_event.status_code == nonexistent.status_code == 409
    assert _door_error(of_another_event) == _door_error(nonexistent) == "No booking has this code."
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert not AuditEntry.objects.filter(action="booking.check_in").exists()


# --- (e) Origin: null on the public forms ---------------------------------------------------------
def test_public_booking_and_its_changes_refuse_origin_null_with_the_csrf_failure_page(client, make_clinic):
    _event, _service, session = make_clinic(capacity=3)
    url = f"/fr/clinics/slot/{session.pk}/book/"
    refused = client.post(url, {"places": 1, "website": ""}, headers={"Origin": "null"})
    assert refused.status_code == 403 and "Formulaire expiré" in refused.content.decode()
    assert refused["Cache-Control"] == "no-store, private" and not refused.cookies
    _booking, code = services.booking_create(acting_user=None, session_id=session.pk)
    cancel = client.post(f"/fr/clinics/booking/{code}/", {"action": "cancel"}, headers={"Origin": "null"})
    assert cancel.status_code == 403
    assert Booking.objects.get(code_hash=services.code_hash(code)).status == "confirmed"
    assert Booking.objects.count() == 1
    # The pages let the browser send their real origin (not "null"): a same-origin post is read.
    assert client.get(url)["Referrer-Policy"] == "same-origin"
    same_origin = client.post(url, {"places": 1, "website": ""}, headers={"Origin": "http://testserver"})
    assert same_origin.status_code == 400 and "Formulaire expiré" not in same_origin.content.decode()
    assert book_with_client(client, session, lang="fr").status_code == 302  # no Origin at all: an old browser
    assert Session.objects.get(pk=session.pk).bookings.count() == 2


def test_a_lock_that_times_out_on_a_crowded_slot_answers_busy_and_keeps_the_choices(client, make_clinic, monkeypatch):
    from sanspeur.core.locks import LockTimeout

    _event, _service, session = make_clinic(capacity=3)

    def crowded(**kwargs):
        raise LockTimeout("clinics.Session")

    monkeypatch.setattr(services, "booking_create", crowded)
    response = book_with_client(client, session, lang="en", reminder="moi@example.org")
    html = response.content.decode()
    assert response.status_code == 429 and "Many people are booking this time slot right now" in html
    assert 'value="moi@example.org"' in html and not Booking.objects.exists()
