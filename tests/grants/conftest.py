import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from sanspeur.accounts.models import Organisation
from sanspeur.grants import services

ELIGIBILITY = [
    {"code": "nonprofit", "fr": "Organisme à but non lucratif enregistré", "en": "Registered non-profit"},
    {"code": "territory", "fr": "Activités à Montréal", "en": "Activities in Montréal"},
]
ANCHORS = {
    "0": {"fr": "Absent", "en": "Missing"},
    "3": {"fr": "Solide", "en": "Sound"},
    "5": {"fr": "Exemplaire", "en": "Exemplary"},
}
PROJECT_TEXT = "Permanences juridiques au sous-sol de la paroisse Saint-Zéphirin"


@pytest.fixture(autouse=True)
def _english_messages():
    """Services' messages in English, whichever language an earlier test's request left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def officer(make_staff, city_organisation):
    return make_staff("paul.programme", ["program_officer"], city_organisation)


@pytest.fixture
def reviewer(make_staff, city_organisation):
    return make_staff("rita.revision", ["reviewer"], city_organisation)


@pytest.fixture
def second_reviewer(make_staff, city_organisation):
    return make_staff("ines.experience", ["reviewer"], city_organisation)


@pytest.fixture
def applicant_org(db):
    return Organisation.objects.create(name="Collectif Zéphirin (test)", kind="applicant", borough="Verdun")


@pytest.fixture
def applicant(make_staff, applicant_org):
    return make_staff("collectif.zephirin", ["grant_applicant"], applicant_org)


@pytest.fixture
def other_applicant(make_staff, db):
    other = Organisation.objects.create(name="Autre collectif (test)", kind="applicant")
    return make_staff("autre.collectif", ["grant_applicant"], other)


def make_call(officer, *, code="appel-test", envelope="500000", maximum="200000", blind=False, publish=True):
    today = timezone.localdate()
    call = services.call_create(
        acting_user=officer,
        code=code,
        title_fr="Appel test sans peur",
        title_en="Test call without fear",
        summary_fr="Résumé de l'appel",
        summary_en="Summary of the call",
        envelope=Decimal(envelope),
        max_per_project=Decimal(maximum),
        first_year=today.year,
        last_year=today.year + 1,
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=30),
        decision_on=today + dt.timedelta(days=60),
        eligibility=ELIGIBILITY,
        blind_review=blind,
    )
    services.criterion_add(
        acting_user=officer, call=call, title_fr="Besoin", title_en="Need", weight=60, anchors=ANCHORS
    )
    services.criterion_add(
        acting_user=officer, call=call, title_fr="Qualité", title_en="Quality", weight=40, anchors=ANCHORS
    )
    if publish:
        call = services.call_transition(acting_user=officer, call=call, move="publish")
    return call


@pytest.fixture
def call(officer):
    return make_call(officer)


def complete_application(applicant, call, *, amount="100000", text=PROJECT_TEXT):
    application = services.application_create(acting_user=applicant, call=call, organisation=applicant.organisation)
    services.application_save(
        acting_user=applicant,
        application=application,
        sections={
            "project_title": "Projet Zéphirin",
            "summary": text,
            "need": "Besoin décrit en termes généraux.",
            "activities": "Activités.",
            "outcomes": "Résultats agrégés.",
            "borough": "Verdun",
        },
        eligibility=[item["code"] for item in call.eligibility],
    )
    services.budget_line_set(
        acting_user=applicant, application=application, category="staff", year=call.first_year, amount=Decimal(amount)
    )
    return application


def into_review(officer, applicant, call, **kwargs):
    """An application submitted, screened eligible, with the call under review."""
    return into_review_many(officer, [applicant], call, **kwargs)[0]


def into_review_many(officer, applicants, call, *, amounts=None, **kwargs):
    """One application per applicant, submitted while the call is open, then the call closed and
    under review and each application screened eligible."""
    applications = []
    for index, applicant in enumerate(applicants):
        if amounts is not None:
            kwargs["amount"] = amounts[index]
        application = complete_application(applicant, call, **kwargs)
        services.application_submit(acting_user=applicant, application=application)
        applications.append(application)
    if call.state == "published":
        services.call_transition(acting_user=officer, call=call, move="close")
        services.call_transition(acting_user=officer, call=call, move="start_review")
        call.refresh_from_db()
    for application in applications:
        services.application_screen(acting_user=officer, application=application, move="screen")
        services.application_screen(acting_user=officer, application=application, move="eligible")
        application.refresh_from_db()
    return applications


@pytest.fixture
def funded(officer, applicant, call):
    """An application funded with CAD 100,000 whose agreement is scheduled (two reports, two payments)."""
    application = into_review(officer, applicant, call, amount="100000")
    services.application_decide(
        acting_user=officer, application=application, move="approve", amount=Decimal("100000"), resolution_number="CE1"
    )
    services.agreement_schedule(acting_user=officer, application=application)
    return application
