"""The release pipeline: two people, the yearly budget, frozen releases and logged corrections."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sanspeur.core.models import AuditEntry
from sanspeur.core.transitions import InvalidTransition
from sanspeur.impact import disclosure, selectors, services
from sanspeur.impact.models import FrozenRelease, PrivacyBudget, Release

pytestmark = pytest.mark.django_db


def test_a_release_records_its_parameters_and_two_approvers(figures, statistician, approver):
    figures["people"][""] = 1234
    draft = services.release_prepare(acting_user=statistician, indicator="test_people", period="2025-Q1")
    assert draft.state == "draft" and selectors.release_by_slug(draft.slug) is None  # not public yet
    release = services.release_approve(acting_user=approver, release=draft)
    release.refresh_from_db()
    assert release.state == "published"
    assert (release.prepared_by, release.approved_by) == (statistician, approver)
    assert release.prepared_on and release.approved_on
    assert release.epsilon == Decimal("0.250") and release.scale == Decimal("4.0000")
    assert release.mechanism.startswith("discrete Laplace (OpenDP")
    assert release.interval == disclosure.noise_half_width(4.0) + 4
    [cell] = release.cells
    assert cell["value"] % 5 == 0 and abs(cell["value"] - 1234) < 100
    assert selectors.release_by_slug("test-people-2025-q1-v1") == release
    actions = list(
        AuditEntry.objects.filter(action__startswith="impact.").order_by("id").values_list("action", flat=True)
    )
    assert actions == ["impact.release.prepare", "impact.release.approve"]


def test_the_exact_count_is_never_stored(figures, statistician):
    figures["people"][""] = 987_654
    release = services.release_prepare(acting_user=statistician, indicator="test_people", period="2025")
    stored = repr(Release.objects.filter(pk=release.pk).values().get()) + repr(
        list(AuditEntry.objects.values_list("detail", flat=True))
    )
    if release.cells[0]["value"] != 987_654:
        assert "987654" not in stored


def test_the_preparer_cannot_approve_their_own_release(figures, make_staff, city_organisation):
    both = make_staff("solo.stats", ["statistician", "statistics_approver"], city_organisation)
    figures["people"][""] = 50
    draft = services.release_prepare(acting_user=both, indicator="test_people", period="2025-Q1")
    with pytest.raises(PermissionDenied):
        services.release_approve(acting_user=both, release=draft)
    draft.refresh_from_db()
    assert draft.state == "draft"


def test_a_statistician_alone_cannot_approve_and_an_approver_cannot_prepare(figures, statistician, approver):
    figures["people"][""] = 50
    with pytest.raises(PermissionDenied):
        services.release_prepare(acting_user=approver, indicator="test_people", period="2025-Q1")
    draft = services.release_prepare(acting_user=statistician, indicator="test_people", period="2025-Q1")
    with pytest.raises(PermissionDenied):
        services.release_approve(acting_user=statistician, release=draft)


def test_a_partner_account_never_holds_the_statistics_roles(make_staff, organisation):
    for role in ("statistician", "statistics_approver"):
        with pytest.raises(ValidationError):
            make_staff(f"partner.{role}", [role], organisation)


# --- The budget ----------------------------------------------------------------------------------------
def test_a_release_past_the_yearly_budget_is_refused_and_writes_nothing(figures, statistician, approver):
    services.budget_set(acting_user=approver, privacy_unit="person", year=2025, epsilon=Decimal("0.6"))
    figures["people"][""] = 500
    services.release_prepare(acting_user=statistician, indicator="test_people", period="2025-Q1")
    second = services.release_prepare(acting_user=statistician, indicator="test_people", period="2025-Q2")
    services.release_discard(acting_user=approver, release=second)  # a discarded draft's ε is spent all the same
    before = (Release.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError, match="budget"):
        services.release_prepare(acting_user=statistician, indicator="test_people", period="2025-Q3")
    assert (Release.objects.count(), AuditEntry.objects.count()) == before
    assert services.spent("person", 2025) == Decimal("0.5")
    # Another year has its own budget; exact indicators spend none.
    services.release_prepare(acting_user=statistician, indicator="test_people", period="2024-Q3")


def test_the_default_budget_bounds_a_year_of_releases(figures, statistician, approver):
    figures["people"][""] = 500
    for quarter in range(1, 5):
        services.release_prepare(acting_user=statistician, indicator="test_people", period=f"2025-Q{quarter}")
    services.release_prepare(acting_user=statistician, indicator="test_people", period="2025")  # 1.5
    figures["boroughs"].update({"Verdun": 40, "Anjou": 60})
    services.release_prepare(acting_user=statistician, indicator="test_boroughs", period="2025")  # 2.0
    assert services.spent("person", 2025) == PrivacyBudget.objects.get(privacy_unit="person", year=2025).epsilon
    with pytest.raises(ValidationError):
        services.budget_set(acting_user=approver, privacy_unit="person", year=2025, epsilon=Decimal("1"))


def test_a_budget_is_never_set_below_what_is_spent(figures, statistician, approver):
    figures["people"][""] = 500
    services.release_prepare(acting_user=statistician, indicator="test_people", period="2025")
    with pytest.raises(ValidationError):
        services.budget_set(acting_user=approver, privacy_unit="person", year=2025, epsilon=Decimal("0.4"))
    with pytest.raises(PermissionDenied):
        services.budget_set(acting_user=statistician, privacy_unit="person", year=2025, epsilon=Decimal("5"))


# --- Frozen releases and corrections -----------------------------------------------------------------------
def test_a_published_release_is_frozen(figures, publish):
    figures["people"][""] = 500
    release = publish("test_people", "2025")
    published = list(release.cells)
    release.cells = [{"area": "", "value": 1, "status": "published"}]
    with pytest.raises(FrozenRelease):
        release.save()
    with pytest.raises(FrozenRelease):
        Release.objects.filter(pk=release.pk).update(total=3)
    with pytest.raises(FrozenRelease):
        Release.objects.filter(pk=release.pk).delete()
    with pytest.raises(FrozenRelease):
        Release.objects.get(pk=release.pk).delete()
    figures["people"][""] = 9_000  # the source moves on: the published figure does not
    assert selectors.release_by_slug(release.slug).cells == published


def test_a_release_is_approved_once(figures, publish, approver):
    figures["people"][""] = 500
    release = publish("test_people", "2025")
    with pytest.raises(InvalidTransition):
        services.release_approve(acting_user=approver, release=release)


def test_the_same_figures_are_never_prepared_twice(figures, statistician, publish):
    figures["people"][""] = 500
    release = publish("test_people", "2025")
    with pytest.raises(ValidationError):
        services.release_prepare(acting_user=statistician, indicator="test_people", period="2025")
    with pytest.raises(ValidationError):
        services.release_prepare(
            acting_user=statistician, indicator="test_people", period="2025", corrects=release, reason="nonsense"
        )


def test_a_correction_is_a_new_logged_release_and_the_old_one_stays(figures, statistician, approver, publish):
    figures["people"][""] = 500
    first = publish("test_people", "2025")
    first_cells = list(first.cells)
    figures["people"][""] = 640
    correction = services.release_prepare(
        acting_user=statistician, indicator="test_people", period="2025", corrects=first, reason="late_data"
    )
    services.release_approve(acting_user=approver, release=correction)
    first.refresh_from_db()
    assert first.cells == first_cells and first.state == "published"
    assert correction.version == 2 and correction.slug == "test-people-2025-v2"
    assert selectors.is_superseded(first) and not selectors.is_superseded(correction)
    assert selectors.errata() == [correction]
    current = selectors.current(selectors.published().filter(indicator="test_people"))
    assert current == [correction]
    # Only the latest version can be corrected.
    with pytest.raises(ValidationError):
        services.release_prepare(
            acting_user=statistician, indicator="test_people", period="2025", corrects=first, reason="late_data"
        )


@pytest.mark.parametrize(
    "indicator, period",
    [
        ("nope", "2025"),
        ("test_people", "2025-Q5"),
        ("test_people", "25"),
        ("test_boroughs", "2025-Q1"),
        ("test_people", "2099"),
    ],
)
def test_bad_requests_are_refused_with_a_message(figures, statistician, indicator, period):
    with pytest.raises(ValidationError):
        services.release_prepare(acting_user=statistician, indicator=indicator, period=period)
    assert not Release.objects.exists()


def test_a_grantee_reported_aggregate_is_rounded_and_suppressed_without_noise(figures, publish):
    figures["grantee"].update({"Verdun": 3, "Anjou": 40, "Lachine": 52, "Outremont": 18})
    release = publish("test_grantee", "2025")
    assert release.epsilon == 0 and release.scale is None and release.mechanism == ""
    values = {cell["area"]: cell for cell in release.cells if cell["area"] in figures["grantee"]}
    assert values["Verdun"]["value"] is None and values["Verdun"]["status"] == "primary"
    assert values["Anjou"]["value"] in (40,) and values["Lachine"]["value"] in (50, 55)
    assert len(release.cells) == 19


def test_the_calendar_lists_what_is_due(figures, statistician):
    import datetime as dt

    from sanspeur.impact import selectors as impact_selectors

    today = dt.date(2026, 4, 2)
    due = impact_selectors.releases_due(today=today)
    assert ("test_people", "2026-Q1") in due and ("test_people", "2025") in due
    assert ("test_people", "2026-Q2") not in due and ("test_people", "2026") not in due
    figures["people"][""] = 50
    services.release_prepare(acting_user=statistician, indicator="test_people", period="2026-Q1")
    assert ("test_people", "2026-Q1") not in impact_selectors.releases_due(today=today)


def test_after_a_discarded_draft_the_figures_can_be_prepared_again(figures, statistician, approver):
    figures["people"][""] = 500
    first = services.release_prepare(acting_user=statistician, indicator="test_people", period="2025")
    services.release_discard(acting_user=approver, release=first)
    again = services.release_prepare(acting_user=statistician, indicator="test_people", period="2025")
    assert (first.slug, again.slug) == ("test-people-2025-v1", "test-people-2025-v2")
    assert again.corrects is None and services.spent("person", 2025) == Decimal("1.0")
