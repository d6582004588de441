"""Every transition of an outside request and of a refusal report, through the services; the
policy (voluntary requests refused, judicial instruments only, two people) enforced by them."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from sanspeur.core.models import AuditEntry
from sanspeur.core.transitions import InvalidTransition
from sanspeur.outside_requests import services
from sanspeur.outside_requests.models import DisclosureEntry, OutsideRequest, RefusalReport
from sanspeur.outside_requests.states import REFUSAL, REQUEST

from .conftest import ALL_CHECKED, register, to_review

pytestmark = pytest.mark.django_db


def _signed_off(request, legal, privacy):
    services.request_checklist(acting_user=legal, request=request, items=ALL_CHECKED)
    services.request_sign_off_legal(acting_user=legal, request=request)
    return services.request_sign_off_privacy(acting_user=privacy, request=request)


def test_a_judicial_order_goes_from_received_to_published_with_two_people(legal, privacy):
    request = register(privacy)
    assert request.state == "received"
    to_review(privacy, request)
    request = _signed_off(request, legal, privacy)
    request = services.request_disclose(acting_user=legal, request=request, partial=False)
    assert (request.state, request.outcome) == ("decided", "disclosed")
    entry = DisclosureEntry.objects.get(request=request)
    assert (entry.instrument, entry.partial, entry.categories) == ("production_order", False, ["identity", "card"])
    request = services.request_respond(acting_user=privacy, request=request)
    request = services.request_notify(acting_user=privacy, request=request)
    assert (request.state, request.notice) == ("notified", "sent")
    request = services.request_close(acting_user=privacy, request=request)
    request = services.request_publish(acting_user=privacy, request=request)
    assert request.state == "published" and request.published_on == timezone.localdate()
    names = list(
        AuditEntry.objects.filter(object_id=str(request.pk), action__startswith="outside_requests.request.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert names == [
        f"outside_requests.request.{name}"
        for name in (
            "register",
            "triage",
            "start_review",
            "checklist",
            "sign_off_legal",
            "sign_off_privacy",
            "disclose",
            "respond",
            "notify",
            "close",
            "publish",
        )
    ]


@pytest.mark.parametrize("step", ["refuse", "no_records", "challenge"])
def test_decisions_without_disclosure(step, legal, privacy):
    request = to_review(privacy, register(privacy))
    function = {"refuse": services.request_refuse, "no_records": services.request_no_records}.get(step)
    if step == "challenge":
        with pytest.raises(PermissionDenied):  # a legal counsel's decision
            services.request_challenge(acting_user=privacy, request=request)
        request = services.request_challenge(acting_user=legal, request=request)
    else:
        request = function(acting_user=privacy, request=request)
    assert request.state == "decided"
    assert request.outcome == {"refuse": "refused", "no_records": "no_records", "challenge": "challenged"}[step]
    assert not DisclosureEntry.objects.exists()


def test_narrowing_clears_the_sign_offs_and_review_starts_again(legal, privacy):
    request = to_review(privacy, register(privacy))
    request = _signed_off(request, legal, privacy)
    request = services.request_narrow(acting_user=privacy, request=request)
    assert request.state == "narrowing" and request.legal_sign_off is None and request.privacy_sign_off is None
    request = services.request_start_review(acting_user=privacy, request=request)
    assert request.state == "legal_review"
    with pytest.raises(ValidationError):
        services.request_disclose(acting_user=legal, request=request, partial=True)


def test_changing_the_checklist_clears_the_sign_offs(legal, privacy):
    request = _signed_off(to_review(privacy, register(privacy)), legal, privacy)
    request = services.request_checklist(acting_user=legal, request=request, items={**ALL_CHECKED, "scope": False})
    assert request.legal_sign_off is None and request.privacy_sign_off is None
    with pytest.raises(ValidationError):
        services.request_sign_off_legal(acting_user=legal, request=request)  # checklist incomplete


def test_notice_deferred_then_sent_and_prohibited(legal, privacy):
    today = timezone.localdate()
    request = register(privacy, non_disclosure_order=True, ndo_expires_on=today + dt.timedelta(days=10))
    request = services.request_refuse(
        acting_user=privacy,
        request=services.request_triage(
            acting_user=privacy, request=request, categories=["identity"], persons_affected=1, due_on=None
        ),
    )
    request = services.request_respond(acting_user=privacy, request=request)
    with pytest.raises(ValidationError):  # the order is running
        services.request_notify(acting_user=privacy, request=request)
    with pytest.raises(ValidationError):
        services.request_defer_notice(acting_user=privacy, request=request, until=today)
    request = services.request_defer_notice(acting_user=privacy, request=request, until=today + dt.timedelta(days=10))
    assert (request.state, request.notice) == ("notice_deferred", "deferred")
    with pytest.raises(InvalidTransition):
        services.request_close(acting_user=privacy, request=request)
    OutsideRequest.objects.filter(pk=request.pk).update(ndo_expires_on=today)  # the order expired
    request.refresh_from_db()
    request = services.request_notify(acting_user=privacy, request=request)
    assert (request.state, request.notice) == ("notified", "sent")

    other = services.request_respond(
        acting_user=privacy,
        request=services.request_refuse(
            acting_user=privacy,
            request=services.request_triage(
                acting_user=privacy, request=register(privacy), categories=["card"], persons_affected=1, due_on=None
            ),
        ),
    )
    with pytest.raises(PermissionDenied):
        services.request_prohibit_notice(acting_user=privacy, request=other)
    other = services.request_prohibit_notice(acting_user=legal, request=other)
    assert (other.state, other.notice) == ("notified", "prohibited")


def test_publication_waits_for_the_non_disclosure_order(privacy):
    today = timezone.localdate()
    request = register(privacy, instrument="informal", non_disclosure_order=True, ndo_expires_on=None)
    request = services.request_triage(
        acting_user=privacy, request=request, categories=["card"], persons_affected=1, due_on=None
    )
    for step in (services.request_refuse, services.request_respond, services.request_prohibit_notice):
        if step is services.request_prohibit_notice:
            OutsideRequest.objects.filter(pk=request.pk).update(state="notified", notice="prohibited")
            request.refresh_from_db()
            continue
        request = step(acting_user=privacy, request=request)
    request = services.request_close(acting_user=privacy, request=request)
    with pytest.raises(ValidationError):
        services.request_publish(acting_user=privacy, request=request)
    OutsideRequest.objects.filter(pk=request.pk).update(ndo_expires_on=today)
    request.refresh_from_db()
    assert services.request_publish(acting_user=privacy, request=request).state == "published"


def test_every_declared_transition_is_refused_from_every_other_state(privacy):
    """The machine allows exactly its declared moves; the services ask it (a stale page is refused)."""
    for name, (sources, _target) in REQUEST.actions.items():
        for state in REQUEST.states - sources:
            with pytest.raises(InvalidTransition):
                REQUEST.check(state, name)
    request = register(privacy)
    for call in (services.request_start_review, services.request_respond, services.request_close):
        with pytest.raises(InvalidTransition):
            call(acting_user=privacy, request=request)
    assert OutsideRequest.objects.get(pk=request.pk).state == "received"
    for name, (sources, _target) in REFUSAL.actions.items():
        for state in REFUSAL.states - sources:
            with pytest.raises(InvalidTransition):
                REFUSAL.check(state, name)


# --- The policy, in the service -----------------------------------------------------------------------
@pytest.mark.parametrize("instrument", ["informal", "letter"])
def test_a_voluntary_request_is_refused_by_the_service(instrument, privacy):
    request = services.request_triage(
        acting_user=privacy,
        request=register(privacy, instrument=instrument),
        categories=["card"],
        persons_affected=1,
        due_on=None,
    )
    with pytest.raises(ValidationError):
        services.request_start_review(acting_user=privacy, request=request)
    with pytest.raises(ValidationError):
        services.request_no_records(acting_user=privacy, request=request)
    assert services.request_refuse(acting_user=privacy, request=request).outcome == "refused"


@pytest.mark.parametrize("instrument", ["letter", "administrative"])
def test_no_disclosure_without_a_judicial_instrument_even_with_two_sign_offs(instrument, legal, privacy):
    request = to_review(privacy, register(privacy, instrument="production_order"))
    request = _signed_off(request, legal, privacy)
    # Even if the row were changed behind the service's back, the disclosure reads the instrument.
    OutsideRequest.objects.filter(pk=request.pk).update(instrument=instrument)
    with pytest.raises(ValidationError):
        services.request_disclose(acting_user=legal, request=request, partial=True)
    assert OutsideRequest.objects.get(pk=request.pk).state == "legal_review"
    assert not DisclosureEntry.objects.exists()


def test_one_person_can_never_move_a_request_to_disclosed(both, legal, privacy):
    """Holding both roles, one person signs off once; the second sign-off must be someone else's."""
    request = to_review(both, register(both))
    services.request_checklist(acting_user=both, request=request, items=ALL_CHECKED)
    request = services.request_sign_off_legal(acting_user=both, request=request)
    with pytest.raises(ValidationError):
        services.request_sign_off_privacy(acting_user=both, request=request)
    with pytest.raises(services.TwoPersonRule):
        services.request_disclose(acting_user=both, request=request, partial=False)
    # Forced into the row: the same person in both places is still refused.
    OutsideRequest.objects.filter(pk=request.pk).update(privacy_sign_off=both)
    with pytest.raises(services.TwoPersonRule):
        services.request_disclose(acting_user=both, request=request, partial=False)
    # A legal counsel alone, or a privacy officer alone, cannot give the other's sign-off.
    with pytest.raises(PermissionDenied):
        services.request_sign_off_privacy(acting_user=legal, request=request)
    with pytest.raises(PermissionDenied):
        services.request_sign_off_legal(acting_user=privacy, request=request)
    assert OutsideRequest.objects.get(pk=request.pk).state == "legal_review"
    OutsideRequest.objects.filter(pk=request.pk).update(privacy_sign_off=None)
    services.request_sign_off_privacy(acting_user=privacy, request=request)
    assert services.request_disclose(acting_user=both, request=request, partial=False).outcome == "disclosed"


def test_a_sign_off_by_someone_who_lost_the_role_does_not_count(legal, privacy):
    request = _signed_off(to_review(privacy, register(privacy)), legal, privacy)
    privacy.groups.clear()
    with pytest.raises(services.TwoPersonRule):
        services.request_disclose(acting_user=legal, request=request, partial=False)


def test_staff_without_the_roles_and_partners_cannot_act(make_staff, city_organisation, organisation, privacy):
    auditor = make_staff("aud", ["auditor"], city_organisation)
    with pytest.raises(PermissionDenied):
        register(auditor)
    with pytest.raises(PermissionDenied):
        register(None)
    request = register(privacy)
    with pytest.raises(PermissionDenied):
        services.request_refuse(acting_user=auditor, request=request)


def test_shredding_destroys_details_and_documents_keeps_the_codes(privacy):
    from sanspeur.core import vault
    from sanspeur.outside_requests import selectors

    request = services.request_refuse(
        acting_user=privacy,
        request=services.request_triage(
            acting_user=privacy,
            request=register(privacy, instrument="informal"),
            categories=["card"],
            persons_affected=1,
            due_on=None,
        ),
    )
    with pytest.raises(ValidationError):
        services.request_shred(acting_user=privacy, request=request)
    OutsideRequest.objects.filter(pk=request.pk).update(state="closed")
    request.refresh_from_db()
    services.request_shred(acting_user=privacy, request=request)
    request.refresh_from_db()
    assert request.sealed is None and request.shredded_on and request.instrument == "informal"
    assert request.data_key.wrapped is None
    assert all(d.sealed is None and d.sealed_name is None for d in request.documents.all())
    detail = selectors.request_detail(acting_user=privacy, request=request)
    assert detail["shredded"] and detail["details"]["subject"] == ""
    with pytest.raises(vault.ShreddedError):
        vault.open_bytes(request.data_key, b"\x01" + b"0" * 40, context="x")


# --- Refusal reports --------------------------------------------------------------------------------------
def test_a_refusal_report_goes_through_every_state(privacy, service):
    today = timezone.localdate()
    report = services.refusal_submit(acting_user=None, service=service, what="refused_card", happened_on=today)
    assert report.state == "received"
    report = services.refusal_contact_service(acting_user=privacy, report=report)
    assert report.state == "contacted" and report.contacted_on == today
    report = services.refusal_resolve(acting_user=privacy, report=report)
    assert report.state == "resolved"
    report = services.refusal_reopen(acting_user=privacy, report=report)
    assert report.state == "contacted" and report.settled_on is None
    report = services.refusal_mark_unresolved(acting_user=privacy, report=report)
    assert report.state == "unresolved"
    with pytest.raises(InvalidTransition):
        services.refusal_resolve(acting_user=privacy, report=report)


def test_refusal_follow_up_is_the_privacy_officers(legal, service):
    report = services.refusal_submit(
        acting_user=None, service=service, what="asked_status", happened_on=timezone.localdate()
    )
    with pytest.raises(PermissionDenied):
        services.refusal_contact_service(acting_user=legal, report=report)
    assert RefusalReport.objects.get(pk=report.pk).state == "received"


def test_a_refusal_report_writes_no_audit_entry_and_refuses_a_future_day(service):
    before = AuditEntry.objects.count()
    services.refusal_submit(acting_user=None, service=service, what="asked_status", happened_on=timezone.localdate())
    assert AuditEntry.objects.count() == before
    with pytest.raises(ValidationError):
        services.refusal_submit(
            acting_user=None,
            service=service,
            what="asked_status",
            happened_on=timezone.localdate() + dt.timedelta(days=1),
        )
