"""A confidential site is only ever published through its front gate."""

import io
import json
import zipfile

import pytest
from django.core.management import call_command

from sanspeur.directory.models import Borough, Location, Organization, Service, ServiceAtLocation, TaxonomyTerm

pytestmark = pytest.mark.django_db


def test_confidential_site_never_leaks_anywhere(client, demo_data, tmp_path):
    site = Location.objects.filter(is_confidential=True).select_related("borough").first()
    assert Location.objects.filter(is_confidential=True).count() >= 4
    # Distinctive coordinates, so that no public site can share a prefix with them.
    site.latitude, site.longitude = 45.512347, -73.612347
    site.save()
    address = site.addresses.get()
    secrets = {
        address.address_1,
        address.postal_code,
        address.postal_code.replace(" ", ""),
        str(site.latitude),
        str(site.longitude),
        "45.5123",
        "-73.6123",
    }
    service = site.service_at_locations.get().service
    name_words = service.name["fr"].split()[0]

    bodies = {}
    urls = []
    for lang in ("fr", "en", "ar"):
        urls += [f"/{lang}/directory/", f"/{lang}/directory/?q={name_words}", f"/{lang}/directory/map.json"]
        urls += [f"/{lang}/directory/?page={n}" for n in (1, 2, 3)]
        urls += [f"/{lang}/directory/services/{s.id}/" for s in Service.objects.all()]
    for b in Borough.objects.all():
        urls += [f"/fr/directory/?borough={b.code}&near_borough={b.code}", f"/fr/directory/map.json?borough={b.code}"]
    for t in TaxonomyTerm.objects.filter(taxonomy__code="needs"):
        urls += [f"/fr/directory/?need={t.code}&near_fsa=H2X", f"/fr/directory/map.json?need={t.code}"]
    urls += ["/api/hsds/", "/api/hsds/openapi.json", "/api/hsds/taxonomies", "/api/hsds/taxonomy_terms"]
    for endpoint in ("services", "organizations", "service_at_locations"):
        for lang in ("fr", "en"):
            urls += [f"/api/hsds/{endpoint}?per_page=100&lang={lang}", f"/api/hsds/{endpoint}?search={name_words}"]
    urls += [f"/api/hsds/services/{s.id}" for s in Service.objects.all()]
    urls += [f"/api/hsds/organizations/{o.id}" for o in Organization.objects.all()]
    urls += [f"/api/hsds/service_at_locations/{x.id}" for x in ServiceAtLocation.objects.all()]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies[url] = response.content.decode()
    for lang in ("fr", "en"):
        out = tmp_path / f"export-{lang}.json"
        call_command("directory_export", output=str(out), lang=lang, stderr=io.StringIO())
        bodies[f"export {lang}"] = out.read_text()
        archive = tmp_path / f"export-{lang}.zip"
        call_command("directory_export", output=str(archive), lang=lang, format="csv", stderr=io.StringIO())
        with zipfile.ZipFile(archive) as z:
            for name in z.namelist():
                bodies[f"csv {lang} {name}"] = z.read(name).decode()

    for where, body in bodies.items():
        for secret in secrets:
            assert secret not in body, f"{secret!r} leaked in {where}"
    # ...while the front gate is shown.
    detail = bodies[f"/fr/directory/services/{service.id}/"]
    assert site.intake_phone in detail and site.borough.name.replace("'", "&#x27;") in detail
    api = json.loads(bodies[f"/api/hsds/services/{service.id}"])
    location = api["service_at_locations"][0]["location"]
    assert "latitude" not in location and "addresses" not in location
    assert location["phones"][0]["number"] == site.intake_phone
    # the map never gets a marker for it
    points = json.loads(bodies["/fr/directory/map.json"])["points"]
    assert str(service.id) not in {p["id"] for p in points}
    assert len(points) > 40
