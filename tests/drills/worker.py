"""What the drills' child processes run: Django on a drill database, through the real services.

Started by ``conftest.Drill.python`` as ``python -c "from tests.drills.worker import main; main()" ACTION …``
with the environment of a production host (``sanspeur.settings.production``, the drill's
``DATABASE_URL``, key files in a temporary directory). Each action prints one JSON document on its
last line of output; ``issue`` also prints ``begin``/``end`` lines so that the parent knows whether
a kill landed in the middle of a write.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path

PROFILE_BASE = {
    "borough": "Verdun",
    "postal_code": "H4G 1Z9",
    "preferred_language": "fr",
    "gender_marker": "",
    "print_gender": False,
}
GIVEN = ["Zéphyrine", "Anselme", "Noor", "Kwame", "Élodie", "Thi Lan", "Marisol", "Jean-Baptiste"]
FAMILY = ["Quasimodo-Lavoie", "Tremblay", "Nguyễn", "Ben Salah", "Okafor", "Saint-Fleur", "Ramírez"]


def _setup() -> None:
    import django

    django.setup()


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _agent():
    from sanspeur.accounts.models import User

    return User.objects.select_related("organisation").get(username="drill.agent")


def _documents():
    from sanspeur.cards.models import DocumentType

    return list(DocumentType.objects.filter(code__in=["passport", "birth-certificate", "shelter-letter"]))


def _profile(rng: random.Random, serial: int) -> dict:
    born = date(1940, 1, 1) + timedelta(days=rng.randrange(60 * 365))
    return {
        **PROFILE_BASE,
        "given_names": f"{rng.choice(GIVEN)} {serial}",
        "family_names": rng.choice(FAMILY),
        "date_of_birth": born.isoformat(),
        "phone": "",
        "email": f"drill{serial}@example.org" if serial % 2 else "",
    }


def _code(card) -> str:
    from sanspeur.core import vault

    return vault.open_bytes(card.holder.data_key, card.sealed_code, context=card.code_context).decode("ascii")


def _print_card(printed: Path | None, card) -> None:
    """Append the code of a committed card, as the card handed to the person (one write per line)."""
    if printed is None:
        return
    descriptor = os.open(printed, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, (_code(card) + "\n").encode("ascii"))
    finally:
        os.close(descriptor)


# --- actions -----------------------------------------------------------------------------------
def seed(_args) -> dict:
    """An organisation and an enrollment agent (name sealed in the vault), as an administrator would."""
    from django.db import transaction

    from sanspeur.accounts.models import Organisation
    from sanspeur.accounts.services import staff_user_create

    with transaction.atomic():
        organisation = Organisation.objects.create(name="Centre exercice", kind="partner", borough="Verdun")
    agent = staff_user_create(
        acting_user=None,
        username="drill.agent",
        password="drill password not used 2026",
        organisation=organisation,
        roles=["enrollment_agent"],
        full_name="Agent Exercice",
        email="agent@example.org",
    )
    return {"agent": agent.pk}


def issue(args) -> dict:
    """Enroll, issue, replace, renew, revoke, suspend and forget in a loop, like a busy service desk.

    An enrollment's form token is saved before the call: a restarted worker submits it again first,
    as an agent presses "Issue the card" again after a crash (the service must say it exists).
    """
    from sanspeur.cards import services
    from sanspeur.cards.faces import face_jpeg
    from sanspeur.cards.models import Card, Holder

    rng = random.Random(args.seed)  # noqa: S311 - a test's choice of operation
    agent, documents = _agent(), _documents()
    photos = [face_jpeg(n) for n in range(4)]
    printed = Path(args.printed) if args.printed else None
    pending = Path(args.pending) if args.pending else None
    outcomes: Counter = Counter()

    def enroll(token: str) -> str:
        try:
            _holder, card = services.holder_enroll(
                acting_user=agent,
                organisation=agent.organisation,
                profile=_profile(rng, rng.randrange(10**6)),
                photo_jpeg=rng.choice(photos),
                document_types=documents,
                submission_token=token,
            )
        except services.DuplicateSubmission:
            outcomes["enroll_duplicate"] += 1
            return "duplicate"
        _print_card(printed, card)
        return "issued"

    def some_card(state: str | None = Card.State.ACTIVE):
        cards = Card.objects.filter(holder__shredded_at__isnull=True)
        if state:
            cards = cards.filter(state=state)
        return cards.order_by("?").select_related("holder__data_key").first()

    if pending is not None and pending.exists():
        token = pending.read_text().strip()
        if token:
            _out("begin resubmit")
            _out(f"resubmitted: {enroll(token)}")
        pending.unlink()
    _out("ready")

    operations = ["enroll"] * 12 + ["replace", "renew", "revoke", "suspend", "reinstate", "forget"]
    done = 0
    stop = Path(args.stop_file) if args.stop_file else None
    while (args.count is None or done < args.count) and not (stop is not None and stop.exists()):
        operation = "enroll" if done < 3 else rng.choice(operations)
        _out(f"begin {operation}")
        try:
            if operation == "enroll":
                token = f"drill-{os.getpid()}-{done}-{rng.getrandbits(32):08x}"
                if pending is not None:
                    temporary = pending.with_suffix(".tmp")
                    temporary.write_text(token)
                    temporary.replace(pending)
                enroll(token)
                if pending is not None:
                    pending.unlink()
            elif operation == "forget":
                holder = Holder.objects.filter(shredded_at__isnull=True).order_by("?").first()
                if holder is not None:
                    services.holder_forget(acting_user=agent, holder=holder)
            else:
                wanted = Card.State.SUSPENDED if operation == "reinstate" else Card.State.ACTIVE
                card = some_card(wanted)
                if card is not None:
                    if operation == "replace":
                        _print_card(printed, services.card_replace(acting_user=agent, card=card, reason="lost"))
                    elif operation == "renew":
                        _print_card(printed, services.card_renew(acting_user=agent, card=card))
                    elif operation == "revoke":
                        services.card_revoke(acting_user=agent, card=card, reason="fraud")
                    elif operation == "suspend":
                        services.card_suspend(acting_user=agent, card=card)
                    else:
                        services.card_reinstate(acting_user=agent, card=card)
            outcomes[operation] += 1
        except Exception as error:
            if not args.keep_going:
                raise
            outcomes[f"error {operation}: {type(error).__name__}: {error}"] += 1
        _out(f"end {operation}")
        done += 1
    return {"outcomes": dict(outcomes)}


def rotate(args) -> dict:
    """Rotate the card signing key several times with the operators' command, at random gaps."""
    from django.core.management import call_command

    rng = random.Random(args.seed)  # noqa: S311
    time.sleep(args.start_after)
    for _ in range(args.count):
        call_command("cards_keys", "rotate", "card", stdout=io.StringIO())
        time.sleep(rng.uniform(0.0, args.max_gap))
    return {"rotations": args.count}


def populate(args) -> dict:
    """Several kinds of sealed records for the backup drill; one holder is forgotten (shredded).

    Returns what each record must open to after a restore, and the forgotten holder's sealed
    profile and key id as a backup taken *before* the shred would have held them.
    """
    from django.conf import settings
    from django.utils import timezone

    from sanspeur.cards import services
    from sanspeur.cards.faces import face_jpeg
    from sanspeur.clinics import services as clinics
    from sanspeur.protection import services as protection

    # Cheapest Argon2id/scrypt work factors: same code paths; the factors are stored with the unit key.
    settings.SANSPEUR_PROTECTION_KDF_OPSLIMIT = 1
    settings.SANSPEUR_PROTECTION_KDF_MEMLIMIT = 8192
    settings.SANSPEUR_PROTECTION_SCRYPT_N = 2**11

    agent, documents = _agent(), _documents()
    rng = random.Random(7)  # noqa: S311
    printed = Path(args.printed)
    sealed = []
    cards = []
    for serial in range(6):
        profile = _profile(rng, serial + 1)
        holder, card = services.holder_enroll(
            acting_user=agent,
            organisation=agent.organisation,
            profile=profile,
            photo_jpeg=face_jpeg(serial),
            document_types=documents,
        )
        _print_card(printed, card)
        cards.append(card)
        sealed.append(
            {
                "model": "cards.holder",
                "pk": str(holder.pk),
                "field": "sealed_profile",
                "context": holder.profile_context,
                "expect": {"given_names": profile["given_names"], "email": profile["email"]},
            }
        )
    services.card_revoke(acting_user=agent, card=cards[1], reason="stolen")
    services.card_suspend(acting_user=agent, card=cards[2])

    now = timezone.now()
    event = clinics.event_save(
        acting_user=None,
        data={
            "title": "Clinique exercice",
            "date": timezone.localdate() + timedelta(days=3),
            "start_time": time_of_day(9, 0),
            "end_time": time_of_day(17, 0),
            "address": "123, rue Exercice",
            "borough": "Verdun",
            "languages": ",fr,es,",
        },
    )
    service = clinics.service_create(acting_user=None, event=event, kind="vaccination")
    starts = now + timedelta(days=3)
    session = clinics.session_create(
        acting_user=None,
        service=service,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        capacity=5,
        released_at=now - timedelta(hours=1),
    )
    booking, _code_text = clinics.booking_create(
        acting_user=None, session_id=session.pk, reminder="rappel.exercice@example.org"
    )
    sealed.append(
        {
            "model": "clinics.booking",
            "pk": booking.pk,
            "field": "sealed_reminder",
            "key_field": "reminder_key",
            "context": booking.reminder_context,
            "expect": {"contact": "rappel.exercice@example.org"},
        }
    )
    protection.unit_key_create(acting_user=None, passphrase=args.passphrase)
    case, _codename = protection.report_submit(
        acting_user=None, content={"text": "Mon patron garde mon salaire depuis mars"}, category="work", language="fr"
    )
    sealed.append({"model": "protection.case", "pk": case.pk, "expect": {"text": "Mon patron garde mon salaire"}})
    sealed.append(
        {
            "model": "accounts.user",
            "pk": agent.pk,
            "field": "sealed_profile",
            "context": agent.profile_context,
            "expect": {"full_name": "Agent Exercice"},
        }
    )

    forgotten = cards[3].holder
    sealed = [record for record in sealed if record["pk"] != str(forgotten.pk)]
    shredded = {
        "data_key": str(forgotten.data_key_id),
        "blob": bytes(forgotten.sealed_profile).hex(),
        "context": forgotten.profile_context,
        "wrapped": bytes(forgotten.data_key.wrapped).hex(),
    }
    services.holder_forget(acting_user=agent, holder=forgotten)
    return {
        "sealed": sealed,
        "shredded": shredded,
        "cards": {"valid": cards[0].number, "revoked": cards[1].number, "forgotten": cards[3].number},
    }


# --- checks ------------------------------------------------------------------------------------
def _published(root_pem: bytes, save_dir: Path | None):
    """Trust list and status lists as a verifier downloads them from /.well-known/sanspeur/.

    With ``save_dir``, the downloads are also saved there (``trust-list``, ``status-<id>``), as
    ``curl -O`` would, for the ``sanspeur-verify`` command line.
    """
    from django.test import Client

    from sanspeur.cards.models import StatusList
    from sanspeur.credential import load_public_keys_pem, load_trust_list, parse_status_list_token

    client = Client(SERVER_NAME="localhost")
    downloads = {"trust-list": "/.well-known/sanspeur/trust-list"}
    for list_id in StatusList.objects.values_list("id", flat=True):
        downloads[f"status-{list_id}"] = f"/.well-known/sanspeur/status/{list_id}"
    contents = {}
    for name, url in downloads.items():
        response = client.get(url, secure=True)
        assert response.status_code == 200, (url, response.status_code)
        contents[name] = response.content
        if save_dir is not None:
            (save_dir / name).write_bytes(response.content)
    trust = load_trust_list(contents.pop("trust-list"), load_public_keys_pem(root_pem))
    return trust, {name[len("status-") :]: parse_status_list_token(data) for name, data in contents.items()}


def _owners_of_data_keys() -> set:
    """Every DataKey id referenced by any model (found through the foreign keys, not a fixed list)."""
    from django.apps import apps

    from sanspeur.core.models import DataKey

    referenced: set = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is DataKey:
                values = model._default_manager.exclude(**{f"{field.attname}__isnull": True})
                referenced.update(values.values_list(field.attname, flat=True))
    return referenced


def check(args) -> dict:
    """Invariants of the cards data, then every card (and every printed code) verified offline."""
    from sanspeur.cards.models import Card, DocumentCheck, Holder, StatusEntry
    from sanspeur.cards.models import Counter as AnonymousCounter
    from sanspeur.core import vault
    from sanspeur.core.models import AuditEntry, DataKey
    from sanspeur.credential import decode_claims_unverified, decode_unverified, verify

    problems: list[str] = []
    expected_reason = {0: "valid", 1: "revoked", 2: "suspended"}
    state_status = {Card.State.ACTIVE: 0, Card.State.REVOKED: 1, Card.State.SUSPENDED: 2}

    # Data keys: each one belongs to a record, or was shredded when its holder was forgotten.
    owned = _owners_of_data_keys()
    loose = DataKey.objects.exclude(pk__in=owned)
    for key in loose.filter(wrapped__isnull=False):
        problems.append(f"orphan data key {key.pk} ({key.purpose}): not shredded, no record uses it")
    forgotten = AnonymousCounter.objects.filter(name="holders_forgotten").values_list("value", flat=True).first() or 0
    if loose.filter(wrapped__isnull=True, purpose="cards.holder").count() != forgotten:
        problems.append(f"{loose.count()} unreferenced shredded keys, {forgotten} holders forgotten")

    # Holders: whole, or shredded.
    issue_audits = set(AuditEntry.objects.filter(action="cards.card.issue").values_list("object_id", flat=True))
    enroll_audits = set(AuditEntry.objects.filter(action="cards.holder.enroll").values_list("object_id", flat=True))
    holders = Holder.objects.select_related("data_key").prefetch_related("cards")
    for holder in holders:
        if holder.is_shredded:
            if holder.data_key.wrapped is not None or holder.sealed_profile is not None:
                problems.append(f"holder {holder.pk} marked shredded but its key or profile remain")
            continue
        try:
            profile = vault.open_fields(holder.data_key, holder.sealed_profile, context=holder.profile_context)
            vault.open_bytes(holder.data_key, holder.sealed_photo, context=holder.photo_context)
        except vault.VaultError as error:
            problems.append(f"holder {holder.pk}: sealed record does not open ({error!r})")
            continue
        if not profile.get("given_names"):
            problems.append(f"holder {holder.pk}: empty profile")
        if not holder.imported and not holder.cards.all():
            problems.append(f"holder {holder.pk}: enrolled without a card (half an enrollment)")
        if not holder.imported and not DocumentCheck.objects.filter(holder=holder).exists():
            problems.append(f"holder {holder.pk}: no document check")
        if not holder.imported and str(holder.pk) not in enroll_audits:
            problems.append(f"holder {holder.pk}: no enrollment audit entry")

    # Cards: each one has its sealed signed code, matching its number, index and signing key.
    codes = {}
    for card in Card.objects.select_related("holder__data_key", "status_entry"):
        if card.holder.is_shredded:
            continue
        try:
            code = _code(card)
        except vault.VaultError as error:
            problems.append(f"card {card.number}: sealed code does not open ({error!r})")
            continue
        claims = decode_claims_unverified(code)
        entry = card.status_entry
        if (claims.card_number, claims.status_index) != (card.number, entry.index):
            problems.append(f"card {card.number}: code claims {claims.card_number}/{claims.status_index}")
        if not claims.status_list_uri.endswith(f"/status/{entry.status_list_id}"):
            problems.append(f"card {card.number}: code points at {claims.status_list_uri}")
        if decode_unverified(code).kid.hex() != card.signing_kid:
            problems.append(f"card {card.number}: signing_kid differs from the code's kid")
        if claims.expires_at != card.expires_at:
            problems.append(f"card {card.number}: expiry differs from the code's")
        if str(card.pk) not in issue_audits:
            problems.append(f"card {card.number}: no issue audit entry")
        if state_status.get(card.state) != entry.status:
            problems.append(f"card {card.number}: state {card.state} but status entry {entry.status}")
        codes[card.number] = (code, expected_reason[entry.status])

    # Status entries: unique, each one a card's, or a forgotten card's (kept revoked).
    entries = list(StatusEntry.objects.values_list("pk", "status_list_id", "index", "status", "card__id"))
    if len({(list_id, index) for _pk, list_id, index, _s, _c in entries}) != len(entries):
        problems.append("status-list indexes are not unique")
    detached = [pk for pk, _list, _index, status, card in entries if card is None and status != 1]
    if detached:
        problems.append(f"{len(detached)} status entries without a card and not revoked (half an issuance)")
    forget_details = AuditEntry.objects.filter(action="cards.holder.forget").values_list("detail", flat=True)
    forgotten_cards = sum(detail["cards"] for detail in forget_details)
    without_card = sum(1 for entry in entries if entry[4] is None)
    if without_card != forgotten_cards:
        problems.append(f"{without_card} status entries without a card, {forgotten_cards} cards forgotten")

    # Signing keys: a retired card key stays trusted until the last card it signed expires. A key
    # that does not is the rotation race (a card signed while `cards_keys rotate` computed how long
    # the old key stays trusted, committed just after): reported apart, with the cards it breaks.
    trust, tokens = _published(Path(args.root).read_bytes(), Path(args.save_dir) if args.save_dir else None)
    race: list[str] = []
    keys_report, race_kids = _card_keys_report(problems, race, trust)

    # Offline verification: what the published documents say about every card and printed code.
    now = datetime.now(UTC)
    results: Counter = Counter()
    for number, (code, reason) in codes.items():
        result = verify(code, trust, tokens.values(), now)
        results[result.reason] += 1
        if result.reason != reason:
            found = race if decode_unverified(code).kid in race_kids else problems
            found.append(f"card {number}: verifies as {result.reason} ({result.detail}), expected {reason}")
    for list_id, token in tokens.items():
        for _pk, entry_list, index, status, _card in entries:
            if entry_list == list_id and token.status(index) != status:
                problems.append(f"list {list_id} index {index}: published {token.status(index)}, stored {status}")
    # Printed codes: the card in the person's hand. One replaced by a renewal (same number, new code)
    # or whose holder was forgotten may also be refused as unknown_issuer once its key was rotated
    # (the database no longer counts it when computing how long the old key stays trusted).
    printed_results: Counter = Counter()
    if args.printed and Path(args.printed).exists():
        status_of = {(f"/status/{list_id}", index): status for _pk, list_id, index, status, _card in entries}
        for line in Path(args.printed).read_text().splitlines():
            claims = decode_claims_unverified(line)
            suffix = "/status/" + claims.status_list_uri.rsplit("/status/", 1)[1]
            stored = status_of.get((suffix, claims.status_index))
            result = verify(line, trust, tokens.values(), now)
            current = codes.get(claims.card_number)
            kind = "current" if current and current[0] == line else ("superseded" if current else "forgotten")
            printed_results[f"{kind} {result.reason}"] += 1
            allowed = {expected_reason.get(stored)} | ({"unknown_issuer"} if kind != "current" else set())
            if stored is None or result.reason not in allowed:
                found = race if decode_unverified(line).kid in race_kids else problems
                found.append(
                    f"printed {kind} card {claims.card_number}: {result.reason} ({result.detail}), stored {stored}"
                )

    return {
        "problems": problems,
        "rotation_race": race,
        "holders": Holder.objects.count(),
        "cards": Card.objects.count(),
        "data_keys": DataKey.objects.count(),
        "forgotten": forgotten,
        "verified": dict(results),
        "printed": dict(printed_results),
        "card_keys": keys_report,
    }


def _card_keys_report(problems: list[str], race: list[str], trust) -> tuple[dict, set[bytes]]:
    from django.db.models import Max

    from sanspeur.cards import keys
    from sanspeur.cards.models import Card
    from sanspeur.credential import PURPOSE_CARD

    latest = dict(Card.objects.values_list("signing_kid").annotate(latest=Max("expires_at")))
    store = keys.keystore()
    card_keys = [meta for meta in store.keys() if meta.purpose == PURPOSE_CARD]
    race_kids = set()
    for meta in card_keys:
        last = latest.get(meta.kid.hex())
        if last is None or meta.state == "active":
            continue
        if meta.trusted_until is None or meta.trusted_until < last:
            race_kids.add(meta.kid)
            race.append(
                f"card key {meta.kid.hex()[:12]} trusted until {meta.trusted_until}, signed a card valid until {last}"
            )
    for kid in latest:
        if bytes.fromhex(kid) not in trust.keys:
            (race if bytes.fromhex(kid) in race_kids else problems).append(
                f"card key {kid[:12]} signed cards but is not in the trust list"
            )
    return {"card_keys": len(card_keys), "keys_with_cards": len(latest)}, race_kids


def restored(args) -> dict:
    """After a restore: every sealed record opens to what was sealed; the shredded one does not."""
    from django.apps import apps

    from sanspeur.core import vault
    from sanspeur.core.models import DataKey
    from sanspeur.protection import crypto

    expected = json.loads(Path(args.expected).read_text())
    problems: list[str] = []
    opened = 0
    for record in expected["sealed"]:
        model = apps.get_model(record["model"])
        row = model._default_manager.get(pk=record["pk"])
        try:
            if record["model"] == "protection.case":
                private = crypto.unit_private_key_open(row.unit_key, args.passphrase)
                values = json.loads(crypto.open_for_unit(row, row.content, private, context="content"))
            else:
                key = getattr(row, record.get("key_field", "data_key"))
                values = vault.open_fields(key, getattr(row, record["field"]), context=record["context"])
        except Exception as error:  # noqa: BLE001 - reported with the record
            problems.append(f"{record['model']} {record['pk']} does not open: {error!r}")
            continue
        for name, value in record["expect"].items():
            if value not in str(values.get(name)):
                problems.append(f"{record['model']} {record['pk']}: {name} differs after restore")
        opened += 1

    shredded = expected["shredded"]
    key = DataKey.objects.get(pk=shredded["data_key"])
    try:
        vault.open_fields(key, bytes.fromhex(shredded["blob"]), context=shredded["context"])
        problems.append("the forgotten holder's profile opens again after the restore")
    except vault.ShreddedError:
        pass
    return {"problems": problems, "opened": opened, "shredded_key_is_null": key.wrapped is None}


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("seed")
    issuing = sub.add_parser("issue")
    issuing.add_argument("--count", type=int)
    issuing.add_argument("--seed", type=int, default=0)
    issuing.add_argument("--printed")
    issuing.add_argument("--pending")
    issuing.add_argument("--keep-going", action="store_true")
    issuing.add_argument("--stop-file")
    rotating = sub.add_parser("rotate")
    rotating.add_argument("--count", type=int, default=6)
    rotating.add_argument("--seed", type=int, default=0)
    rotating.add_argument("--start-after", type=float, default=0.0)
    rotating.add_argument("--max-gap", type=float, default=0.4)
    populating = sub.add_parser("populate")
    populating.add_argument("--printed", required=True)
    populating.add_argument("--passphrase", required=True)
    checking = sub.add_parser("check")
    checking.add_argument("--root", required=True)
    checking.add_argument("--printed")
    checking.add_argument("--save-dir")
    restoring = sub.add_parser("restored")
    restoring.add_argument("--expected", required=True)
    restoring.add_argument("--passphrase", required=True)
    args = parser.parse_args(sys.argv[1:])
    _setup()
    action = {
        "seed": seed,
        "issue": issue,
        "rotate": rotate,
        "populate": populate,
        "check": check,
        "restored": restored,
    }[args.action]
    _out(json.dumps(action(args), default=str))
