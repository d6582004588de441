"""The call-wide spread view (issue 19, item 3): each reviewer's offset against the others on the
same applications, the applications on which reviewers disagree, only from complete reviews and only
for the program officers."""

import pytest

from sanspeur.grants import selectors, services

from .conftest import into_review_many

pytestmark = pytest.mark.django_db

LONG_TEXT = (
    "Des permanences juridiques gratuites chaque mardi soir au sous-sol de la paroisse, avec une avocate "
    "bénévole et une interprète, pour aider les familles du quartier à connaître leurs droits au logement, "
    "au travail et aux services de la ville, sans jamais demander leur statut."
)


def _review(officer, reviewer, application, value):
    assignment = services.reviewer_assign(acting_user=officer, application=application, reviewer=reviewer)
    services.conflict_declare(acting_user=reviewer, assignment=assignment, conflict=False)
    scores = {criterion.pk: value for criterion in application.call.criteria.all()}
    services.review_submit(acting_user=reviewer, assignment=assignment, scores=scores)


@pytest.fixture
def two_reviewed(officer, applicant, other_applicant, reviewer, second_reviewer, call):
    first, second = into_review_many(officer, [applicant, other_applicant], call)
    _review(officer, reviewer, first, 5)  # the lenient one
    _review(officer, second_reviewer, first, 3)
    _review(officer, reviewer, second, 4)
    _review(officer, second_reviewer, second, 4)
    return first, second


def test_offsets_and_disagreements(officer, two_reviewed, call, reviewer, second_reviewer):
    reviewers, disagreements = selectors.calibration(call, acting_user=officer)
    by_name = {row.reviewer: row for row in reviewers}
    assert str(by_name[reviewer.username].offset) == "1.00"  # (+2 and 0) / 2
    assert str(by_name[second_reviewer.username].offset) == "-1.00"
    assert str(by_name[reviewer.username].mean) == "4.50" and by_name[reviewer.username].reviewed == 2
    assert [d.application for d in disagreements] == [two_reviewed[0]]  # 5 against 3; 4 against 4 is agreement


def test_an_incomplete_application_is_not_counted(officer, applicant, reviewer, second_reviewer, call):
    (application,) = into_review_many(officer, [applicant], call)
    _review(officer, reviewer, application, 5)
    services.reviewer_assign(acting_user=officer, application=application, reviewer=second_reviewer)  # not in yet
    assert selectors.calibration(call, acting_user=officer) == ([], [])


def test_only_program_officers_see_it(mfa_client, officer, reviewer, two_reviewed, call):
    assert selectors.calibration(call, acting_user=reviewer) is None
    assert mfa_client(reviewer).get(f"/en/grants/staff/calls/{call.pk}/calibration/").status_code == 403
    page = mfa_client(officer).get(f"/en/grants/staff/calls/{call.pk}/calibration/")
    assert page.status_code == 200 and 'id="disagreements"' in page.content.decode()


# --- Duplicate and fraud flags (issue 19) ------------------------------------------------------------------
def test_copied_text_and_a_shared_enterprise_number_are_flagged(officer, applicant, other_applicant, call):
    from sanspeur.grants.models import ApplicantProfile

    first, second = into_review_many(officer, [applicant, other_applicant], call, text=LONG_TEXT)
    flags = selectors.flags_for(first)
    assert [(f.kind, f.other) for f in flags] == [("similar_text", second)]  # the same text, word for word
    for organisation in (applicant.organisation, other_applicant.organisation):
        ApplicantProfile.objects.update_or_create(
            organisation=organisation, defaults={"registration_number": "1234567890"}
        )
    first.organisation.refresh_from_db()
    kinds = sorted(f.kind for f in selectors.flags_for(first))
    assert kinds == ["same_registration", "similar_text"]


def test_different_projects_and_drafts_are_not_flagged(officer, applicant, other_applicant, call):
    draft = services.application_create(
        acting_user=other_applicant, call=call, organisation=other_applicant.organisation
    )
    services.application_save(
        acting_user=other_applicant, application=draft, sections={"summary": LONG_TEXT}, eligibility=[]
    )
    first = into_review_many(officer, [applicant], call, text=LONG_TEXT)[0]
    assert selectors.flags_for(first) == []  # the same words, but a draft is never compared


# --- Committee minutes (issue 19) ---------------------------------------------------------------------------
def test_minutes_are_recorded_by_officers_once_the_review_started(officer, reviewer, applicant, call):
    import datetime as dt

    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils import timezone

    today = timezone.localdate()
    with pytest.raises(ValidationError):  # the call is still open
        services.committee_minutes_record(acting_user=officer, call=call, held_on=today, members="A", minutes="B")
    into_review_many(officer, [applicant], call)
    call.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.committee_minutes_record(acting_user=reviewer, call=call, held_on=today, members="A", minutes="B")
    with pytest.raises(ValidationError):
        services.committee_minutes_record(
            acting_user=officer, call=call, held_on=today + dt.timedelta(days=1), members="A", minutes="B"
        )
    assert not call.meetings.exists()
    meeting = services.committee_minutes_record(
        acting_user=officer, call=call, held_on=today, members="Présidente, 3 membres", minutes="Classement adopté."
    )
    assert list(call.meetings.all()) == [meeting] and meeting.recorded_by == officer


def test_the_call_page_records_minutes_and_refuses_a_bad_date(mfa_client, officer, applicant, call):
    into_review_many(officer, [applicant], call)
    client = mfa_client(officer)
    url = f"/en/grants/staff/calls/{call.pk}/"
    bad = client.post(url, {"form": "minutes", "m-held_on": "not a date", "m-members": "A", "m-minutes": "B"})
    assert bad.status_code == 400 and not call.meetings.exists()
    good = client.post(url, {"form": "minutes", "m-held_on": "2026-01-05", "m-members": "A", "m-minutes": "Adopté."})
    assert good.status_code == 302 and call.meetings.get().minutes == "Adopté."
    assert "Adopté." in client.get(url).content.decode()
