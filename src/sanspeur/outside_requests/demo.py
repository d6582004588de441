"""Demo: a privacy officer and a legal counsel, fictional outside requests in several states (one
published, one disclosed after two sign-offs, one under a non-disclosure order), and residents'
refusal reports. Idempotent: nothing is added when the register already holds requests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

STAFF = [
    ("privacy", ["privacy_officer"], "Priya Vie-Privée"),
    ("legal", ["legal_counsel"], "Léa Juriste"),
]

DEMO_LETTER = b"Demo: fictional letter from a fictional agency asking for 'all records about a person'."


def _staff(organisation):
    from sanspeur.accounts.demo import demo_staff_account, demo_totp_secret

    return {
        username: (demo_staff_account(username, roles, full_name, organisation), demo_totp_secret(username), roles[0])
        for username, roles, full_name in STAFF
    }


def load(*, stdout, print_logins: bool = True) -> None:
    from sanspeur.accounts.models import Organisation

    from . import services
    from .models import OutsideRequest, RefusalReport, TransparencyEdition

    city = Organisation.objects.filter(kind="city").first()
    if city is None:
        return
    users = _staff(city)
    privacy, legal = users["privacy"][0], users["legal"][0]
    today = timezone.localdate()
    if not OutsideRequest.objects.exists():
        base = {"channel": "letter", "requester": "Fictional agency, fictional office", "notes": ""}
        # An informal request, refused and published: the most common case.
        informal = services.request_register(
            acting_user=privacy,
            requester_type="border_agency",
            instrument="informal",
            received_on=today - dt.timedelta(days=40),
            due_on=today - dt.timedelta(days=30),
            categories=["identity", "address", "immigration_status"],
            subject="Demo: 'all records about a person' (fictional)",
            documents=[("letter.txt", DEMO_LETTER)],
            **base,
        )
        services.request_triage(
            acting_user=privacy, request=informal, categories=informal.categories, persons_affected=1, due_on=None
        )
        for step in (services.request_refuse, services.request_respond, services.request_notify):
            step(acting_user=privacy, request=informal)
        services.request_close(acting_user=privacy, request=informal)
        services.request_publish(acting_user=privacy, request=informal)
        # A production order, disclosed in part after both sign-offs.
        order = services.request_register(
            acting_user=legal,
            requester_type="municipal_police",
            instrument="production_order",
            received_on=today - dt.timedelta(days=10),
            due_on=today + dt.timedelta(days=5),
            categories=["card"],
            subject="Demo: whether a card number is valid (fictional)",
            **base,
        )
        services.request_triage(
            acting_user=legal, request=order, categories=["card"], persons_affected=1, due_on=order.due_on
        )
        services.request_start_review(acting_user=legal, request=order)
        services.request_checklist(
            acting_user=legal,
            request=order,
            items={name: True for name in ("authority", "jurisdiction", "scope", "necessity", "less_intrusive")},
        )
        services.request_sign_off_legal(acting_user=legal, request=order)
        services.request_sign_off_privacy(acting_user=privacy, request=order)
        services.request_disclose(acting_user=legal, request=order, partial=True)
        # A search warrant under a non-disclosure order, in legal review.
        warrant = services.request_register(
            acting_user=legal,
            requester_type="federal_police",
            instrument="search_warrant",
            received_on=today - dt.timedelta(days=3),
            due_on=today + dt.timedelta(days=2),
            categories=["bookings"],
            subject="Demo: clinic bookings on a given day (fictional)",
            non_disclosure_order=True,
            ndo_expires_on=today + dt.timedelta(days=20),
            **base,
        )
        services.request_triage(
            acting_user=legal, request=warrant, categories=["bookings"], persons_affected=12, due_on=warrant.due_on
        )
        services.request_start_review(acting_user=legal, request=warrant)
        # Just received.
        services.request_register(
            acting_user=privacy,
            requester_type="immigration",
            instrument="administrative",
            received_on=today,
            due_on=today + dt.timedelta(days=30),
            categories=["identity", "documents"],
            subject="Demo: documents shown at enrolment (fictional)",
            **base,
        )
    if not TransparencyEdition.objects.exists():
        _last_half_year(privacy, today)
    _charter_signed()
    if not RefusalReport.objects.exists():
        from sanspeur.directory.models import Service

        services_found = list(Service.objects.filter(status="active").order_by("id")[:2])
        for index, service in enumerate(services_found):
            report = services.refusal_submit(
                acting_user=None,
                service=service,
                what=("asked_status", "refused_card")[index],
                happened_on=today - dt.timedelta(days=index + 1),
            )
            if index == 0:
                services.refusal_contact_service(acting_user=privacy, report=report)
    if print_logins:
        stdout.write("Outside requests (demo logins, same password and demo_totp as above):")
        for username, (_user, secret, role) in users.items():
            stdout.write(f"{username:<20} {role:<24} {secret}")


# The previous half-year as history: requests answered then, and its published report.
_HISTORY = (
    ("border_agency", "informal", "refused", ["identity", "address"]),
    ("border_agency", "letter", "refused", ["identity"]),
    ("immigration", "administrative", "no_records", ["identity", "documents"]),
    ("municipal_police", "informal", "refused", ["card"]),
    ("provincial_police", "production_order", "no_records", ["bookings"]),
    ("court", "court_order", "partially_disclosed", ["card"]),
)


def _last_half_year(privacy, today) -> None:
    from . import editions, services
    from .models import OutsideRequest

    this_half = editions.period_of(today)
    starts_on = editions.period_bounds(this_half)[0]
    period = editions.period_of(starts_on - dt.timedelta(days=1))
    first_day, _last_day = editions.period_bounds(period)
    for index, (who, how, outcome, categories) in enumerate(_HISTORY):
        received = first_day + dt.timedelta(days=11 + 23 * index)
        request = services.request_register(
            acting_user=privacy,
            channel="letter",
            requester_type=who,
            instrument=how,
            received_on=received,
            categories=categories,
            requester="Fictional requester",
            subject="Demo: history (fictional)",
        )
        # Fictional history: written as the register would have recorded it then.
        OutsideRequest.objects.filter(pk=request.pk).update(
            state=OutsideRequest.State.PUBLISHED,
            outcome=outcome,
            persons_affected=1 + index % 3,
            responded_on=received + dt.timedelta(days=4 + index),
            closed_on=received + dt.timedelta(days=6 + index),
            published_on=received + dt.timedelta(days=7 + index),
        )
    services.edition_publish(acting_user=privacy, period=period)


def _charter_signed() -> None:
    """Every demo service point and partner whose administrator exists signs the charter."""
    from sanspeur.accounts.models import User

    from . import selectors, services

    admins = User.objects.filter(groups__name="administrator", organisation__kind__in=("service_point", "partner"))
    for admin in admins.select_related("organisation").order_by("username"):
        if selectors.charter_signature(admin.organisation) is None:
            services.charter_sign(acting_user=admin, organisation=admin.organisation)
