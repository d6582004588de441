"""Signing keys (outside the database), the trust list and the status-list tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from sanspeur.credential import (
    PURPOSE_CARD,
    PURPOSE_STATUS_LIST,
    PURPOSE_TRUST_LIST,
    KeyStore,
    StatusListFullError,
    build_status_list_token,
    create_trust_list,
)

PURPOSES = (PURPOSE_CARD, PURPOSE_STATUS_LIST, PURPOSE_TRUST_LIST)
TRUST_LIST_NAME = "trust-list"


def issuer() -> str:
    return settings.SANSPEUR_CARD_ISSUER


def status_list_uri(list_id: str) -> str:
    """A stable identifier (the card carries it): the public URL of the list on the production host."""
    return f"{issuer()}/.well-known/sanspeur/status/{list_id}"


def status_list_ttl() -> int:
    return settings.SANSPEUR_STATUS_LIST_TTL_SECONDS


def status_list_size() -> int:
    from .models import STATUS_LIST_MIN_SIZE

    return max(settings.SANSPEUR_STATUS_LIST_SIZE, STATUS_LIST_MIN_SIZE)


def key_dir() -> Path:
    return Path(settings.SANSPEUR_KEY_DIR) / "signing"


def keystore() -> KeyStore:
    return KeyStore(key_dir())


def ensure_keys() -> KeyStore:
    """The key store, with an active key per purpose. Missing keys are created only in dev/test."""
    store = keystore()
    missing = [purpose for purpose in PURPOSES if store.active(purpose) is None]
    if missing:
        if not settings.SANSPEUR_CREATE_MISSING_KEYS:
            raise ImproperlyConfigured(
                f"No active signing key for {', '.join(missing)}: run `sanspeur cards_keys create`."
            )
        for purpose in missing:
            store.create_key(purpose)
    return store


def latest_card_expiry(kid_hex: str):
    from .models import Card

    return Card.objects.filter(signing_kid=kid_hex).aggregate(latest=Max("expires_at"))["latest"]


def rotation_trusted_until(purpose: str, kid_hex: str):
    """How long a retired key must stay in the trust list.

    A card key: until the latest expiry among the cards it signed. Those in the database are not
    all of them: an issuance may have signed with the key a moment ago and not committed yet (the
    rotation drill catches exactly that), so the key also stays trusted as long as a card issued
    now would be valid, plus a day for the slowest transaction.
    """
    now = timezone.now()
    if purpose == PURPOSE_CARD:
        from .models import CardRules
        from .services import add_months

        in_flight = add_months(now, CardRules.current().validity_months) + timedelta(days=1)
        latest = latest_card_expiry(kid_hex)
        return max(latest, in_flight) if latest else in_flight
    # Status lists: verifiers may hold a token up to their max age (7 days by default).
    return now + timedelta(days=settings.SANSPEUR_STATUS_KEY_OVERLAP_DAYS)


# --- trust list ------------------------------------------------------------------------------------
def trust_list_rebuild() -> str:
    from .models import PublishedDocument

    store = ensure_keys()
    now = timezone.now()
    jws = create_trust_list(store.trusted(now), store.active_signer(PURPOSE_TRUST_LIST), issuer=issuer(), issued_at=now)
    PublishedDocument.objects.update_or_create(
        name=TRUST_LIST_NAME,
        defaults={"content": jws.encode("ascii"), "etag": _etag(jws.encode("ascii")), "issued_at": now},
    )
    return jws


def trust_list_current():
    """The published trust list, rebuilt when missing or a day old."""
    from .models import PublishedDocument

    document = PublishedDocument.objects.filter(name=TRUST_LIST_NAME).first()
    max_age = timedelta(hours=settings.SANSPEUR_TRUST_LIST_REFRESH_HOURS)
    if document is None or document.issued_at < timezone.now() - max_age:
        trust_list_rebuild()
        document = PublishedDocument.objects.get(name=TRUST_LIST_NAME)
    return document


def trust_root_pem() -> bytes:
    store = ensure_keys()
    return store.export_public_pem(store.active(PURPOSE_TRUST_LIST).kid)


# --- status lists ------------------------------------------------------------------------------------
def _etag(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def open_status_list():
    from .models import StatusList

    status_list = StatusList.objects.filter(is_open=True).order_by("created_at", "id").first()
    if status_list is None:
        status_list = _next_status_list()
    return status_list


def _next_status_list():
    """A new open list, numbered after the others (two issuances that race make one list)."""
    from .models import StatusList

    while True:
        name = str(StatusList.objects.count() + 1)
        try:
            with transaction.atomic():
                return StatusList.objects.create(id=name, size=status_list_size())
        except IntegrityError:
            found = StatusList.objects.filter(pk=name, is_open=True).first()
            if found is not None:
                return found


#: Random draws in a list before it counts as full. A draw hits a taken index with probability
#: equal to the list's fill, so 32 misses in a row happen about once per 30 issuances at 90 %
#: and once per 1,300 at 80 %: lists close at about 90 % full, the same as before.
PROBES = 32


def allocate_entry(*, keep_until):
    """A random free index in the open list, without locking the list: each draw tries to insert
    its entry (the unique index of list and index refuses a taken one, even one taken by an
    issuance that has not committed yet) in a savepoint. A list that refuses ``PROBES`` draws in
    a row is closed and the next one opened.

    Issuances used to lock the open list's row from here to their commit (signing, sealing): every
    desk of the city waited for the one before (bench/scale.py, docs/benchmarks.md)."""
    from .models import StatusEntry, StatusList

    for _attempt in range(8):
        status_list = open_status_list()
        for _draw in range(PROBES):
            index = secrets.randbelow(status_list.size)
            try:
                with transaction.atomic():
                    return StatusEntry.objects.create(status_list=status_list, index=index, keep_until=keep_until)
            except IntegrityError:
                continue
        StatusList.objects.filter(pk=status_list.pk, is_open=True).update(is_open=False)
        _next_status_list()
    raise StatusListFullError("no status list has a free index")


def status_entry_set(entry, status: int) -> None:
    """Change an entry; its list's token is dropped now and rebuilt right after the commit."""
    from .models import StatusEntry, StatusList

    StatusEntry.objects.filter(pk=entry.pk).update(status=status)
    entry.status = status
    StatusList.objects.filter(pk=entry.status_list_id).update(token=None)
    list_id = entry.status_list_id
    transaction.on_commit(lambda: status_list_rebuild(list_id))


def status_list_rebuild(list_id: str):
    from .models import StatusEntry, StatusList

    store = ensure_keys()
    status_list = StatusList.objects.get(pk=list_id)
    statuses = dict(
        StatusEntry.objects.filter(status_list=status_list).exclude(status=0).values_list("index", "status")
    )
    now = timezone.now()
    token = build_status_list_token(
        statuses,
        size=status_list.size,
        uri=status_list_uri(status_list.id),
        signer=store.active_signer(PURPOSE_STATUS_LIST),
        issued_at=now,
        ttl=status_list_ttl(),
        issuer=issuer(),
    )
    StatusList.objects.filter(pk=list_id).update(token=token, token_issued_at=now, etag=_etag(token))
    status_list.token, status_list.token_issued_at, status_list.etag = token, now, _etag(token)
    return status_list


def status_list_current(list_id: str):
    """The signed token of a list, rebuilt if an entry changed or it is older than half its ttl."""
    from .models import StatusList

    status_list = StatusList.objects.get(pk=list_id)
    stale = timezone.now() - timedelta(seconds=status_list_ttl() // 2)
    if status_list.token is None or status_list.token_issued_at is None or status_list.token_issued_at < stale:
        status_list = status_list_rebuild(list_id)
    return status_list


def publish_all() -> tuple[int, str]:
    from .models import StatusList

    count = 0
    for list_id in StatusList.objects.values_list("id", flat=True):
        status_list_rebuild(list_id)
        count += 1
    trust_list_rebuild()
    return count, TRUST_LIST_NAME
