"""Demo: the 2024–2026 call "Montréal pour toutes et tous, sans égard au statut" (CAD 1.9 M),
decided — nine funded projects totalling CAD 1 875 000, one declined, one on the waiting list,
each with its agreement's reports and payments (first-year reports accepted, submitted, sent back
for changes or not yet received) — and an open call with one draft application. Every step goes
through the services, as the command line (or as the demo's reviewers for their own declarations
and scores). Idempotent: nothing is added when the first call exists. Organisations and people are fictional."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from sanspeur.accounts.demo import demo_staff_account
from sanspeur.accounts.models import Organisation

from . import services

CALL_CODE = "montreal-pour-tous-2024"
OPEN_CODE = "acces-sans-peur-2027"

ELIGIBILITY = [
    {
        "code": "nonprofit",
        "fr": "Organisme à but non lucratif enregistré, ou coalition menée par un tel organisme",
        "en": "Registered non-profit, or a coalition led by one",
    },
    {"code": "territory", "fr": "Activités sur le territoire de Montréal", "en": "Activities on Montréal's territory"},
    {
        "code": "no_status",
        "fr": "Aucune question sur le statut migratoire des participantes et participants",
        "en": "No question about participants' immigration status",
    },
]

CRITERIA = [
    ("Besoin et pertinence", "Need and relevance", 30),
    ("Qualité du projet", "Quality of the project", 25),
    ("Expérience vécue et participation", "Lived experience and participation", 20),
    ("Capacité de l'organisme", "Capacity of the organisation", 15),
    ("Budget réaliste", "Realistic budget", 10),
]
ANCHORS = {
    "0": {"fr": "Absent ou hors sujet", "en": "Missing or off topic"},
    "3": {"fr": "Solide, avec des lacunes", "en": "Sound, with gaps"},
    "5": {"fr": "Exemplaire", "en": "Exemplary"},
}

# organisation, borough, project (fr), amount awarded (None: declined, "wait": waiting list)
PROJECTS = [
    (
        "Collectif Accès Santé (fictif)",
        "Côte-des-Neiges–Notre-Dame-de-Grâce",
        "Cliniques de quartier sans rendez-vous",
        Decimal("250000"),
    ),
    ("Maison des femmes du Nord (fictive)", "Montréal-Nord", "Accompagnement vers les services", Decimal("240000")),
    (
        "Réseau Logement Juste (fictif)",
        "Villeray–Saint-Michel–Parc-Extension",
        "Droit au logement sans peur",
        Decimal("225000"),
    ),
    (
        "Ateliers Jeunesse Parc-Ex (fictifs)",
        "Villeray–Saint-Michel–Parc-Extension",
        "Soutien scolaire et familles",
        Decimal("215000"),
    ),
    (
        "Table Interculturelle de l'Est (fictive)",
        "Mercier–Hochelaga-Maisonneuve",
        "Interprètes communautaires",
        Decimal("210000"),
    ),
    ("Coop Travail Digne (fictive)", "Saint-Laurent", "Clinique des droits au travail", Decimal("200000")),
    ("Centre Ressources Lachine (fictif)", "Lachine", "Aide alimentaire et orientation", Decimal("195000")),
    ("Alliance Santé Mentale Verdun (fictive)", "Verdun", "Écoute et soutien psychosocial", Decimal("180000")),
    (
        "Bibliothèques Vivantes (fictives)",
        "Le Plateau-Mont-Royal",
        "Ateliers de littératie numérique",
        Decimal("160000"),
    ),
    ("Atelier Théâtre Sans Frontières (fictif)", "Ville-Marie", "Théâtre-forum sur les droits", None),
    ("Jardins Solidaires Anjou (fictifs)", "Anjou", "Jardins collectifs et cuisine", "wait"),
]


def _applicant(index: int, name: str, borough: str):
    organisation = Organisation.objects.filter(name=name).first()
    if organisation is None:
        services.applicant_signup(
            acting_user=None,
            organisation_name=name,
            borough=borough,
            registration_number=f"11{index:08d}",
            mission="Organisme communautaire fictif (démonstration).",
            language="fr",
            username=f"applicant{index}",
            password="demo-sans-peur-2026",  # noqa: S106 - fictional account on a development machine
            contact_name=f"Contact {index}",
            email=f"applicant{index}@example.org",
        )
        organisation = Organisation.objects.get(name=name)
    return demo_staff_account(f"applicant{index}", ["grant_applicant"], f"Contact {index}", organisation)


def _budget(call, total: Decimal) -> list[tuple[str, int, Decimal]]:
    """The total split over the call's years and three categories (cents land on the last cell)."""
    shares = [("staff", Decimal("0.6")), ("activities", Decimal("0.3")), ("interpreting", Decimal("0.1"))]
    lines, left = [], total
    cells = [(category, year, share) for year in call.years for category, share in shares]
    for i, (category, year, share) in enumerate(cells):
        amount = left if i == len(cells) - 1 else (total * share / len(call.years)).quantize(Decimal("1"))
        left -= amount
        lines.append((category, year, amount))
    return lines


def _application(call, user, project: str, requested: Decimal, *, submit: bool = True):
    application = services.application_create(acting_user=None, call=call, organisation=user.organisation)
    services.application_save(
        acting_user=None,
        application=application,
        sections={
            "project_title": project,
            "summary": f"{project} : un projet communautaire fictif pour la démonstration.",
            "need": "Des personnes évitent les services publics par peur d'un contrôle.",
            "activities": "Permanences, accompagnement, séances d'information en plusieurs langues.",
            "outcomes": "Plus de personnes accèdent aux services municipaux; indicateurs agrégés seulement.",
            "borough": user.organisation.borough,
        },
        eligibility=[item["code"] for item in call.eligibility],
    )
    for category, year, amount in _budget(call, requested):
        services.budget_line_set(acting_user=None, application=application, category=category, year=year, amount=amount)
    services.attachment_add(
        acting_user=None, application=application, name="statuts.pdf", kind="pdf", data=b"%PDF-1.4\n% statuts\n%%EOF\n"
    )
    if submit:
        services.application_submit(acting_user=None, application=application)
    return application


def _call(code: str, title_fr: str, title_en: str, envelope: Decimal, maximum: Decimal, years, dates, **extra):
    call = services.call_create(
        acting_user=None,
        code=code,
        title_fr=title_fr,
        title_en=title_en,
        summary_fr="Financement de projets communautaires pour les personnes migrantes à statut précaire.",
        summary_en="Funding for community projects serving migrants with precarious status.",
        body_fr="Les projets facilitent l'accès aux services municipaux sans égard au statut migratoire.",
        body_en="Projects open access to municipal services regardless of immigration status.",
        envelope=envelope,
        max_per_project=maximum,
        first_year=years[0],
        last_year=years[1],
        opens_on=dates[0],
        closes_on=dates[1],
        decision_on=dates[2],
        eligibility=ELIGIBILITY,
        **extra,
    )
    for title_fr_, title_en_, weight in CRITERIA:
        services.criterion_add(
            acting_user=None, call=call, title_fr=title_fr_, title_en=title_en_, weight=weight, anchors=ANCHORS
        )
    return services.call_transition(acting_user=None, call=call, move="publish")


# Reports of the first year, in various states: accepted (the second payment released and paid),
# submitted (to review), changes requested, and not yet received.
REPORT_STATES = ["accepted", "accepted", "accepted", "accepted", "submitted", "changes_requested", "due", "due", "due"]
PEOPLE = {"legal": 142, "health": 96, "housing": 58, "food": 211, "language": 37, "accompaniment": 8}


# What the first year's reports say was spent, as shares of each budget line: most projects close to
# their budget; one spent far more on interpreting, one far less on activities (budget vs actual alerts).
SPENDING_SHARES = {1: {"interpreting": Decimal("1.35")}, 4: {"activities": Decimal("0.4")}}


def _first_year_spending(application, index: int) -> dict[str, Decimal]:
    year = application.call.years[0]
    shares = SPENDING_SHARES.get(index, {})
    return {
        line.category: (line.amount * shares.get(line.category, Decimal("0.97"))).quantize(Decimal("1"))
        for line in application.budget_lines.filter(year=year)
    }


def _agreements(call) -> None:
    from .models import Application

    funded = Application.objects.filter(call=call, state="approved").order_by("pk")
    for index, (application, state) in enumerate(zip(funded, REPORT_STATES, strict=True)):
        tranches = services.agreement_schedule(acting_user=None, application=application)
        services.agreement_signed_record(
            acting_user=None, application=application, kind="pdf", data=b"%PDF-1.4\n% entente signee\n%%EOF\n"
        )
        services.tranche_move(acting_user=None, tranche=tranches[0], move="approve")
        services.tranche_move(acting_user=None, tranche=tranches[0], move="pay")
        if state == "due":
            continue
        report = application.reports.get(number=1)
        people = {service: count + 11 * index for service, count in PEOPLE.items()}
        services.report_submit(
            acting_user=None,
            report=report,
            narrative="Bilan de la première année.",
            spending=_first_year_spending(application, index),
            people=people,
        )
        if state == "changes_requested":
            services.report_review(
                acting_user=None, report=report, move="request_changes", note="Précisez les dépenses."
            )
        elif state == "accepted":
            services.report_review(acting_user=None, report=report, move="accept")
            second = application.tranches.get(number=2)
            services.tranche_move(acting_user=None, tranche=second, move="approve")
            services.tranche_move(acting_user=None, tranche=second, move="pay")


def _amendments(call) -> None:
    """Two amendments: money moved from salaries to interpreting (approved, applied), and a second
    report asked for later (waiting for the program officer); and a report at a milestone's date."""
    from .models import Application

    funded = list(Application.objects.filter(call=call, state="approved").order_by("pk"))
    first, second = funded[0], funded[2]
    year = call.years[-1]
    lines = {line.category: line.amount for line in first.budget_lines.filter(year=year)}
    moved = Decimal("5000")
    budget = {("staff", year): lines["staff"] - moved, ("interpreting", year): lines["interpreting"] + moved}
    amendment = services.amendment_request(
        acting_user=None,
        application=first,
        kind="budget",
        description="Plus d'interprétation l'an prochain : les demandes en dari et en tigrinya ont doublé.",
        budget=budget,
    )
    services.amendment_decide(acting_user=None, amendment=amendment, move="approve", note="Accordé.")
    services.milestone_report_add(
        acting_user=None,
        application=first,
        due_on=dt.date(year, 6, 30),
        milestone="Ouverture de la deuxième permanence",
    )
    report = second.reports.get(number=2)
    services.amendment_request(
        acting_user=None,
        application=second,
        kind="time",
        description="Le local a fermé trois mois pour travaux ; le bilan de l'an deux sera prêt plus tard.",
        report=report,
        new_due_on=report.due_on + dt.timedelta(days=90),
    )


def load(*, stdout, print_logins: bool = True) -> None:
    from .models import Call

    if Call.objects.filter(code=CALL_CODE).exists():
        return
    city = Organisation.objects.filter(kind=Organisation.Kind.CITY).first()
    reviewers = [
        demo_staff_account("reviewer", ["reviewer"], "Rita Révision", city),
        demo_staff_account("reviewer.community", ["reviewer"], "Inès Expérience", city),
    ]
    call = _call(
        CALL_CODE,
        "Montréal pour toutes et tous, sans égard au statut",
        "Montréal for All, Regardless of Status",
        Decimal("1900000"),
        Decimal("250000"),
        (2024, 2026),
        (dt.date(2023, 10, 2), dt.date(2023, 11, 30), dt.date(2024, 2, 15)),
    )
    services.question_publish(
        acting_user=None,
        call=call,
        question_fr="Une coalition sans numéro d'entreprise peut-elle déposer?",
        question_en="Can a coalition without an enterprise number apply?",
        answer_fr="Oui, par l'entremise de son organisme responsable, qui doit être enregistré.",
        answer_en="Yes, through its lead organisation, which must be registered.",
    )
    applications = []
    for index, (name, borough, project, amount) in enumerate(PROJECTS, start=1):
        user = _applicant(index, name, borough)
        requested = amount if isinstance(amount, Decimal) else Decimal("150000")
        applications.append((_application(call, user, project, requested), amount))
    services.call_transition(acting_user=None, call=call, move="close")
    services.call_transition(acting_user=None, call=call, move="start_review")
    for rank, (application, amount) in enumerate(applications):
        services.application_screen(acting_user=None, application=application, move="screen")
        services.application_screen(acting_user=None, application=application, move="eligible")
        for number, reviewer in enumerate(reviewers):
            assignment = services.reviewer_assign(acting_user=None, application=application, reviewer=reviewer)
            conflict = number == 1 and rank == 4  # the community reviewer knows one organisation
            services.conflict_declare(acting_user=reviewer, assignment=assignment, conflict=conflict)
            if not conflict:
                base = 5 if rank < 3 else 4 if rank < 7 else 3
                scores = {c.pk: max(0, base - (i + number) % 2) for i, c in enumerate(call.criteria.all())}
                services.review_submit(acting_user=reviewer, assignment=assignment, scores=scores)
        if amount == "wait":
            services.application_decide(acting_user=None, application=application, move="waitlist")
        elif amount is None:
            services.application_decide(
                acting_user=None, application=application, move="decline", rationale="Hors du cadre de l'appel."
            )
        else:
            services.application_decide(
                acting_user=None,
                application=application,
                move="approve",
                amount=amount,
                resolution_number=f"CE24 0{210 + rank}",
                rationale="Projet solide, bien ancré dans son quartier.",
            )
    services.committee_minutes_record(
        acting_user=None,
        call=call,
        held_on=timezone.localdate() - dt.timedelta(days=400),
        members="Présidence : direction de la diversité sociale; deux évaluatrices de la Ville; une évaluatrice "
        "communautaire (retirée pour l'organisme no 5, conflit d'intérêts déclaré).",
        minutes="Le comité a examiné le classement et les écarts entre évaluations. Neuf projets sont retenus dans "
        "l'enveloppe de 1,9 M$; un projet est placé sur la liste d'attente, un autre est refusé (hors du cadre).",
    )
    services.call_transition(acting_user=None, call=call, move="decide")
    _agreements(call)
    _amendments(call)

    today = timezone.localdate()
    open_call = _call(
        OPEN_CODE,
        "Accès sans peur 2027",
        "Access without fear 2027",
        Decimal("600000"),
        Decimal("120000"),
        (today.year + 1, today.year + 2),
        (today - dt.timedelta(days=10), today + dt.timedelta(days=60), today + dt.timedelta(days=120)),
        blind_review=True,
    )
    first = Organisation.objects.get(name=PROJECTS[0][0])
    draft = services.application_create(acting_user=None, call=open_call, organisation=first)
    services.application_save(
        acting_user=None,
        application=draft,
        sections={"project_title": "Cliniques mobiles 2027"},
        eligibility=[],
    )
    services.attachment_add(
        acting_user=None,
        application=draft,
        name="lettre-appui.pdf",
        kind="pdf",
        data=b"%PDF-1.4\n% lettre d'appui fictive\n%%EOF\n",
    )
    if print_logins:
        stdout.write("Funding: applicant accounts applicant1 to applicant11 (demo password), reviewer.community.")
