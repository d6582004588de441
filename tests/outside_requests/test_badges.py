"""What the directory shows of a service's trust: the "accepts the card" badge goes while a report
of a refusal stands unresolved and comes back once it is resolved; the charter badge shows beside
the services of an organisation that signed."""

import pytest
from django.utils import timezone

from sanspeur.accounts.models import Organisation
from sanspeur.directory import selectors as directory
from sanspeur.outside_requests import services
from sanspeur.outside_requests.models import RefusalReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def card_service(service):
    service.accepts_card = True
    service.status = "active"
    service.save()
    return service


def _badges(client, service, lang="ar"):
    page = client.get(f"/{lang}/directory/services/{service.pk}/").content.decode()
    return 'id="card-badge"' in page, 'id="charter-badge"' in page


def test_an_unresolved_refusal_takes_the_card_badge_away_until_resolved(client, card_service, privacy):
    assert _badges(client, card_service) == (True, False)
    today = timezone.localdate()
    report = services.refusal_submit(acting_user=None, service=card_service, what="refused_card", happened_on=today)
    services.refusal_contact_service(acting_user=privacy, report=report)
    assert _badges(client, card_service)[0] is True  # contacted: not settled either way yet
    services.refusal_mark_unresolved(acting_user=privacy, report=report)
    assert _badges(client, card_service)[0] is False
    assert card_service.pk not in {r.service.pk for r in directory.search(card=True)}  # nor in the filter
    services.refusal_reopen(acting_user=privacy, report=report)
    services.refusal_resolve(acting_user=privacy, report=report)
    assert _badges(client, card_service)[0] is True
    assert card_service.pk in {r.service.pk for r in directory.search(card=True)}
    assert RefusalReport.objects.get().state == "resolved"


def test_the_charter_badge_shows_beside_a_signatory_organisation_services(client, card_service, make_staff):
    point = Organisation.objects.create(name="Bibliothèque test", kind="service_point")
    card_service.organization.partner = point
    card_service.organization.save()
    admin = make_staff("admin.point", ["administrator"], point)
    assert _badges(client, card_service, "ht")[1] is False
    services.charter_sign(acting_user=admin, organisation=point)
    assert _badges(client, card_service, "ht")[1] is True
    search = client.get("/fr/directory/").content.decode()
    assert "A signé la charte Sans peur" in search
