"""The translation counts at city scale: a fixed number of queries whatever the number of records
(the records are streamed; one content kind's stamps are held at a time)."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sanspeur.directory import i18n, translations
from sanspeur.directory.models import Organization, Service, Translation

pytestmark = pytest.mark.django_db
COUNT = 3000


def test_counts_take_a_fixed_number_of_queries(make_staff, city_organisation):
    translator = make_staff("translator.scale", ["translator"], city_organisation)
    org = Organization.objects.create(name={"fr": "Organisme"})
    Service.objects.bulk_create(
        Service(
            organization=org,
            name={"fr": f"Service {n}", "ar": f"خدمة {n}"},
            description={"fr": "Aide alimentaire"},
            sort_names={},
        )
        for n in range(COUNT)
    )
    # Every Arabic name stamped; a third of them from an older French (stale).
    Translation.objects.bulk_create(
        Translation(
            kind="service",
            object_id=str(pk),
            field="name",
            language="ar",
            source_hash=i18n.source_hash(name["fr"] if n % 3 else "ancien"),
            source_text="",
        )
        for n, (pk, name) in enumerate(Service.objects.order_by("pk").values_list("pk", "name"))
    )
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        counts = {row["language"]: row for row in translations.counts(translator)}
    elapsed = time.perf_counter() - started
    assert counts["ar"]["missing"] == COUNT + 1  # every description, and the organisation's name
    assert counts["ar"]["stale"] == COUNT // 3
    assert counts["es"]["missing"] == 2 * COUNT + 1
    # Per content kind: its stamps and its records (+ the capability checks), whatever COUNT is.
    assert len(queries) <= 3 * len(translations.KINDS), [q["sql"][:80] for q in queries]
    print(f"\ntranslation counts for {COUNT} services: {elapsed * 1000:.0f} ms, {len(queries)} queries")
