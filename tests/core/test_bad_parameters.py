"""Parameters a person (or a script) can type never cause a server error: ids and numbers that do
not parse, or that overflow the database's integers, are a 404 or a form error."""

import pytest

from tests.cards.conftest import agent, documents  # noqa: F401 - fixtures
from tests.clinics.conftest import make_clinic  # noqa: F401 - fixture
from tests.directory.conftest import demo_data  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "endpoint", ["services", "organizations", "service_at_locations", "taxonomies", "taxonomy_terms"]
)
@pytest.mark.parametrize("page", [HUGE, "-" + HUGE, "1e9", "abc", "0"])
def test_hsds_lists_take_any_page_number(client, demo_data, endpoint, page):  # noqa: F811
    response = client.get(f"/api/hsds/{endpoint}", {"page": page, "per_page": page})
    assert response.status_code == 200
    body = response.json()
    assert body["page_number"] >= 1


def test_directory_review_ignores_a_proposal_that_is_not_an_id(make_staff, city_organisation, mfa_client):
    editor = make_staff("editor", ["directory_editor"], city_organisation)
    client = mfa_client(editor)
    for value in ("not-a-uuid", HUGE, ""):
        response = client.post("/fr/directory/staff/review/", {"proposal": value, "action": "publish"})
        assert response.status_code == 404


def test_clinic_event_page_ignores_slot_and_service_ids_that_do_not_parse(
    make_staff,
    city_organisation,
    mfa_client,
    make_clinic,  # noqa: F811
):
    coordinator = make_staff("coord", ["clinic_coordinator"], city_organisation)
    event, _service, _session = make_clinic()
    client = mfa_client(coordinator)
    url = f"/fr/clinics/staff/e/{event.pk}/"
    for action, field in (("cancel_session", "session"), ("capacity", "session"), ("session", "service")):
        for value in ("abc", HUGE, "-1", ""):
            response = client.post(url, {"action": action, field: value, "capacity": "3"})
            assert response.status_code == 404, (action, value)


def test_enrollment_refuses_a_document_type_number_that_overflows(agent, mfa_client, documents):  # noqa: F811
    client = mfa_client(agent)
    response = client.post("/fr/cards/enroll/", {"document_types": [HUGE, "abc"], "given_names": "A"})
    assert response.status_code in (200, 400)
    assert "document_types" in response.context["form"].errors
