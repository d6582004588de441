"""The city-scale loader (bench/scale.py) at a small size, on SQLite and PostgreSQL: what it writes
is what the services write — sealed records that open, identity indexes the staff search finds,
cards whose codes verify offline against the published lists, revocations that show."""

import datetime as dt
import importlib.util

import pytest

from tests.cards.conftest import verify_code
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.django_db


@pytest.fixture
def scale(settings):
    settings.SANSPEUR_VAULT_BUCKETS = 16  # a few buckets: creating 4,096 key files is not the test
    spec = importlib.util.spec_from_file_location("scale_bench", REPO_ROOT / "bench" / "scale.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_loader_writes_what_the_services_write(scale, client, make_staff):
    from sanspeur.accounts.models import Organisation
    from sanspeur.cards import selectors, services
    from sanspeur.cards.models import Card, Holder
    from sanspeur.core import vault
    from sanspeur.core.models import AuditEntry

    loaded = scale.load(holders=240, audit_days=2, audit_per_day=10, revoked_share=0.1, batch=100, log=lambda m: None)
    assert loaded["holders"] == Holder.objects.count() == Card.objects.count() == 240
    assert AuditEntry.objects.filter(object_type="cards.card").count() >= 20
    holder = Holder.objects.select_related("data_key").order_by("pk").first()
    profile = vault.open_fields(holder.data_key, holder.sealed_profile, context=holder.profile_context)
    assert profile["given_names"] in scale.GIVEN
    # The identity index is the real one: the staff search finds the holder by names and birth date.
    agent = make_staff("scale.agent", ["enrollment_agent"], holder.organisation)
    lookup = services.holder_search(
        acting_user=agent,
        given_names=profile["given_names"],
        family_names=profile["family_names"],
        date_of_birth=dt.date.fromisoformat(profile["date_of_birth"]),
    )
    assert holder.pk in {h.pk for h in lookup.holders}
    # Cards verify offline against the published trust and status lists; a revoked one says so.
    for state, expected_valid in (("active", True), ("revoked", False)):
        card = Card.objects.filter(state=state).select_related("holder__data_key").first()
        code = vault.open_bytes(card.holder.data_key, card.sealed_code, context=card.code_context).decode("ascii")
        assert verify_code(client, code).valid is expected_valid, state
    assert selectors.status_list_ids()
    assert Organisation.objects.filter(kind="partner").count() >= 9
