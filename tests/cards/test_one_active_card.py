"""One valid card per holder (issue 14: repeated issuance gave one person 4 valid cards): the
database refuses a second active card, every service refuses it first with a translated message,
and a race that reaches the database constraint ends in the same refusal, never a server error."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import override

from sanspeur.cards import services
from sanspeur.cards.faces import face_jpeg
from sanspeur.cards.models import Card, Holder
from sanspeur.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def active(holder):
    return Card.objects.filter(holder=holder, state=Card.State.ACTIVE).count()


def test_the_database_refuses_a_second_active_card(enrolled, agent):
    holder, card = enrolled
    services.card_suspend(acting_user=agent, card=card)
    second = services.card_issue(acting_user=agent, holder=holder)
    assert active(holder) == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Card.objects.filter(pk=card.pk).update(state=Card.State.ACTIVE)
    assert Card.objects.get(pk=second.pk).state == Card.State.ACTIVE


def test_issuing_again_to_a_holder_with_a_valid_card_is_refused(enrolled, agent):
    holder, _card = enrolled
    entries = AuditEntry.objects.count()
    with pytest.raises(services.ActiveCardExists) as refused:
        services.card_issue(acting_user=agent, holder=holder)
    with override("fr"):
        assert "a déjà une carte valide" in str(refused.value.message)
    assert active(holder) == 1 and Card.objects.filter(holder=holder).count() == 1
    assert AuditEntry.objects.count() == entries  # nothing written


def test_renewing_an_old_card_while_another_is_valid_is_refused(enrolled, agent):
    holder, card = enrolled
    Card.objects.filter(pk=card.pk).update(expires_at=timezone.now() - timedelta(days=1))
    assert services.card_expire(acting_user=agent, card=card)
    services.card_issue(acting_user=agent, holder=holder)
    with pytest.raises(services.ActiveCardExists):
        services.card_renew(acting_user=agent, card=card)
    assert active(holder) == 1
    assert Card.objects.get(pk=card.pk).state == Card.State.EXPIRED


def test_reinstating_a_suspended_card_while_another_is_valid_is_refused(enrolled, agent):
    holder, card = enrolled
    services.card_suspend(acting_user=agent, card=card)
    services.card_issue(acting_user=agent, holder=holder)
    with pytest.raises(services.ActiveCardExists):
        services.card_reinstate(acting_user=agent, card=card)
    assert active(holder) == 1
    assert Card.objects.get(pk=card.pk).state == Card.State.SUSPENDED


def test_replacing_and_renewing_keep_one_valid_card(enrolled, agent):
    holder, card = enrolled
    new = services.card_replace(acting_user=agent, card=card, reason="lost")
    services.card_renew(acting_user=agent, card=new)
    assert active(holder) == 1
    assert Card.objects.get(pk=new.pk).state == Card.State.ACTIVE


@pytest.mark.parametrize("operation", ["issue", "renew", "reinstate"])
def test_a_race_that_reaches_the_constraint_becomes_the_same_refusal(enrolled, agent, monkeypatch, operation):
    """Two desks act on one holder at once: the check each service makes first sees no other valid
    card in either transaction, and the database constraint decides. Simulated by skipping that
    check, so that the second write meets the constraint."""
    holder, card = enrolled
    if operation == "issue":
        other = card
    else:
        services.card_suspend(acting_user=agent, card=card)
        other = services.card_issue(acting_user=agent, holder=holder)
        if operation == "renew":
            Card.objects.filter(pk=card.pk).update(state=Card.State.EXPIRED)
    monkeypatch.setattr(services, "_refuse_a_second_active_card", lambda card: None)
    entries = AuditEntry.objects.count()
    with pytest.raises(services.ActiveCardExists):
        if operation == "issue":
            services.card_issue(acting_user=agent, holder=holder)
        elif operation == "renew":
            services.card_renew(acting_user=agent, card=card)
        else:
            services.card_reinstate(acting_user=agent, card=card)
    assert active(holder) == 1 and Card.objects.get(pk=other.pk).state == Card.State.ACTIVE
    assert AuditEntry.objects.count() == entries


def test_the_issue_page_says_why_instead_of_a_server_error(mfa_client, agent, enrolled):
    from django.core.files.uploadedfile import SimpleUploadedFile

    holder, _card = enrolled
    Holder.objects.filter(pk=holder.pk).update(needs_new_card=True)
    client = mfa_client(agent)
    client.raise_request_exception = False
    upload = SimpleUploadedFile("p.jpg", face_jpeg(3), content_type="image/jpeg")
    response = client.post(f"/fr/cards/holders/{holder.pk}/issue/", {"photo_upload": upload}, follow=True)
    assert response.status_code == 200
    assert "a déjà une carte valide" in response.content.decode()
    assert active(holder) == 1


def test_the_reinstate_page_says_why_instead_of_a_server_error(mfa_client, agent, enrolled):
    holder, card = enrolled
    services.card_suspend(acting_user=agent, card=card)
    services.card_issue(acting_user=agent, holder=holder)
    client = mfa_client(agent)
    client.raise_request_exception = False
    response = client.post(f"/fr/cards/cards/{card.pk}/reinstate/", follow=True)
    assert response.status_code == 200
    assert "a déjà une carte valide" in response.content.decode()
    assert active(holder) == 1


@pytest.mark.django_db(transaction=True)
def test_two_desks_at_the_same_moment_leave_one_valid_card(agent, documents):
    """For real, on two connections: one desk reinstates the suspended card while another issues a
    new one. Whichever commits first wins; the other is refused, never a server error."""
    import threading

    from django.db import connections

    from .conftest import PROFILE

    holder, card = services.holder_enroll(
        acting_user=agent,
        organisation=agent.organisation,
        profile=dict(PROFILE),
        photo_jpeg=face_jpeg(1),
        document_types=documents,
    )
    services.card_suspend(acting_user=agent, card=card)
    start = threading.Barrier(2)
    outcomes = []

    def desk(act):
        try:
            start.wait()
            act()
            outcomes.append("done")
        except services.ActiveCardExists:
            outcomes.append("refused")
        finally:
            connections.close_all()

    desks = [
        threading.Thread(target=desk, args=(lambda: services.card_reinstate(acting_user=agent, card=card),)),
        threading.Thread(target=desk, args=(lambda: services.card_issue(acting_user=agent, holder=holder),)),
    ]
    for thread in desks:
        thread.start()
    for thread in desks:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["done", "refused"]
    assert active(holder) == 1
