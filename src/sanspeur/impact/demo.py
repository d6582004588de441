"""Demo: a statistician and an approver, and a year of published releases — every indicator for
the last complete year, the quarters of this year that are over, and one correction (so that the
errata log has an entry). Computed from the other apps' demo data, protected like any release.
Idempotent: a release that exists is left alone (and the budget check would refuse a second)."""

from __future__ import annotations

from django.utils import timezone

STATISTICIAN = ("stats.demo", ["statistician"], "Stéphane Statistique")
APPROVER = ("stats.approver", ["statistics_approver"], "Aline Approbation")


def load(*, stdout, print_logins: bool = True) -> None:
    from sanspeur.accounts.demo import demo_staff_account, demo_totp_secret
    from sanspeur.accounts.models import Organisation

    from . import catalogue, services, states
    from .models import CorrectionReason, Release

    city = Organisation.objects.filter(kind="city").order_by("pk").first()
    if city is None:
        stdout.write("impact: the city's organisation is missing, skipped")
        return
    statistician = demo_staff_account(*STATISTICIAN, city)
    approver = demo_staff_account(*APPROVER, city)
    today = timezone.localdate()
    wanted = []
    for indicator in catalogue.indicators():
        for kind in indicator.periods:
            for period in catalogue.periods_of(today.year - 1, kind):
                wanted.append((indicator.code, period))
        if catalogue.QUARTER in indicator.periods:
            for period in catalogue.periods_of(today.year, catalogue.QUARTER):
                if catalogue.parse_period(period)[3] < today:
                    wanted.append((indicator.code, period))
    published = 0
    for code, period in wanted:
        if Release.objects.filter(indicator=code, period=period).exists():
            continue
        release = services.release_prepare(acting_user=statistician, indicator=code, period=period)
        services.release_approve(acting_user=approver, release=release)
        published += 1
    # One correction, for the errata log: the directory's count prepared again (an exact figure).
    first = Release.objects.filter(
        indicator="directory_services", period=str(today.year - 1), version=1, state=states.PUBLISHED
    ).first()
    if first is not None and not Release.objects.filter(corrects=first).exists():
        correction = services.release_prepare(
            acting_user=statistician,
            indicator=first.indicator,
            period=first.period,
            corrects=first,
            reason=CorrectionReason.LATE_DATA,
        )
        services.release_approve(acting_user=approver, release=correction)
        published += 1
    stdout.write(f"impact: {published} release(s) published")
    if print_logins:
        stdout.write("Impact (demo logins, same password; demo_totp):")
        for username, roles, _name in (STATISTICIAN, APPROVER):
            stdout.write(f"{username:<20} {roles[0]:<24} {demo_totp_secret(username)}")
