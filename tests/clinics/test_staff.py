"""Staff pages: event management, at the door, reports and CSV, permissions."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from sanspeur.clinics import services
from sanspeur.clinics.models import Event, Session, Tally
from sanspeur.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(make_staff, city_organisation):
    return make_staff("coord", ["clinic_coordinator"], city_organisation)


def test_staff_pages_need_mfa_and_the_right_permission(client, make_staff, organisation, mfa_client, make_clinic):
    event, _service, _session = make_clinic()
    event.organisations.add(organisation)
    door = make_staff("door.only", ["clinic_door_staff"], organisation)
    client.force_login(door)  # password only
    response = client.get("/fr/clinics/checkin/")
    assert response.status_code == 302 and "/staff/mfa/" in response["Location"]
    signed = mfa_client(door)
    assert signed.get("/fr/clinics/checkin/").status_code == 200
    assert signed.get(f"/fr/clinics/checkin/{event.pk}/").status_code == 200
    assert signed.get("/fr/clinics/staff/").status_code == 403
    assert signed.get(f"/fr/clinics/staff/e/{event.pk}/report/?format=csv").status_code == 403


def test_partner_staff_see_only_their_events(make_staff, organisation, other_organisation, mfa_client, make_clinic):
    mine, _s, _ = make_clinic(title="Mine")
    mine.organisations.add(organisation)
    theirs, _s2, _ = make_clinic(title="Theirs")
    theirs.organisations.add(other_organisation)
    client = mfa_client(make_staff("coord.p", ["clinic_coordinator"], organisation))
    html = client.get("/en/clinics/staff/").content.decode()
    assert "Mine" in html and "Theirs" not in html
    assert client.get(f"/en/clinics/staff/e/{theirs.pk}/").status_code == 404


def test_coordinator_creates_an_event_a_service_and_a_time_slot(coordinator, mfa_client, organisation):
    client = mfa_client(coordinator)
    date = timezone.localdate() + timedelta(days=5)
    response = client.post(
        "/fr/clinics/staff/new/",
        {
            "title": "Clinique Lachine",
            "is_mobile": "on",
            "date": date.isoformat(),
            "start_time": "10:00",
            "end_time": "15:00",
            "address": "1, rue du Parc",
            "borough": "Lachine",
            "is_published": "on",
            "language_list": ["fr", "es"],
            "organisations": [str(organisation.pk)],
        },
    )
    event = Event.objects.get(title__fr="Clinique Lachine")
    assert response.status_code == 302 and event.language_codes == ["fr", "es"]
    url = f"/fr/clinics/staff/e/{event.pk}/"
    client.post(
        url,
        {
            "action": "service",
            "service-kind": "enrollment",
            "service-max_places_per_code": 3,
            "service-grace_minutes": 10,
        },
    )
    service = event.services.get()
    assert service.max_places_per_code == 3
    client.post(
        url,
        {
            "action": "session",
            "service": service.pk,
            "session-starts_at": f"{date}T10:00",
            "session-ends_at": f"{date}T10:30",
            "session-capacity": 12,
            "session-released_at": f"{date - timedelta(days=7)}T09:00",
        },
    )
    session = Session.objects.get(service=service)
    assert session.capacity == 12
    bad = client.post(
        url,
        {
            "action": "session",
            "service": service.pk,
            "session-starts_at": f"{date}T10:00",
            "session-ends_at": f"{date}T09:00",
            "session-capacity": 0,
            "session-released_at": f"{date}T11:00",
        },
    )
    assert "La fin doit venir après le début" in bad.content.decode()
    assert Session.objects.count() == 1
    assert {"event.create", "service.create", "session.create"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )


def test_door_checks_in_a_code_once_and_records_walk_ins(coordinator, mfa_client, make_clinic):
    event, service, session = make_clinic(capacity=3, max_places=2)
    _booking, code = services.booking_create(acting_user=None, session_id=session.pk, places=2, language="es")
    client = mfa_client(coordinator)
    url = f"/fr/clinics/checkin/{event.pk}/"
    first = client.post(url, {"action": "checkin", "door-code": code.lower()})
    html = first.content.decode()
    assert first.status_code == 200 and 'id="checked"' in html and "2 places" in html
    again = client.post(url, {"action": "checkin", "door-code": code})
    assert again.status_code == 409 and "déjà servi" in again.content.decode()
    unknown = client.post(url, {"action": "checkin", "door-code": "0000-0000-0"})
    assert unknown.status_code == 409 and "Aucune réservation" in unknown.content.decode()
    response = client.post(
        url, {"action": "walkin", "walkin-service": service.pk, "walkin-language": "ar", "walkin-count": 4}
    )
    assert response.status_code == 302
    assert Tally.objects.get(event=event, kind="walk_in", language="ar").count == 4
    assert Tally.objects.get(event=event, kind="booked", language="es").count == 2


def test_enrollment_check_in_links_to_card_enrollment_only_for_who_may_enroll(
    make_staff, city_organisation, mfa_client, make_clinic
):
    """Door staff are not sent to the enrollment page (it refuses them with a 403): the link is
    shown only when the policy gives the viewer the enrollment capability."""
    event, _service, session = make_clinic(kind="enrollment")
    enroll = 'href="/fr/cards/enroll/"'
    door = make_staff("door.enroll", ["clinic_door_staff"], city_organisation)
    both = make_staff("door.agent", ["clinic_door_staff", "enrollment_agent"], city_organisation)
    for user, shown in ((door, False), (both, True)):
        _booking, code = services.booking_create(acting_user=None, session_id=session.pk)
        client = mfa_client(user)
        checked = client.post(f"/fr/clinics/checkin/{event.pk}/", {"action": "checkin", "door-code": code})
        assert "checked" in checked.context and checked.context["checked"] is not None
        assert (enroll in checked.content.decode()) is shown
        assert (enroll in client.get(f"/fr/clinics/checkin/{event.pk}/").content.decode()) is shown
        if shown:
            assert client.get("/fr/cards/enroll/").status_code == 200
        else:
            assert client.get("/fr/cards/enroll/").status_code == 403


def test_reports_and_csv_per_event_and_period(coordinator, mfa_client, make_clinic):
    event, service, _session = make_clinic()
    services.walk_in_record(acting_user=coordinator, service=service, language="fr", count=2)
    client = mfa_client(coordinator)
    response = client.get(f"/fr/clinics/staff/e/{event.pk}/report/?format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["date", "event", "borough", "service", "language", "kind", "count"]
    assert rows[1][3:] == ["vaccination", "fr", "walk_in", "2"]
    start = timezone.localdate()
    period = client.get(
        "/fr/clinics/staff/report/", {"start": start.isoformat(), "end": (start + timedelta(days=30)).isoformat()}
    )
    assert period.status_code == 200 and "Vaccination" in period.content.decode()
    csv_period = client.get(
        "/fr/clinics/staff/report/",
        {"start": start.isoformat(), "end": (start + timedelta(days=30)).isoformat(), "format": "csv"},
    )
    assert "walk_in" in csv_period.content.decode()


def test_demo_is_idempotent(db):
    from io import StringIO

    from sanspeur.clinics import demo
    from sanspeur.clinics.models import Booking

    demo.load(stdout=StringIO(), print_logins=False)
    counts = (Event.objects.count(), Session.objects.count(), Booking.objects.count())
    demo.load(stdout=StringIO(), print_logins=False)
    assert counts == (Event.objects.count(), Session.objects.count(), Booking.objects.count())
    assert counts[0] == 3 and counts[2] > 0


def test_purge_and_no_show_commands(make_clinic):
    from io import StringIO

    from django.core.management import call_command

    make_clinic()
    out = StringIO()
    call_command("clinics_purge", stdout=out)
    assert "bookings deleted: 0" in out.getvalue()
    call_command("clinics_release_no_shows", stdout=out)
    assert "bookings released: 0" in out.getvalue()


def test_coordinator_cancels_a_slot_people_are_told_and_move_with_their_code(
    coordinator, mfa_client, make_clinic, client, mailoutbox, django_capture_on_commit_callbacks
):
    from sanspeur.clinics.models import Booking

    event, _service, session = make_clinic(capacity=1)
    _other_event, _other_service, elsewhere = make_clinic(capacity=3, days=5, title="Ailleurs")
    confirmed, code_confirmed = services.booking_create(
        acting_user=None, session_id=session.pk, reminder="a@example.org", language="es"
    )
    waiting, code_waiting = services.booking_create(acting_user=None, session_id=session.pk, reminder="5145550100")
    staff = mfa_client(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            f"/fr/clinics/staff/e/{event.pk}/", {"action": "cancel_session", "session": session.pk}, follow=True
        )
    assert "2 réservations ont été prévenues" in response.content.decode()
    session.refresh_from_db()
    assert session.cancelled_at is not None
    assert set(Booking.objects.filter(session=session).values_list("status", flat=True)) == {"slot_cancelled"}
    # Only the e-mail contact is written to, in their language, about their own booking.
    assert [m.to for m in mailoutbox] == [["a@example.org"]]
    assert "cancelado" in mailoutbox[0].subject and code_waiting not in mailoutbox[0].body
    assert AuditEntry.objects.get(action="session.cancel").detail == {"bookings": 2}
    # Nobody can book the cancelled slot; the public page says so.
    with pytest.raises(services.BookingError, match="annulée|cancelado"):
        services.booking_create(acting_user=None, session_id=session.pk)
    assert "Annulée par les organisateurs" in client.get(f"/fr/clinics/e/{event.pk}/").content.decode()
    # The person's page explains and offers other slots; the move works from the cancelled slot.
    page = client.get(f"/es/clinics/booking/{code_confirmed}/").content.decode()
    assert "tuvieron que cancelar" in page and "Cancelar mi reserva" not in page
    assert f'<option value="{elsewhere.pk}">' in page
    assert "STATUS:CANCELLED" in client.get(f"/es/clinics/booking/{code_confirmed}/calendar.ics").content.decode()
    services.booking_move(acting_user=None, code=code_confirmed, session_id=elsewhere.pk)
    confirmed.refresh_from_db()
    assert confirmed.session_id == elsewhere.pk and confirmed.status == "confirmed"
    # At the door, a cancelled-slot code is refused with the reason.
    with pytest.raises(services.BookingError, match="annulée|cancelado"):
        services.booking_check_in(acting_user=coordinator, event=event, code=code_waiting)
    # Cancelling again changes nothing.
    assert services.session_cancel(acting_user=coordinator, session=session) == 0


def test_cancel_the_whole_event_needs_confirmation(coordinator, mfa_client, make_clinic):
    event, service, session = make_clinic(capacity=2)
    second = services.session_create(
        acting_user=None,
        service=service,
        starts_at=session.starts_at + timedelta(hours=2),
        ends_at=session.ends_at + timedelta(hours=2),
        capacity=2,
        released_at=session.released_at,
    )
    services.booking_create(acting_user=None, session_id=second.pk)
    staff = mfa_client(coordinator)
    staff.post(f"/fr/clinics/staff/e/{event.pk}/", {"action": "cancel_event"})
    assert not Session.objects.filter(cancelled_at__isnull=False).exists()
    response = staff.post(f"/fr/clinics/staff/e/{event.pk}/", {"action": "cancel_event", "confirm": "yes"}, follow=True)
    assert "1 réservation a été prévenue" in response.content.decode()
    assert Session.objects.filter(service__event=event, cancelled_at__isnull=True).count() == 0


def test_capacity_change_promotes_the_waiting_list_and_never_drops_below_bookings(coordinator, mfa_client, make_clinic):
    from sanspeur.clinics.models import Booking

    event, _service, session = make_clinic(capacity=1)
    services.booking_create(acting_user=None, session_id=session.pk)
    waiting, _code = services.booking_create(acting_user=None, session_id=session.pk)
    staff = mfa_client(coordinator)
    url = f"/fr/clinics/staff/e/{event.pk}/"
    response = staff.post(url, {"action": "capacity", "session": session.pk, "capacity": "0"}, follow=True)
    assert "Au moins 1 place." in response.content.decode()
    response = staff.post(url, {"action": "capacity", "session": session.pk, "capacity": "2"}, follow=True)
    assert "La capacité est modifiée." in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.CONFIRMED
    response = staff.post(url, {"action": "capacity", "session": session.pk, "capacity": "1"}, follow=True)
    assert "2 places sont déjà réservées" in response.content.decode()
    session.refresh_from_db()
    assert session.capacity == 2
    assert AuditEntry.objects.get(action="session.capacity").detail == {"from": 1, "to": 2, "promoted": 1}


def test_another_organisations_slot_cannot_be_cancelled(
    make_staff, organisation, other_organisation, mfa_client, make_clinic
):
    theirs, _service, session = make_clinic()
    theirs.organisations.add(other_organisation)
    partner = make_staff("partner.coord", ["clinic_coordinator"], organisation)
    response = mfa_client(partner).post(
        f"/fr/clinics/staff/e/{theirs.pk}/", {"action": "cancel_session", "session": session.pk}
    )
    assert response.status_code == 404
    session.refresh_from_db()
    assert session.cancelled_at is None


def _duplicate_ids(html: str) -> list[str]:
    import re
    from collections import Counter

    return [name for name, count in Counter(re.findall(r'\sid="([^"]+)"', html)).items() if count > 1]


def test_event_page_has_no_duplicate_ids_with_several_services(coordinator, mfa_client, make_clinic):
    """One "add a time slot" form per service: each with its own ids, so labels stay tied to them."""
    event, _service, _session = make_clinic()
    services.service_create(acting_user=None, event=event, kind="enrollment", max_places_per_code=1)
    client = mfa_client(coordinator)
    html = client.get(f"/fr/clinics/staff/e/{event.pk}/").content.decode()
    assert html.count('name="session-starts_at"') == 2
    assert _duplicate_ids(html) == []
    assert _duplicate_ids(client.get(f"/fr/clinics/checkin/{event.pk}/").content.decode()) == []
