"""Demo: a statistician and an approver, and a year of published releases — every indicator for
the last complete year, the quarters of this year that are over, and one correction (so that the
errata log has an entry). Computed from the other apps' demo data, protected like any release.
Idempotent: a release that exists is left alone (and the budget check would refuse a second)."""

from __future__ import annotations

from django.utils import timezone

STATISTICIAN = ("stats.demo", ["statistician"], "Stéphane Statistique")
APPROVER = ("stats.approver", ["statistics_approver"], "Aline Approbation")
MODERATOR = ("temoignages.demo", ["testimony_moderator"], "Tania Témoignage")
SECOND_MODERATOR = ("temoignages.second", ["testimony_moderator"], "Samir Second")

# (language, author, month of last year, words): published in the demo, in the five languages.
TESTIMONIES = [
    (
        "fr",
        "resident",
        3,
        "Pendant trois ans, je n'osais pas emmener ma fille chez le médecin. Avec la carte, la clinique "
        "m'a reçue sans me demander mes papiers. Je n'ai plus peur d'ouvrir la porte quand on frappe.",
    ),
    (
        "es",
        "relative",
        5,
        "Mi hermano trabaja de noche y nunca se atrevía a ir a la biblioteca. Ahora va con su tarjeta y "
        "estudia francés dos veces por semana.",
    ),
    (
        "ar",
        "resident",
        6,
        "كنت أخاف من كل موظف يسألني عن أوراقي. في العيادة المتنقلة لم يسألني أحد عن وضعي، وحصل أطفالي على اللقاحات.",
    ),
    (
        "ht",
        "resident",
        9,
        "Lontan mwen pa t konn ki kote pou m ale lè mwen te malad. Kounye a mwen gen kat la epi mwen "
        "konnen pèsonn p ap mande m papye mwen nan sèvis vil la.",
    ),
    (
        "en",
        "partner",
        11,
        "Since our food bank accepts the card, families who used to wait outside without coming in now "
        "register like everyone else. Nobody has to explain their situation to get help.",
    ),
]


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
    _testimonies(city, today, stdout)
    if print_logins:
        stdout.write("Impact (demo logins, same password; demo_totp):")
        for username, roles, _name in (STATISTICIAN, APPROVER, MODERATOR, SECOND_MODERATOR):
            stdout.write(f"{username:<20} {roles[0]:<24} {demo_totp_secret(username)}")


def _testimonies(city, today, stdout) -> None:
    """Five published testimonies (one per language), one waiting to be redacted and one waiting for
    the second moderator. Left alone once any testimony exists."""
    from sanspeur.accounts.demo import demo_staff_account

    from . import services
    from .models import Testimony

    moderator = demo_staff_account(*MODERATOR, city)
    second = demo_staff_account(*SECOND_MODERATOR, city)
    if Testimony.objects.exists():
        return
    for language, author, month, words in TESTIMONIES:
        testimony = services.testimony_submit(acting_user=None, text=words, author=author, language=language)
        testimony = services.testimony_redact(
            acting_user=moderator, testimony=testimony, text=words, month=f"{today.year - 1}-{month:02d}"
        )
        services.testimony_approve(acting_user=second, testimony=testimony)
    services.testimony_submit(
        acting_user=None,
        text="Je voulais dire merci à Madame Dupont de la clinique de Verdun, le 12 mars elle m'a beaucoup aidée.",
        author="resident",
        language="fr",
    )
    waiting = services.testimony_submit(
        acting_user=None,
        text="La carte m'a permis d'inscrire mon fils au camp de jour de mon quartier.",
        author="relative",
        language="fr",
    )
    services.testimony_redact(
        acting_user=moderator,
        testimony=waiting,
        text="La carte m'a permis d'inscrire mon fils au camp de jour de son quartier.",
        month=today.strftime("%Y-%m"),
    )
    stdout.write(f"impact: {len(TESTIMONIES)} testimonies published, 2 waiting for the moderators")
