"""Default document rules, New York–style: 3 identity points with a photo document and a
date-of-birth document, plus 1 residence point. Expired foreign passports and permits count."""

from django.db import migrations

# code, French, English, identity points, residence points, photo, date of birth
DEFAULTS = [
    ("passport", "Passeport (même expiré)", "Passport (expired accepted)", 3, 0, True, True),
    ("foreign-id", "Carte d'identité nationale étrangère (même expirée)", "Foreign national identity card (expired accepted)", 3, 0, True, True),
    ("consular-id", "Carte consulaire", "Consular identity card", 3, 0, True, True),
    ("permit", "Permis de travail ou d'études (même expiré)", "Work or study permit (expired accepted)", 2, 0, True, True),
    ("driver-licence", "Permis de conduire (Québec, autre province ou pays)", "Driver's licence (Québec, other province or country)", 2, 1, True, True),
    ("health-card", "Carte d'assurance maladie", "Health insurance card", 1, 0, True, True),
    ("birth-certificate", "Acte de naissance", "Birth certificate", 1, 0, False, True),
    ("school-record", "Dossier scolaire ou diplôme", "School record or diploma", 1, 0, False, True),
    ("medical-record", "Dossier médical ou carnet de vaccination", "Medical or vaccination record", 1, 0, False, True),
    ("lease", "Bail ou contrat de location", "Lease or rental agreement", 0, 1, False, False),
    ("utility-bill", "Facture de services (électricité, téléphone, internet)", "Utility bill (power, phone, internet)", 0, 1, False, False),
    ("bank-statement", "Relevé bancaire", "Bank statement", 0, 1, False, False),
    ("pay-stub", "Talon de paie", "Pay stub", 0, 1, False, False),
    ("shelter-letter", "Lettre d'un refuge ou d'un organisme partenaire", "Letter from a shelter or partner organisation", 0, 1, False, False),
    ("school-letter", "Lettre d'une école (pour la personne ou son enfant)", "Letter from a school (for the person or their child)", 0, 1, False, False),
]


def seed(apps, schema_editor):
    DocumentType = apps.get_model("cards", "DocumentType")
    CardRules = apps.get_model("cards", "CardRules")
    for order, (code, fr, en, identity, residence, photo, dob) in enumerate(DEFAULTS):
        DocumentType.objects.get_or_create(
            code=code,
            defaults={
                "name_fr": fr,
                "name_en": en,
                "identity_points": identity,
                "residence_points": residence,
                "shows_photo": photo,
                "shows_birth_date": dob,
                "order": (order + 1) * 10,
            },
        )
    if not CardRules.objects.exists():
        CardRules.objects.create()


class Migration(migrations.Migration):
    dependencies = [("cards", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
