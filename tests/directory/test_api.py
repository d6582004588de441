"""Every API response and the bulk export validate against the official HSDS 3.0 schemas."""

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from sanspeur.directory.models import Location, Organization, ServiceAtLocation, Taxonomy, TaxonomyTerm

pytestmark = pytest.mark.django_db
SCHEMA = Path(__file__).parent / "hsds-3.0" / "schema"  # vendored, see its README.md
PAGE_KEYS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}


def _registry():
    resources = []
    for path in SCHEMA.glob("*.json"):
        if path.name == "openapi.json":
            continue
        doc = json.loads(path.read_text())
        resources.append((path.name, Resource.from_contents(doc, default_specification=_spec())))
    return Registry().with_resources(resources)


def _spec():
    from referencing.jsonschema import DRAFT202012

    return DRAFT202012


def validate(data, name):
    path = SCHEMA / "compiled" / name if (SCHEMA / "compiled" / name).exists() else SCHEMA / name
    schema = json.loads(path.read_text())
    errors = list(Draft202012Validator(schema, registry=_registry()).iter_errors(data))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def page_of(client, url, item_schema):
    r = client.get(url)
    assert r.status_code == 200
    body = r.json()
    assert set(body) == PAGE_KEYS
    assert body["contents"], url
    for item in body["contents"]:
        validate(item, item_schema)
    return body


def test_every_endpoint_validates(client, demo_data):
    assert client.get("/api/hsds/").json()["version"] == "3.0"
    services = page_of(client, "/api/hsds/services?per_page=100", "service_list.json")
    assert services["total_items"] == 60
    for item in services["contents"][:60]:
        validate(client.get(f"/api/hsds/services/{item['id']}").json(), "service.json")
    page_of(client, "/api/hsds/organizations", "organization_list.json")
    org = Organization.objects.first()
    validate(client.get(f"/api/hsds/organizations/{org.id}").json(), "organization.json")
    page_of(client, "/api/hsds/service_at_locations", "service_at_location_list.json")
    for sal in ServiceAtLocation.objects.all():
        validate(client.get(f"/api/hsds/service_at_locations/{sal.id}").json(), "service_at_location.json")
    page_of(client, "/api/hsds/taxonomies", "taxonomy.json")
    page_of(client, "/api/hsds/taxonomy_terms", "taxonomy_term.json")
    validate(client.get(f"/api/hsds/taxonomies/{Taxonomy.objects.first().id}").json(), "taxonomy.json")
    validate(client.get(f"/api/hsds/taxonomy_terms/{TaxonomyTerm.objects.first().id}").json(), "taxonomy_term.json")


def test_a_phone_extension_validates_as_the_number_hsds_asks_for(client, demo_data):
    from sanspeur.directory.models import Phone, Service

    service = Service.objects.filter(status="active").order_by("id").first()
    Phone.objects.create(service=service, number="438-555-0142", extension="12")
    body = client.get(f"/api/hsds/services/{service.id}").json()
    validate(body, "service.json")
    assert {"number": "438-555-0142", "extension": 12} in [
        {k: p.get(k) for k in ("number", "extension")} for p in body["phones"]
    ]


def test_pagination_and_filters(client, demo_data):
    body = client.get("/api/hsds/services?per_page=25&page=3").json()
    assert (body["total_items"], body["total_pages"], body["page_number"], body["size"]) == (60, 3, 3, 10)
    assert body["last_page"] and not body["first_page"] and not body["empty"]
    food = TaxonomyTerm.objects.get(code="food")
    body = client.get(f"/api/hsds/services?taxonomy_term_id={food.id}").json()
    assert body["total_items"] == 5
    assert client.get("/api/hsds/services?taxonomy_term_id=nope").json()["total_items"] == 0
    body = client.get("/api/hsds/services?search=FRANCAIS").json()
    names = {s["name"] for s in body["contents"]}
    assert {"Francisation du quartier", "Club de conversation"} <= names
    body = client.get("/api/hsds/services?search=zzzunknown").json()
    assert body["empty"] and body["total_items"] == 0
    assert client.get("/api/hsds/services/00000000-0000-0000-0000-000000000000").status_code == 404


def test_language_parameter(client, demo_data):
    sal = client.get("/api/hsds/services?lang=en&search=food+bank").json()["contents"][0]
    assert sal["name"] == "Neighbourhood food bank"


def test_bulk_export_validates(demo_data, tmp_path):
    out = tmp_path / "export.json"
    call_command("directory_export", output=str(out), stderr=io.StringIO())
    package = json.loads(out.read_text())
    assert len(package) == 60
    # Upstream's compiled service_package.json is an array of service.json: each item is checked below.
    assert isinstance(package, list)
    for service in package:
        validate(service, "service.json")


def test_the_vendored_schemas_reject_what_hsds_rejects():
    """The per-object schemas resolve their $refs through the registry: a nested error is found."""
    good = json.loads((SCHEMA.parent / "examples" / "service_full.json").read_text())
    validate(good, "service.json")
    bad_status = dict(good, status="maybe")
    with pytest.raises(AssertionError, match="status"):
        validate(bad_status, "service.json")
    bad_nested = json.loads(json.dumps(good))
    bad_nested["phones"][0]["number"] = 42  # phone.json, reached through a $ref
    with pytest.raises(AssertionError, match="number"):
        validate(bad_nested, "service.json")


def test_openapi_document(client):
    doc = client.get("/api/hsds/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert doc["servers"] == [{"url": "/api/hsds"}]
    assert "/services" in doc["paths"] and "/service_at_locations/{id}" in doc["paths"]


def test_tabular_export(demo_data, tmp_path):
    archive = tmp_path / "export.zip"
    call_command("directory_export", output=str(archive), format="csv", stderr=io.StringIO())
    with zipfile.ZipFile(archive) as z:
        package = json.loads(z.read("datapackage.json"))
        assert {r["path"] for r in package["resources"]} >= {"services.csv", "locations.csv", "schedules.csv"}
        services = list(csv.DictReader(io.StringIO(z.read("services.csv").decode())))
        assert len(services) == 60
        assert set(services[0]) >= {"id", "organization_id", "name", "status"}
        locations = list(csv.DictReader(io.StringIO(z.read("locations.csv").decode())))
        assert (
            sum(1 for loc in locations if not loc["latitude"]) == Location.objects.filter(is_confidential=True).count()
        )


def test_taxonomy_terms_filter(client, demo_data):
    needs = Taxonomy.objects.get(code="needs")
    assert client.get(f"/api/hsds/taxonomy_terms?taxonomy_id={needs.id}").json()["total_items"] == 12
    assert client.get("/api/hsds/taxonomy_terms?taxonomy_id=sanspeur").json()["total_items"] == 5


# --- Parameters that do not parse, ids that name nothing ----------------------------------------
@pytest.mark.parametrize("params", [{"search": "a\x00b"}, {"taxonomy_id": "\x00"}, {"taxonomy_term_id": "\x00"}])
@pytest.mark.parametrize("endpoint", ["services", "organizations", "service_at_locations", "taxonomy_terms"])
def test_control_characters_in_parameters_are_not_server_errors(client, demo_data, endpoint, params):
    # PostgreSQL refuses NUL in text: the API drops control characters before any query.
    assert client.get(f"/api/hsds/{endpoint}", params).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/hsds/services/not-a-uuid",
        "/api/hsds/services/00000000-0000-4000-8000-000000000000",
        "/api/hsds/organizations/00000000-0000-4000-8000-000000000000",
        "/api/hsds/taxonomy_terms/by_category",
        "/api/hsds/nothing/here",
    ],
)
def test_unknown_ids_and_paths_are_json_404s(client, demo_data, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json" and response.json() == {"error": "not found"}


def test_services_filter_by_taxonomy_as_the_document_says(client, demo_data):
    total = client.get("/api/hsds/services").json()["total_items"]
    needs = client.get("/api/hsds/services", {"taxonomy_id": "needs"}).json()["total_items"]
    needs_by_id = client.get("/api/hsds/services", {"taxonomy_id": str(Taxonomy.objects.get(code="needs").id)})
    assert 0 < needs <= total and needs_by_id.json()["total_items"] == needs
    assert client.get("/api/hsds/services", {"taxonomy_id": "no-such-taxonomy"}).json()["total_items"] == 0
    located = client.get("/api/hsds/service_at_locations", {"taxonomy_id": "needs"}).json()["total_items"]
    assert located > 0


def test_the_document_declares_what_the_api_does(client):
    doc = client.get("/api/hsds/openapi.json").json()
    for path, item in doc["paths"].items():
        if "{id}" in path:
            assert item["parameters"][0]["schema"] == {"type": "string", "format": "uuid"}
            assert "404" in item["get"]["responses"]
    assert "REQUIRED" not in json.dumps(doc["info"]) and "HERE" not in json.dumps(doc["info"])
    listed = {p.get("name") or p["$ref"].rsplit("/", 1)[-1] for p in doc["paths"]["/taxonomies"]["get"]["parameters"]}
    assert listed == {"page", "per_page"}  # taxonomies take no search and no language
