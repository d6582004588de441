"""Review: the conflict-of-interest declaration comes before any content, a conflict recuses for
good, blind review hides the applicant, averages stay hidden until every review is in."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from sanspeur.accounts.models import Organisation
from sanspeur.grants import selectors, services
from sanspeur.grants.models import Assignment

from .conftest import PROJECT_TEXT, into_review, make_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(officer, applicant, call):
    return into_review(officer, applicant, call)


def _scores(call, value):
    return {criterion.pk: value for criterion in call.criteria.all()}


def test_a_reviewer_sees_no_content_before_declaring(mfa_client, officer, reviewer, in_review):
    services.reviewer_assign(acting_user=officer, application=in_review, reviewer=reviewer)
    page = mfa_client(reviewer).get(f"/en/grants/reviews/{in_review.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "conflict of interest" in html.lower()
    assert PROJECT_TEXT not in html and "Projet Zéphirin" not in html
    assert (
        selectors.application_for_reviewer(acting_user=reviewer, assignment=Assignment.objects.get(reviewer=reviewer))
        is None
    )


def test_a_reviewer_who_declares_a_conflict_never_sees_the_application(mfa_client, officer, reviewer, in_review):
    services.reviewer_assign(acting_user=officer, application=in_review, reviewer=reviewer)
    client = mfa_client(reviewer)
    declared = client.post(f"/en/grants/reviews/{in_review.pk}/", {"conflict": "yes"})
    assert declared.status_code == 302
    assignment = Assignment.objects.get(reviewer=reviewer)
    assert assignment.conflict is True
    for _ in range(2):
        html = client.get(f"/en/grants/reviews/{in_review.pk}/").content.decode()
        assert PROJECT_TEXT not in html and "Projet Zéphirin" not in html
    # The declaration is final: answering "no" afterwards changes nothing.
    client.post(f"/en/grants/reviews/{in_review.pk}/", {"conflict": "no"})
    services.conflict_declare(acting_user=reviewer, assignment=assignment, conflict=False)
    assert Assignment.objects.get(pk=assignment.pk).conflict is True
    assert selectors.application_for_reviewer(acting_user=reviewer, assignment=assignment) is None
    with pytest.raises(PermissionDenied):
        services.review_submit(acting_user=reviewer, assignment=assignment, scores=_scores(in_review.call, 5))


def test_without_a_conflict_the_reviewer_reads_and_scores(mfa_client, officer, reviewer, in_review):
    services.reviewer_assign(acting_user=officer, application=in_review, reviewer=reviewer)
    client = mfa_client(reviewer)
    client.post(f"/en/grants/reviews/{in_review.pk}/", {"conflict": "no"})
    html = client.get(f"/en/grants/reviews/{in_review.pk}/").content.decode()
    assert PROJECT_TEXT in html
    criteria = list(in_review.call.criteria.all())
    posted = client.post(
        f"/en/grants/reviews/{in_review.pk}/", {f"criterion_{c.pk}": "4" for c in criteria} | {"comment": "Solide."}
    )
    assert posted.status_code == 302
    assert sorted(Assignment.objects.get(reviewer=reviewer).scores.values_list("score", flat=True)) == [4, 4]


def test_a_reviewer_not_assigned_sees_nothing(mfa_client, reviewer, in_review):
    html = mfa_client(reviewer).get(f"/en/grants/reviews/{in_review.pk}/").content.decode()
    assert PROJECT_TEXT not in html and "Collectif Zéphirin" not in html


def test_a_score_outside_0_to_5_or_a_missing_criterion_is_refused(officer, reviewer, in_review):
    assignment = services.reviewer_assign(acting_user=officer, application=in_review, reviewer=reviewer)
    services.conflict_declare(acting_user=reviewer, assignment=assignment, conflict=False)
    criteria = list(in_review.call.criteria.all())
    for scores in ({criteria[0].pk: 6, criteria[1].pk: 3}, {criteria[0].pk: 3}):
        with pytest.raises(Exception, match="from 0 to 5"):
            services.review_submit(acting_user=reviewer, assignment=assignment, scores=scores)
    assert not assignment.scores.exists()


def test_only_the_assigned_reviewer_declares_and_scores(officer, reviewer, second_reviewer, in_review):
    assignment = services.reviewer_assign(acting_user=officer, application=in_review, reviewer=reviewer)
    with pytest.raises(PermissionDenied):
        services.conflict_declare(acting_user=second_reviewer, assignment=assignment, conflict=False)


def test_blind_review_hides_the_applicant_from_reviewers_not_from_officers(mfa_client, officer, reviewer, applicant):
    blind = make_call(officer, code="aveugle", blind=True)
    application = into_review(officer, applicant, blind)
    services.reviewer_assign(acting_user=officer, application=application, reviewer=reviewer)
    client = mfa_client(reviewer)
    before = client.get(f"/en/grants/reviews/{application.pk}/").content.decode()
    assert "Collectif Zéphirin" not in before
    client.post(f"/en/grants/reviews/{application.pk}/", {"conflict": "no"})
    after = client.get(f"/en/grants/reviews/{application.pk}/").content.decode()
    assert PROJECT_TEXT in after and "Collectif Zéphirin" not in after
    officer_page = mfa_client(officer).get(f"/en/grants/staff/applications/{application.pk}/").content.decode()
    assert "Collectif Zéphirin" in officer_page


def test_averages_stay_hidden_until_every_review_is_in(mfa_client, officer, reviewer, second_reviewer, in_review):
    first = services.reviewer_assign(acting_user=officer, application=in_review, reviewer=reviewer)
    second = services.reviewer_assign(acting_user=officer, application=in_review, reviewer=second_reviewer)
    for person, assignment in ((reviewer, first), (second_reviewer, second)):
        services.conflict_declare(acting_user=person, assignment=assignment, conflict=False)
    services.review_submit(acting_user=reviewer, assignment=first, scores=_scores(in_review.call, 5))
    summary = selectors.review_summary(in_review, acting_user=officer)
    assert (summary.received, summary.expected, summary.average, summary.spread) == (1, 2, None, None)
    page = mfa_client(officer).get(f"/en/grants/staff/applications/{in_review.pk}/").content.decode()
    assert "review-average-hidden" in page and "5.00" not in page
    services.review_submit(acting_user=second_reviewer, assignment=second, scores=_scores(in_review.call, 2))
    summary = selectors.review_summary(in_review, acting_user=officer)
    assert str(summary.average) == "3.50"
    assert [str(v) for v in summary.spread] == ["2.00", "5.00"]
    # A reviewer never gets the averages, even once all are in.
    assert selectors.review_summary(in_review, acting_user=reviewer).average is None


def test_a_recused_reviewer_is_not_awaited(officer, reviewer, second_reviewer, in_review):
    first = services.reviewer_assign(acting_user=officer, application=in_review, reviewer=reviewer)
    second = services.reviewer_assign(acting_user=officer, application=in_review, reviewer=second_reviewer)
    services.conflict_declare(acting_user=reviewer, assignment=first, conflict=True)
    services.conflict_declare(acting_user=second_reviewer, assignment=second, conflict=False)
    services.review_submit(acting_user=second_reviewer, assignment=second, scores=_scores(in_review.call, 3))
    summary = selectors.review_summary(in_review, acting_user=officer)
    assert (summary.expected, summary.recused, str(summary.average)) == (1, 1, "3.00")


def test_a_reviewer_of_a_partner_organisation_cannot_be_assigned(officer, make_staff, in_review):
    partner = Organisation.objects.create(name="Partenaire (test)", kind="partner")
    outsider = make_staff("hors.ville", [], partner)
    outsider.groups.add(Group.objects.get(name="reviewer"))  # a row written by hand, past the holding rule
    with pytest.raises(Exception, match="not a reviewer"):
        services.reviewer_assign(acting_user=officer, application=in_review, reviewer=outsider)
