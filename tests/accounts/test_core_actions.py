"""The core app's writes are actions too: the master keys' rotation, re-wrap and retirement (run by
``sanspeur rotate_master_key``), each audited and refused to anyone but the server's command line.

(Here rather than in tests/core while that folder is being reworked for mutation testing.)
"""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from sanspeur.core import services, vault
from sanspeur.core.actions import AUDIT_ACTIONS
from sanspeur.core.keys import key_provider
from sanspeur.core.models import AuditEntry, DataKey

from .test_actions import public_functions

pytestmark = pytest.mark.django_db

# The public functions of core/services.py that are not actions, and why.
NOT_ACTIONS = {
    "audit_entry_create": "the kernel's primitive: every action calls it inside its transaction",
    "audit_read": "records a read (its name follows the record's type); selectors call it",
}


def test_every_public_write_of_the_core_services_is_a_registered_action():
    functions = public_functions(services)
    assert set(NOT_ACTIONS) <= set(functions), "a documented helper is gone: update NOT_ACTIONS"
    for name, function in functions.items():
        if name in NOT_ACTIONS:
            assert not hasattr(function, "action_name"), name
            continue
        assert hasattr(function, "action_name"), f"core.services.{name} writes outside the kernel"
        assert function.action_name in AUDIT_ACTIONS, name


@pytest.mark.parametrize("service", [services.master_key_rotate, services.datakeys_rewrap, services.master_keys_retire])
def test_master_keys_are_handled_from_the_command_line_only(service, make_staff, city_organisation):
    admin = make_staff("admin.keys", ["administrator"], city_organisation)
    vault.datakey_create(purpose="test")
    before = (key_provider().current_key_id(), sorted(key_provider().key_ids()))
    with pytest.raises(PermissionDenied):
        service(acting_user=admin)
    assert (key_provider().current_key_id(), sorted(key_provider().key_ids())) == before
    assert not AuditEntry.objects.filter(action__startswith="vault.").exists()


def test_rotation_audits_the_new_key_the_rewrap_and_the_retired_keys():
    key = vault.datakey_create(purpose="test")
    old = key_provider().current_key_id()
    call_command("rotate_master_key", "--retire-old", "--batch", "1", stdout=io.StringIO())
    current = key_provider().current_key_id()
    assert key_provider().bucket_master_keys() == {current}
    assert DataKey.objects.get(pk=key.pk).bucket  # the data key stays in its bucket, untouched
    rotate = AuditEntry.objects.get(action="vault.master_key.rotate")
    assert rotate.detail == {"master_key": current, "previous": old} and rotate.actor is None
    rewraps = AuditEntry.objects.filter(action="vault.rewrap")
    # One entry: every bucket key file re-wrapped (the key folder outlives each test's database).
    [rewrap] = rewraps
    assert rewrap.detail["count"] == 0 and rewrap.detail["master_key"] == current
    assert rewrap.detail["bucket_keys"] >= 1
    retire = AuditEntry.objects.get(action="vault.master_key.retire")
    assert old in retire.detail["removed"] and old not in key_provider().key_ids()
    # Nothing left to re-wrap or retire: the actions write nothing.
    entries = AuditEntry.objects.count()
    assert services.datakeys_rewrap(acting_user=None) == 0
    assert services.master_keys_retire(acting_user=None) == []
    assert AuditEntry.objects.count() == entries
