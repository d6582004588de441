"""Demo: the police (regions and neighbourhood stations), city services (boroughs, libraries,
sports centres) and partner organisations, with realistic headcounts and partial coverage of the
course on access without fear; one unit manager; the published outcome series; a session today.
Idempotent: nothing is added when units exist. Names are fictional."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

COURSE = "acces-sans-peur"
MANAGER = ("manager.pdq38", ["training_unit_manager"], "Mireille Gestion")

# code, French name, English name, kind, parent code, headcount (None: a grouping), share trained
UNITS = [
    ("SPVM", "Service de police (SPVM)", "Police service (SPVM)", "police", None, None, 0),
    ("SPVM-SUD", "Région Sud", "South region", "police", "SPVM", None, 0),
    ("SPVM-PDQ15", "Poste de quartier 15", "Neighbourhood station 15", "police", "SPVM-SUD", 96, 0.82),
    ("SPVM-PDQ26", "Poste de quartier 26", "Neighbourhood station 26", "police", "SPVM-SUD", 118, 0.64),
    ("SPVM-NORD", "Région Nord", "North region", "police", "SPVM", None, 0),
    ("SPVM-PDQ30", "Poste de quartier 30", "Neighbourhood station 30", "police", "SPVM-NORD", 104, 0.47),
    ("SPVM-PDQ38", "Poste de quartier 38", "Neighbourhood station 38", "police", "SPVM-NORD", 87, 0.91),
    ("VILLE", "Services de la Ville", "City services", "city_service", None, None, 0),
    (
        "VILLE-CDN",
        "Arrondissement Côte-des-Neiges–NDG",
        "Côte-des-Neiges–NDG borough",
        "city_service",
        "VILLE",
        12,
        0.5,
    ),
    ("VILLE-CDN-BIB", "Bibliothèque Côte-des-Neiges", "Côte-des-Neiges library", "city_service", "VILLE-CDN", 34, 0.56),
    (
        "VILLE-CDN-SPORT",
        "Centre sportif Côte-des-Neiges",
        "Côte-des-Neiges sports centre",
        "city_service",
        "VILLE-CDN",
        27,
        0.3,
    ),
    (
        "VILLE-VSP",
        "Arrondissement Villeray–Saint-Michel",
        "Villeray–Saint-Michel borough",
        "city_service",
        "VILLE",
        9,
        0.7,
    ),
    ("VILLE-VSP-BIB", "Bibliothèque de Saint-Michel", "Saint-Michel library", "city_service", "VILLE-VSP", 22, 0.73),
    ("PARTENAIRES", "Organismes partenaires", "Partner organisations", "partner", None, None, 0),
    (
        "PART-CDN",
        "Centre communautaire Côte-des-Neiges (fictif)",
        "Côte-des-Neiges community centre (fictional)",
        "partner",
        "PARTENAIRES",
        18,
        0.78,
    ),
    (
        "PART-STM",
        "Maison d'accueil Saint-Michel (fictive)",
        "Saint-Michel welcome house (fictional)",
        "partner",
        "PARTENAIRES",
        8,
        0.5,
    ),
]

REQUIREMENTS = [("SPVM", 24, 30, 95), ("VILLE", 24, 60, 90), ("PARTENAIRES", 36, 90, 80)]

# Published counts of SPVM status checks with the border agency (figures cited in issue 20).
OUTCOMES = [("2017", 3608), ("2020", 2015), ("2021", 945), ("2023", 1061)]

FIRST = ["Alexis", "Camille", "Dominique", "Frédérique", "Jean", "Karim", "Laurence", "Maxime", "Nour", "Sacha"]
LAST = ["Bélanger", "Côté", "Diallo", "Gagnon", "Joseph", "Lavoie", "Nguyen", "Pierre", "Roy", "Tremblay"]


def _manager(organisation):
    from sanspeur.accounts.demo import demo_staff_account, demo_totp_secret

    username, roles, full_name = MANAGER
    return demo_staff_account(username, roles, full_name, organisation), demo_totp_secret(username)


# A fictional one-page PDF standing for the scan of a signed attendance sheet.
DEMO_SHEET = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def load(*, stdout, print_logins: bool = True) -> None:
    from sanspeur.accounts.models import Organisation, User
    from sanspeur.core import vault

    from . import services
    from .models import Completion, Headcount, Person, Unit

    city = Organisation.objects.filter(kind="city").order_by("pk").first()
    manager, secret = _manager(city)
    if not Unit.objects.exists():
        coordinator = User.objects.filter(username="training").first()
        today = timezone.localdate()
        units: dict[str, Unit] = {}
        for code, name_fr, name_en, kind, parent, _headcount, _share in UNITS:
            units[code] = services.unit_create(
                acting_user=coordinator,
                code=code,
                name_fr=name_fr,
                name_en=name_en,
                kind=kind,
                parent=units.get(parent),
            )
        period = today.replace(day=1)
        Headcount.objects.bulk_create(
            [
                Headcount(unit=units[code], period=period, headcount=headcount)
                for code, *_names, _kind, _parent, headcount, _share in UNITS
                if headcount
            ]
        )
        course = services.course_create(
            acting_user=coordinator,
            code=COURSE,
            title_fr="Accès aux services sans peur",
            title_en="Access to services without fear",
            description_fr="Ce que la politique demande, et ce qu'elle interdit : ne jamais demander le statut, "
            "ne jamais le transmettre. Trois scénarios au comptoir et en patrouille.",
            description_en="What the policy asks, and what it forbids: never ask about status, never pass it on. "
            "Three scenarios at a counter and on patrol.",
            modes=["in_person", "roll_call", "elearning"],
            elearning_url="https://formation.example.org/acces-sans-peur",
            pass_mark=80,
        )
        for code, months, grace, target in REQUIREMENTS:
            services.requirement_set(
                acting_user=coordinator,
                unit=units[code],
                course=course,
                refresh_months=months,
                grace_days=grace,
                target_percent=target,
            )
        version = course.current
        rng = random.Random(20)  # noqa: S311 - fictional data, the same at every run
        number = 1000
        numbers_of: dict[str, list[str]] = {}  # the demo's employee numbers, by unit
        for code, *_names, _kind, _parent, headcount, share in UNITS:
            if not headcount:
                continue
            unit = units[code]
            months = 36 if unit.kind == "partner" else 24
            trained, overdue = round(headcount * share), max(1, round(headcount * 0.06))
            for index in range(trained + overdue):
                number += 1
                numbers_of.setdefault(code, []).append(f"E{number}")
                person = Person.objects.create(
                    unit=unit,
                    data_key=vault.datakey_create(purpose=services.PERSON_PURPOSE),
                    employee_index=services.employee_index(f"E{number}"),
                    created_on=today,
                )
                person.sealed = vault.seal_fields(
                    person.data_key,
                    {"name": f"{rng.choice(FIRST)} {rng.choice(LAST)}"},
                    context=services.person_context(person),
                )
                person.save(update_fields=["sealed"])
                if index < trained:  # trained within the refresh interval, some close to its end
                    completed_on = today - dt.timedelta(days=rng.randint(10, months * 30 - 15))
                    valid_until = services.add_months(completed_on, months)
                    Completion.objects.create(
                        person=person,
                        course=course,
                        version=version,
                        state="completed",
                        assigned_on=completed_on,
                        completed_on=completed_on,
                        valid_until=valid_until,
                        due_on=valid_until + dt.timedelta(days=30),
                    )
                else:  # assigned long ago, never trained: overdue
                    assigned_on = today - dt.timedelta(days=rng.randint(120, 400))
                    Completion.objects.create(
                        person=person,
                        course=course,
                        state="assigned",
                        assigned_on=assigned_on,
                        due_on=assigned_on + dt.timedelta(days=30),
                    )
        services.completion_age(acting_user=None, today=today)
        for label, count in OUTCOMES:
            services.outcome_record(
                acting_user=coordinator,
                unit=units["SPVM"],
                period_label=label,
                period_start=dt.date(int(label), 1, 1),
                count=count,
                source="SPVM — chiffres publiés (saisie de démonstration)",
            )
        services.unit_manager_add(acting_user=coordinator, unit=units["SPVM-PDQ38"], user=manager)
        start = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
        session = services.session_create(
            acting_user=coordinator,
            version=version,
            starts_at=start,
            place="Poste de quartier 38, salle 2",
            trainer=coordinator,
            capacity=30,
            language="fr",
        )
        # This month's coverage as the daily job keeps it, and eleven earlier months for the trend
        # (demo figures: coverage that grew as the programme reached the stations).
        services.coverage_snapshot(acting_user=None, today=today)
        from .models import CoverageSnapshot

        current = list(CoverageSnapshot.objects.filter(month=today.replace(day=1)))
        earlier = []
        month = today.replace(day=1)
        for back in range(1, 12):
            month = (month - dt.timedelta(days=1)).replace(day=1)
            factor = max(0.35, 1 - 0.055 * back)
            for row in current:
                earlier.append(
                    CoverageSnapshot(
                        unit_id=row.unit_id,
                        course_id=row.course_id,
                        month=month,
                        expected=row.expected,
                        covered=round(row.covered * factor),
                        target=row.target,
                    )
                )
        CoverageSnapshot.objects.bulk_create(earlier, ignore_conflicts=True)
        # A session held last month at station 15 without the code: its signed sheet (a fictional scan).
        held = services.session_create(
            acting_user=coordinator,
            version=version,
            starts_at=start - dt.timedelta(days=30),
            place="Poste de quartier 15, salle du conseil",
            trainer=coordinator,
            capacity=20,
            language="fr",
        )
        signed = numbers_of.get("SPVM-PDQ15", [])[:3]
        if signed:
            services.attendance_sheet_record(
                acting_user=coordinator, session=held, data=DEMO_SHEET, employee_numbers=signed
            )
        # The people of station 38 who need the course are registered for it (the trainer's list).
        from . import selectors

        people, _unknown = selectors.people_to_register(unit=units["SPVM-PDQ38"], numbers=[], course_id=course.pk)
        services.session_register(acting_user=coordinator, session=session, people=people[: session.capacity])
    if print_logins:
        stdout.write("Training (demo login, same password and demo_totp as above; employee numbers E1001…):")
        stdout.write(f"{MANAGER[0]:<20} {MANAGER[1][0]:<24} {secret}")
