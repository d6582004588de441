import pytest
from django.utils import timezone

from sanspeur.outside_requests import services
from sanspeur.outside_requests.models import CHECKLIST

ALL_CHECKED = {name: True for name, _label in CHECKLIST}
LETTER = b"Fictional production order: produce every record on ZEPHYRINE QUASIMODO-LAVOIE"


@pytest.fixture(autouse=True)
def _cheap_proof_of_work(cheap_proof_of_work):
    """Same code path as production, a proof of work a test solves in milliseconds."""


@pytest.fixture
def privacy(make_staff, city_organisation):
    return make_staff("priya.privacy", ["privacy_officer"], city_organisation)


@pytest.fixture
def legal(make_staff, city_organisation):
    return make_staff("lea.legal", ["legal_counsel"], city_organisation)


@pytest.fixture
def both(make_staff, city_organisation):
    """One person holding both roles: may sign off once, never twice."""
    return make_staff("bo.both", ["privacy_officer", "legal_counsel"], city_organisation)


@pytest.fixture
def service(db):
    from sanspeur.directory.models import Organization, Service

    organization = Organization.objects.create(name={"fr": "Bibliothèque test", "en": "Test library"})
    return Service.objects.create(
        organization=organization,
        name={"fr": "Prêt de livres", "en": "Book lending", "ar": "إعارة الكتب"},
        description={"fr": "Test"},
    )


def register(user, **overrides):
    values = {
        "channel": "letter",
        "requester_type": "municipal_police",
        "instrument": "production_order",
        "received_on": timezone.localdate(),
        "categories": ["identity", "card"],
        "requester": "Fictional police, unit 7",
        "subject": "All records on Zéphyrine Quasimodo-Lavoie",
        "documents": [("order.pdf", b"%PDF-1.4 " + LETTER)],
    }
    values.update(overrides)
    return services.request_register(acting_user=user, **values)


def to_review(user, request):
    services.request_triage(
        acting_user=user, request=request, categories=request.categories, persons_affected=1, due_on=None
    )
    return services.request_start_review(acting_user=user, request=request)
