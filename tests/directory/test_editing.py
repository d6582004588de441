import pytest

from sanspeur.core.models import AuditEntry
from sanspeur.directory.models import ChangeProposal, Organization, Service

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_service(demo_data, organisation):
    service = Service.objects.order_by("id").first()
    Organization.objects.filter(id=service.organization_id).update(partner=organisation)
    return service


def form_data(**overrides):
    data = {
        "name_fr": "Nouveau nom",
        "name_en": "New name",
        "description_fr": "Nouvelle description",
        "description_en": "New description",
        "eligibility_description_fr": "Ouvert à tous, sans question sur le statut.",
        "eligibility_description_en": "Open to everyone, no status question.",
    }
    return {**data, **overrides}


def test_partner_proposes_editor_publishes_with_version(
    make_staff, mfa_client, own_service, organisation, city_organisation
):
    partner = make_staff("partner.t", ["partner_editor"], organisation)
    client = mfa_client(partner)
    other = Service.objects.exclude(organization__partner=organisation).first()
    assert client.get(f"/fr/directory/staff/services/{other.id}/propose/").status_code == 404
    assert client.get("/fr/directory/staff/review/").status_code == 403
    response = client.post(f"/fr/directory/staff/services/{own_service.id}/propose/", form_data())
    assert response.status_code == 302
    proposal = ChangeProposal.objects.get()
    own_service.refresh_from_db()
    assert own_service.name.get("en") != "New name"  # nothing public before review

    editor = make_staff("editor.t2", ["directory_editor"], city_organisation)
    editor_client = mfa_client(editor)
    page = editor_client.get("/fr/directory/staff/review/").content.decode()
    assert "Nouveau nom" in page
    response = editor_client.post("/fr/directory/staff/review/", {"proposal": proposal.id, "action": "publish"})
    assert response.status_code == 302
    own_service.refresh_from_db()
    assert own_service.name["en"] == "New name" and own_service.name["fr"] == "Nouveau nom"
    assert "nouveau nom" in own_service.search_text
    assert own_service.last_verified is not None
    version = own_service.versions.get()
    assert version.number == 1 and version.author == partner and version.published_by == editor
    assert set(version.changed_fields) == {"name", "description"}
    assert AuditEntry.objects.filter(action__in=["proposal.create", "proposal.publish"]).count() == 2
    public = mfa_client(editor).get(f"/en/directory/services/{own_service.id}/").content.decode()
    assert "New name" in public and "Last verified" in public


def test_reject_and_required_french(make_staff, mfa_client, own_service, city_organisation):
    editor = make_staff("editor.t3", ["directory_editor"], city_organisation)
    client = mfa_client(editor)
    response = client.post(f"/fr/directory/staff/services/{own_service.id}/propose/", form_data(name_fr=""))
    assert response.status_code == 200 and not ChangeProposal.objects.exists()
    client.post(f"/fr/directory/staff/services/{own_service.id}/propose/", form_data())
    proposal = ChangeProposal.objects.get()
    client.post("/fr/directory/staff/review/", {"proposal": proposal.id, "action": "reject"})
    proposal.refresh_from_db()
    own_service.refresh_from_db()
    assert proposal.status == "rejected" and own_service.name["fr"] != "Nouveau nom"
