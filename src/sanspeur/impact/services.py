"""Writes of the impact app: prepare a release (computing and protecting its figures, spending the
privacy budget), approve it (a second person: it is published and frozen), discard a draft, set a
yearly budget. One action each (core/actions.py), authorised by accounts/policy.py.

The budget check and the spending are one transaction holding the budget row's lock: two
statisticians preparing at the same moment cannot both pass a check that only one of them fits.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sanspeur.accounts.policy import (
    may_approve_statistics_release,
    may_discard_statistics_release,
    may_prepare_statistics_release,
    may_set_privacy_budget,
)
from sanspeur.core.actions import action
from sanspeur.core.locks import lock_rows
from sanspeur.core.services import audit_entry_create

from . import catalogue, disclosure, states
from .catalogue import NOISY, REPORTED, Indicator
from .models import CorrectionReason, PrivacyBudget, Release

if TYPE_CHECKING:
    from sanspeur.accounts.models import User

EPSILON_PLACES = Decimal("0.001")


def _budget_row(privacy_unit: str, year: int) -> PrivacyBudget:
    default = Decimal(str(catalogue.PRIVACY_UNITS[privacy_unit][1])).quantize(EPSILON_PLACES)
    PrivacyBudget.objects.get_or_create(privacy_unit=privacy_unit, year=year, defaults={"epsilon": default})
    return lock_rows(PrivacyBudget.objects.filter(privacy_unit=privacy_unit, year=year))[0]


def spent(privacy_unit: str, year: int) -> Decimal:
    """ε already spent: every release ever prepared (a discarded draft's noise was seen too)."""
    total = Release.objects.filter(privacy_unit=privacy_unit, year=year).aggregate(s=Sum("epsilon"))["s"]
    return Decimal(total or 0)


def _cells(indicator: Indicator, counts: dict[str, int | None], *, scale: float | None) -> dict[str, int | None]:
    protected: dict[str, int | None] = {}
    for area, value in counts.items():
        if value is None:
            protected[area] = None
            continue
        if indicator.method == NOISY and scale is not None:
            value = disclosure.noisy(value, scale=scale)
        if indicator.method in (NOISY, REPORTED):
            value = disclosure.clamp(value, upper=indicator.upper)
            value = disclosure.random_round(value, indicator.base)
        protected[area] = value
    return protected


def _areas_in_order(indicator: Indicator, counts: dict[str, int | None]) -> list[str]:
    declared = indicator.areas()
    if set(counts) <= set(declared):
        return [area for area in declared if area in counts]
    return sorted(counts)


@action("impact.release.prepare", policy=may_prepare_statistics_release)
def release_prepare(
    *,
    acting_user: User | None,
    indicator: str,
    period: str,
    corrects: Release | None = None,
    reason: str = "",
) -> Release:
    """Compute, protect and record the figures of ``indicator`` for ``period`` as a draft.

    Refused (ValidationError, nothing written, no budget spent): an unknown indicator or period, a
    period the indicator is not published for or not over yet, a second release of the same figures
    (other than a correction of the latest published one), or ε past the year's budget.
    """
    found = catalogue.get(indicator)
    parsed = catalogue.parse_period(period)
    if found is None:
        raise ValidationError(_("Choose an indicator from the catalogue."))
    if parsed is None:
        raise ValidationError(_("Enter a period as a year (2026) or a quarter (2026-Q1)."))
    kind, year, first, last = parsed
    if kind not in found.periods:
        raise ValidationError(_("This indicator is not published for this kind of period."))
    if last >= timezone.localdate():
        raise ValidationError(_("A period is released once it is over."))
    existing = Release.objects.filter(indicator=indicator, period=period).exclude(state=states.DISCARDED)
    keep: frozenset[str] = frozenset()
    # Versions count discarded drafts too: their numbers (and addresses) are never reused.
    version = Release.objects.filter(indicator=indicator, period=period).count() + 1
    if corrects is None:
        if existing.exists():
            raise ValidationError(_("These figures already have a release: prepare a correction of it instead."))
        if reason:
            raise ValidationError(_("A reason is given for a correction only."))
    else:
        latest = existing.order_by("-version").first()
        if corrects.state != states.PUBLISHED or latest is None or latest.pk != corrects.pk:
            raise ValidationError(_("Only the latest published release of these figures can be corrected."))
        if corrects.indicator != indicator or corrects.period != period:
            raise ValidationError(_("A correction is for the same indicator and period."))
        if reason not in CorrectionReason.values:
            raise ValidationError(_("Choose the reason for the correction."))
        # Every cell any earlier version withheld stays withheld (differencing across versions).
        for earlier in Release.objects.filter(indicator=indicator, period=period, state=states.PUBLISHED):
            keep |= {cell["area"] for cell in earlier.cells if cell["status"] in disclosure.SUPPRESSED}

    epsilon = Decimal(str(found.epsilon_for(kind))).quantize(EPSILON_PLACES)
    scale = None
    if found.method == NOISY:
        budget = _budget_row(found.privacy_unit, year)
        already = spent(found.privacy_unit, year)
        if already + epsilon > budget.epsilon:
            raise ValidationError(
                _("This release would spend ε %(epsilon)s and only %(left)s is left of the year's budget.")
                % {"epsilon": epsilon, "left": max(budget.epsilon - already, Decimal(0))}
            )
        scale = disclosure.scale_for(epsilon=float(epsilon), sensitivity=found.sensitivity)

    counts = found.count(first, last)
    if found.geography == catalogue.BOROUGH:
        unknown = set(counts) - set(found.areas())
        if unknown:
            raise ValueError(f"{indicator}: areas that are not boroughs: {sorted(unknown)}")
        counts = {area: counts.get(area, 0) for area in found.areas()}  # a borough with nothing counts 0
    protected = _cells(found, counts, scale=scale)
    if found.method == catalogue.EXACT:
        table = disclosure.exact_table(protected, with_total=found.with_total)
    else:
        table = disclosure.suppress(
            protected, threshold=found.threshold, with_total=found.with_total, keep_suppressed=keep
        )
        if (
            corrects is not None
            and table.total_status
            and any(status in disclosure.SUPPRESSED for status in table.status.values())
        ):
            # The difference of two versions' totals would give the change of the withheld cells
            # (a single corrected cell exactly): a correction with withheld cells has no total.
            table = disclosure.Table(table.values, table.status, None, disclosure.SECONDARY)
    cells = [
        {"area": area, "value": table.values[area], "status": table.status[area]}
        for area in _areas_in_order(found, protected)
    ]
    slug = f"{indicator.replace('_', '-')}-{period.lower()}-v{version}"
    release = Release.objects.create(
        slug=slug,
        indicator=indicator,
        period=period,
        year=year,
        geography=found.geography,
        method=found.method,
        privacy_unit=found.privacy_unit,
        mechanism=disclosure.mechanism_name() if scale else "",
        sensitivity=found.sensitivity,
        scale=Decimal(str(round(scale, 4))) if scale else None,
        epsilon=epsilon,
        interval=disclosure.interval(scale, found.base if found.method != catalogue.EXACT else 1),
        threshold=found.threshold if found.method != catalogue.EXACT else 0,
        base=found.base if found.method != catalogue.EXACT else 1,
        cells=cells,
        total=table.total,
        total_status=table.total_status,
        version=version,
        corrects=corrects,
        reason=reason,
        prepared_by=acting_user,
        prepared_on=timezone.localdate(),
    )
    audit_entry_create(
        acting_user=acting_user,
        action="impact.release.prepare",
        target=release,
        detail={"indicator": indicator, "period": period, "epsilon": str(epsilon), "version": version},
    )
    return release


def _locked(release: Release) -> Release:
    rows = lock_rows(Release.objects.filter(pk=release.pk))
    if not rows:
        raise Release.DoesNotExist(release.pk)
    return rows[0]


@action("impact.release.approve", policy=may_approve_statistics_release)
def release_approve(*, acting_user: User | None, release: Release) -> Release:
    """The second person's approval publishes the release; from then on it never changes."""
    release = _locked(release)
    release.state = states.RELEASE.check(release.state, "approve")
    if release.prepared_by_id == getattr(acting_user, "pk", None):
        raise ValidationError(_("A release is approved by someone other than the person who prepared it."))
    release.approved_by = acting_user
    release.approved_on = timezone.localdate()
    release.save()
    audit_entry_create(
        acting_user=acting_user,
        action="impact.release.approve",
        target=release,
        detail={"indicator": release.indicator, "period": release.period, "version": release.version},
    )
    return release


@action("impact.release.discard", policy=may_discard_statistics_release)
def release_discard(*, acting_user: User | None, release: Release) -> Release:
    release = _locked(release)
    release.state = states.RELEASE.check(release.state, "discard")
    release.save(update_fields=["state"])
    audit_entry_create(
        acting_user=acting_user,
        action="impact.release.discard",
        target=release,
        detail={"indicator": release.indicator, "period": release.period, "epsilon": str(release.epsilon)},
    )
    return release


@action("impact.budget.set", policy=may_set_privacy_budget)
def budget_set(*, acting_user: User | None, privacy_unit: str, year: int, epsilon: Decimal) -> PrivacyBudget:
    """Set a year's budget; never below what is already spent, never above 10."""
    if privacy_unit not in catalogue.PRIVACY_UNITS:
        raise ValidationError(_("Choose a privacy unit."))
    epsilon = Decimal(epsilon).quantize(EPSILON_PLACES)
    budget = _budget_row(privacy_unit, year)
    if epsilon < spent(privacy_unit, year) or epsilon < 0 or epsilon > 10:
        raise ValidationError(_("A budget is between what is already spent and 10."))
    old = budget.epsilon
    budget.epsilon = epsilon
    budget.save(update_fields=["epsilon"])
    audit_entry_create(
        acting_user=acting_user,
        action="impact.budget.set",
        target=budget,
        detail={"privacy_unit": privacy_unit, "year": year, "old": str(old), "new": str(epsilon)},
    )
    return budget
