import re

import pytest

pytestmark = pytest.mark.django_db


def test_pages_render(client, demo_data):
    r = client.get("/fr/directory/?q=refuge")
    assert r.status_code == 200, r.content[:2000]
    r = client.get("/en/directory/?need=food&near_fsa=H3T")
    assert r.status_code == 200
    m = re.search(r"/en/directory/services/[0-9a-f-]+/", r.content.decode())
    assert client.get(m.group(0)).status_code == 200
    for u in [
        "/api/hsds/",
        "/api/hsds/services",
        "/api/hsds/organizations",
        "/api/hsds/service_at_locations",
        "/api/hsds/taxonomies",
        "/api/hsds/taxonomy_terms",
        "/en/directory/map.json",
        "/api/hsds/openapi.json",
    ]:
        assert client.get(u).status_code == 200, u
