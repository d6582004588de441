"""A copy of the database holds no requester document text and no person's identity in plain
columns; after shredding, not even the wrapped key that opened them."""

import pytest
from django.db import connection

from sanspeur.outside_requests import services
from sanspeur.outside_requests.models import OutsideRequest
from tests.core.test_raw_dump import raw_database_bytes

from .conftest import register

pytestmark = pytest.mark.django_db(transaction=True)

DOCUMENT_TEXT = "PRODUCE EVERY RECORD ON ZEPHYRINE QUASIMODO-LAVOIE BORN 1987-03-14"
SECRETS = ["Zéphyrine Quasimodo-Lavoie", "Inspector Gadget-Fictif", "Détails confidentiels 4471", DOCUMENT_TEXT]


def test_the_dump_holds_no_document_text_and_no_identity(privacy):
    request = register(
        privacy,
        instrument="informal",
        requester="Inspector Gadget-Fictif",
        subject="Zéphyrine Quasimodo-Lavoie",
        notes="Détails confidentiels 4471",
        documents=[("zephyrine-quasimodo-lavoie.txt", DOCUMENT_TEXT.encode())],
    )
    connection.close()
    dump = raw_database_bytes()
    assert request.reference.encode() in dump  # the dump is real
    for secret in [*SECRETS, "zephyrine-quasimodo-lavoie.txt"]:
        assert secret.encode() not in dump, secret
        assert secret.encode("utf-16-le") not in dump, secret
    wrapped = bytes(request.data_key.wrapped)
    assert wrapped in dump or wrapped.hex().encode() in dump

    services.request_triage(acting_user=privacy, request=request, categories=["card"], persons_affected=1, due_on=None)
    services.request_refuse(acting_user=privacy, request=request)
    OutsideRequest.objects.filter(pk=request.pk).update(state="closed")
    services.request_shred(acting_user=privacy, request=request)
    connection.close()
    dump = raw_database_bytes()
    assert wrapped not in dump and wrapped.hex().encode() not in dump
