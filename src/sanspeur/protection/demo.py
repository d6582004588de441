"""Demo: the unit key (passphrase from SANSPEUR_PROTECTION_DEMO_PASSPHRASE) and one fictional report."""

import os

from .models import Case, UnitKey

DEMO_PASSPHRASE = "demo-unite-protection-2026"  # noqa: S105 - fictional demo only
DEMO_TEXT = "Démo : mon employeur ne m'a pas payé les trois dernières semaines (histoire fictive)."


def load(*, stdout, print_logins: bool = True) -> None:
    from . import services

    passphrase = os.environ.get("SANSPEUR_PROTECTION_DEMO_PASSPHRASE", DEMO_PASSPHRASE)
    if not UnitKey.objects.filter(active=True).exists():
        services.unit_key_create(acting_user=None, passphrase=passphrase)
    if not Case.objects.exists():
        _case, codename = services.report_submit(
            acting_user=None,
            content={"category": "work", "role": "victim", "text": DEMO_TEXT, "contact": "none", "borough": "Verdun"},
            category="work",
            attachments=[],
            language="fr",
        )
        if print_logins:
            stdout.write(f"Protection demo report codename: {codename}")
    if print_logins:
        stdout.write(f"Protection unit passphrase (demo): {passphrase}")
