"""Writes of the impact app: prepare a release (computing and protecting its figures, spending the
privacy budget), approve it (a second person: it is published and frozen), discard a draft, set a
yearly budget. One action each (core/actions.py), authorised by accounts/policy.py.

The budget check and the spending are one transaction holding the budget row's lock: two
statisticians preparing at the same moment cannot both pass a check that only one of them fits.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sanspeur.accounts.policy import (
    is_command_line,
    may_approve_statistics_release,
    may_approve_testimony,
    may_discard_statistics_release,
    may_moderate_testimony,
    may_prepare_statistics_release,
    may_set_privacy_budget,
)
from sanspeur.core.actions import action
from sanspeur.core.locks import lock_rows
from sanspeur.core.services import audit_entry_create

from . import catalogue, disclosure, states
from .catalogue import NOISY, REPORTED, Indicator
from .models import CorrectionReason, PrivacyBudget, Release, Testimony

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


# --- Testimonies (docs/impact.md, "Testimonies") ----------------------------------------------------------
TESTIMONY_PURPOSE = "impact.testimony"  # the vault purpose of both keys of a testimony
TESTIMONY_CODENAME = "impact.testimony.codename"  # look-up ids and guess limits of their own
TESTIMONY_MAX_CHARS = 5000
TESTIMONY_LANGUAGES = ("fr", "en", "es", "ar", "ht")
UNMODERATED_DAYS = 90  # a testimony nobody redacted or refused by then is destroyed (daily job)


def testimony_context(testimony: Testimony, part: str) -> str:
    return f"impact.testimony:{testimony.pk}:{part}"


def _testimony_locked(testimony: Testimony) -> Testimony:
    return lock_rows(Testimony.objects.filter(pk=testimony.pk))[0]


def _clean_words(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError(_("Write your testimony."))
    if len(text) > TESTIMONY_MAX_CHARS:
        raise ValidationError(_("Your testimony is too long: keep it under 5,000 characters."))
    return text


def _destroy(testimony: Testimony, *parts: str) -> None:
    """Clear the sealed ``parts`` ("original", "text") and destroy their keys, in the caller's
    transaction: what they held can never be opened again, from any copy of the database."""
    from sanspeur.core import vault

    for part in parts:
        key = getattr(testimony, f"{part}_key")
        setattr(testimony, part, None)
        if key is not None and key.wrapped is not None:
            vault.datakey_shred(key)


@action("impact.testimony.submit", audited=False)
def testimony_submit(*, acting_user: User | None, text: str, author: str, language: str) -> Testimony:
    """A testimony offered with consent to publish it: the words sealed under a key of their own,
    the day, the language and the kind of author; a codename (on the returned object as
    ``codename``, to show once) to follow or withdraw it. No name, no contact, no address, no time."""
    from sanspeur.core import vault
    from sanspeur.protection import crypto

    text = _clean_words(text)
    if author not in Testimony.Author.values:
        raise ValidationError(_("Say who you are writing as."))
    if language not in TESTIMONY_LANGUAGES:
        language = "fr"
    codename = crypto.codename_generate(language)
    salt = secrets.token_bytes(16)
    verifier, _seed = crypto.codename_stretch(codename, salt)
    testimony = Testimony(
        language=language,
        author=author,
        received_on=timezone.localdate(),
        codename_lookup=crypto.codename_lookup(codename, TESTIMONY_CODENAME),
        codename_salt=salt,
        codename_verifier=verifier,
    )
    testimony.original_key = vault.datakey_create(purpose=TESTIMONY_PURPOSE)
    testimony.original = vault.seal_fields(
        testimony.original_key, {"text": text}, context=testimony_context(testimony, "original")
    )
    testimony.save(force_insert=True)
    testimony.codename = codename
    return testimony


def _month_checked(month: str, received_on: dt.date) -> str:
    try:
        year, number = (int(part) for part in (month or "").split("-"))
        first = dt.date(year, number, 1)
    except ValueError:
        raise ValidationError(_("Choose the month to show with the testimony.")) from None
    if first > received_on or first.year < received_on.year - 5:
        raise ValidationError(_("Choose the month to show with the testimony."))
    return f"{year:04d}-{number:02d}"


@action("impact.testimony.redact", policy=may_moderate_testimony)
def testimony_redact(*, acting_user: User | None, testimony: Testimony, text: str, month: str) -> Testimony:
    """Save the redacted text (sealed under the testimony's second key) and the month shown with
    it. A text that still holds a day-precise date is refused; the moderator who saves it becomes
    the one a different moderator must approve."""
    from sanspeur.core import vault

    from . import redaction

    testimony = _testimony_locked(testimony)
    previous = testimony.state
    testimony.state = states.TESTIMONY.check(testimony.state, "redact")
    text = _clean_words(text)
    if redaction.day_dates(text):
        raise ValidationError(_("A published testimony is dated to the month at most: take the days out."))
    testimony.month = _month_checked(month, testimony.received_on)
    if testimony.text_key is None:
        testimony.text_key = vault.datakey_create(purpose=TESTIMONY_PURPOSE)
    testimony.text = vault.seal_fields(testimony.text_key, {"text": text}, context=testimony_context(testimony, "text"))
    testimony.redacted_by, testimony.redacted_on = acting_user, timezone.localdate()
    testimony.approved_by = None
    testimony.save()
    audit_entry_create(
        acting_user=acting_user,
        action="impact.testimony.redact",
        target=testimony,
        detail={"from": previous, "to": testimony.state, "characters": len(text)},
    )
    return testimony


@action("impact.testimony.approve", policy=may_approve_testimony)
def testimony_approve(*, acting_user: User | None, testimony: Testimony) -> Testimony:
    """Publish the redacted text; the original words are destroyed in the same transaction."""
    from . import redaction

    locked = _testimony_locked(testimony)
    if locked.redacted_by_id != testimony.redacted_by_id:
        raise ValidationError(_("This testimony has changed since the page was shown."))
    previous = locked.state
    locked.state = states.TESTIMONY.check(locked.state, "approve")
    if redaction.day_dates(testimony_text(locked)):
        raise ValidationError(_("A published testimony is dated to the month at most: take the days out."))
    _destroy(locked, "original")
    locked.approved_by, locked.published_on = acting_user, timezone.localdate()
    locked.save()
    audit_entry_create(
        acting_user=acting_user,
        action="impact.testimony.approve",
        target=locked,
        detail={"from": previous, "to": locked.state},
    )
    return locked


@action("impact.testimony.refuse", policy=may_moderate_testimony)
def testimony_refuse(*, acting_user: User | None, testimony: Testimony) -> Testimony:
    """Not published: the original and any redacted text are destroyed."""
    testimony = _testimony_locked(testimony)
    previous = testimony.state
    testimony.state = states.TESTIMONY.check(testimony.state, "refuse")
    _destroy(testimony, "original", "text")
    testimony.closed_on = timezone.localdate()
    testimony.save()
    audit_entry_create(
        acting_user=acting_user,
        action="impact.testimony.refuse",
        target=testimony,
        detail={"from": previous, "to": testimony.state},
    )
    return testimony


@action("impact.testimony.withdraw", audited=False)
def testimony_withdraw(*, acting_user: User | None, testimony: Testimony) -> Testimony:
    """The author took their consent back (with the codename, checked by the caller): everything
    kept is destroyed and the text comes off the site. Not audited: an entry would date the
    author's visit; the testimony's own state says it was withdrawn, and on which day."""
    testimony = _testimony_locked(testimony)
    testimony.state = states.TESTIMONY.check(testimony.state, "withdraw")
    _destroy(testimony, "original", "text")
    testimony.closed_on = timezone.localdate()
    testimony.save()
    return testimony


def _command_line_or_job(acting_user, **_kwargs) -> bool:
    return is_command_line(acting_user)


@action("impact.testimony.expire", policy=_command_line_or_job)
def testimonies_expire(*, acting_user: User | None, today: dt.date | None = None) -> int:
    """Destroy the testimonies nobody redacted or refused within UNMODERATED_DAYS (the daily job):
    words are not kept waiting for ever. How many."""
    today = today or timezone.localdate()
    stale = lock_rows(
        Testimony.objects.filter(
            state__in=[states.RECEIVED, states.REDACTED],
            received_on__lt=today - dt.timedelta(days=UNMODERATED_DAYS),
        )  # no select_related: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join
    )
    for testimony in stale:
        testimony.state = states.REFUSED
        _destroy(testimony, "original", "text")
        testimony.closed_on = today
        testimony.save()
    audit_entry_create(acting_user=acting_user, action="impact.testimony.expire", detail={"count": len(stale)})
    return len(stale)


def testimony_text(testimony: Testimony) -> str:
    """The redacted text, or "" once destroyed."""
    from sanspeur.core import vault

    if testimony.text is None or testimony.text_key is None:
        return ""
    try:
        return vault.open_fields(testimony.text_key, testimony.text, context=testimony_context(testimony, "text"))[
            "text"
        ]
    except vault.ShreddedError:
        return ""
