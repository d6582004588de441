"""Decisions within the envelope: the check is made under the call's row lock, so that no order of
approvals — one after the other or twenty at once — commits more than the envelope."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections

from sanspeur.accounts.models import Organisation
from sanspeur.grants import selectors, services
from sanspeur.grants.models import Application

from .conftest import into_review, into_review_many, make_call


def _applicants(make_staff, n):
    users = []
    for i in range(n):
        organisation = Organisation.objects.create(name=f"Organisme {i:02d} (test)", kind="applicant")
        users.append(make_staff(f"org{i:02d}", ["grant_applicant"], organisation))
    return users


def _decide(officer, application, amount, move="approve"):
    return services.application_decide(
        acting_user=officer, application=application, move=move, amount=Decimal(amount), resolution_number="CE27 0001"
    )


@pytest.mark.django_db
def test_approving_past_the_envelope_is_refused_and_saves_nothing(officer, make_staff):
    call = make_call(officer, envelope="250000", maximum="200000")
    first, second = into_review_many(officer, _applicants(make_staff, 2), call, amount="150000")
    _decide(officer, first, "150000")
    with pytest.raises(services.EnvelopeExceeded):
        _decide(officer, second, "150000")
    second.refresh_from_db()
    assert (second.state, second.awarded_amount) == ("under_review", None)
    _decide(officer, second, "100000")  # exactly the rest of the envelope
    assert services.committed(call) == Decimal("250000")


@pytest.mark.django_db
def test_an_amount_over_the_maximum_or_without_resolution_is_refused(officer, applicant, call):
    application = into_review(officer, applicant, call)
    with pytest.raises(ValidationError, match="maximum per project"):
        _decide(officer, application, "200000.01")
    with pytest.raises(ValidationError, match="resolution"):
        services.application_decide(acting_user=officer, application=application, move="approve", amount=Decimal("10"))


@pytest.mark.django_db
def test_only_a_program_officer_decides(reviewer, applicant, officer, call):
    application = into_review(officer, applicant, call)
    for person in (reviewer, applicant):
        with pytest.raises(PermissionDenied):
            _decide(person, application, "1000")


@pytest.mark.django_db
def test_the_ranking_runs_a_total_against_the_envelope(officer, make_staff, mfa_client):
    call = make_call(officer, envelope="300000", maximum="200000")
    applications = into_review_many(officer, _applicants(make_staff, 3), call, amount="120000")
    _decide(officer, applications[0], "120000")
    rows, committed = selectors.ranking(call, acting_user=officer)
    assert committed == Decimal("120000")
    assert [(row.running_total, row.fits) for row in rows if row.application.state != "approved"] == [
        (Decimal("240000"), True),
        (Decimal("360000"), False),
    ]
    page = mfa_client(officer).get(f"/en/grants/staff/calls/{call.pk}/ranking/")
    assert page.status_code == 200 and "grants-over" in page.content.decode()


@pytest.mark.django_db
def test_waitlisted_then_approved_when_money_is_left(officer, applicant, call):
    application = into_review(officer, applicant, call)
    services.application_decide(acting_user=officer, application=application, move="waitlist")
    assert _decide(officer, application, "1000").state == "approved"


def _approve_in_thread(officer, application_id, barrier, results):
    try:
        application = Application.objects.get(pk=application_id)
        barrier.wait(10)
        _decide(officer, application, "50000")
        results.append("approved")
    except services.EnvelopeExceeded:
        results.append("refused")
    except Exception as error:  # noqa: BLE001 - reported by the assertion below
        results.append(repr(error))
    finally:
        connections.close_all()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_approvals_never_commit_more_than_the_envelope(officer, make_staff):
    """CAD 1 000 000 envelope with 860 000 already committed: 140 000 left, twenty approvals of
    50 000 race for it. Two fit; the other eighteen are refused; committed stays within the envelope."""
    call = make_call(officer, envelope="1000000", maximum="200000")
    users = _applicants(make_staff, 25)
    applications = into_review_many(officer, users, call, amounts=["172000"] * 5 + ["50000"] * 20)
    earlier, racing = applications[:5], applications[5:]
    for application in earlier:
        _decide(officer, application, "172000")
    assert services.committed(call) == Decimal("860000")
    barrier, results = threading.Barrier(len(racing)), []
    threads = [
        threading.Thread(target=_approve_in_thread, args=(officer, application.pk, barrier, results))
        for application in racing
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(results) == ["approved"] * 2 + ["refused"] * 18, results
    assert services.committed(call) == Decimal("960000") <= call.envelope
    assert Application.objects.filter(call=call, state="approved").count() == 7


@pytest.mark.django_db
def test_the_decision_letter_gives_the_amount_the_resolution_and_the_rationale(officer, applicant, call, mfa_client):
    import shutil
    import subprocess

    application = into_review(officer, applicant, call)
    assert mfa_client(officer).get(f"/en/grants/staff/applications/{application.pk}/decision.pdf").status_code == 404
    services.application_decide(
        acting_user=officer,
        application=application,
        move="approve",
        amount=Decimal("90000"),
        resolution_number="CE27 <0412>",
        rationale="Un projet <b>ancré</b> dans son quartier.",
    )
    response = mfa_client(applicant).get(f"/fr/grants/apply/{application.pk}/decision.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True).stdout
    text = text.decode().replace("\xa0", " ").replace("\u202f", " ")
    assert "90 000,00 $" in text and "CE27 <0412>" in text and "Un projet <b>ancré</b>" in text
