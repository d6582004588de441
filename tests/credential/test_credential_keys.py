"""File key store, rotation, and the signed trust list."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from credential_helpers import NOW, World

from sanspeur.credential import (
    PURPOSE_CARD,
    PURPOSE_STATUS_LIST,
    PURPOSE_TRUST_LIST,
    FileSigner,
    KeyStore,
    KeyStoreError,
    LocalSigner,
    Signer,
    StatusListBuilder,
    TrustedKey,
    TrustListError,
    create_trust_list,
    issue,
    kid_for_public_key,
    load_public_keys_pem,
    load_trust_list,
    parse_status_list_token,
    verify,
)
from sanspeur.credential.jwk import b64url_decode, b64url_encode


def _store_world(keydir: Path) -> tuple[KeyStore, LocalSigner]:
    store = KeyStore(keydir)
    store.create_key(PURPOSE_CARD, now=NOW - timedelta(days=400))
    store.create_key(PURPOSE_STATUS_LIST, now=NOW - timedelta(days=400))
    root_meta = store.create_key(PURPOSE_TRUST_LIST, now=NOW - timedelta(days=400))
    return store, store.signer(root_meta.kid)


def _publish(store: KeyStore, root: Signer, now=NOW):
    jws = create_trust_list(store.trusted(now), root, issuer="test", issued_at=now)
    roots = load_public_keys_pem(store.export_public_pem(root.kid))
    return load_trust_list(jws, roots, now=now)


def _status(store: KeyStore, world: World, now=NOW):
    token = StatusListBuilder().to_token(
        uri=world.status_list.uri, signer=store.active_signer(PURPOSE_STATUS_LIST), issued_at=now, ttl=86400
    )
    return parse_status_list_token(token)


def test_file_layout_and_permissions(tmp_path: Path) -> None:
    store, root = _store_world(tmp_path / "keys")
    card = store.active(PURPOSE_CARD)
    assert card is not None
    pem = tmp_path / "keys" / f"{card.kid.hex()}.pem"
    meta = json.loads((tmp_path / "keys" / f"{card.kid.hex()}.json").read_text())
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    assert meta["kid"] == card.kid.hex() and meta["state"] == "active" and meta["purpose"] == "card"
    assert meta["created"].endswith("Z") and "d" not in meta["public_key"]
    signer = store.active_signer(PURPOSE_CARD)
    assert isinstance(signer, FileSigner) and isinstance(signer, Signer)
    assert signer.kid == kid_for_public_key(signer.public_key()) == card.kid
    assert "PRIVATE" not in repr(signer)
    with pytest.raises(KeyStoreError):
        store.create_key(PURPOSE_CARD)
    with pytest.raises(KeyStoreError):
        store.create_key("banana")
    # The trust-list root is never published in the trust list itself.
    assert root.kid not in {meta.kid for meta in store.trusted(NOW)}


def test_passphrase_protected_keys(tmp_path: Path) -> None:
    store = KeyStore(tmp_path, passphrase=b"correct horse")
    meta = store.create_key(PURPOSE_CARD, now=NOW)
    assert b"ENCRYPTED" in (tmp_path / f"{meta.kid.hex()}.pem").read_bytes()
    assert store.active_signer(PURPOSE_CARD).kid == meta.kid
    with pytest.raises((TypeError, ValueError)):
        KeyStore(tmp_path).active_signer(PURPOSE_CARD)


def test_rotation_keeps_old_cards_valid_until_trusted_until(tmp_path: Path, world: World) -> None:
    store, root = _store_world(tmp_path / "keys")
    old_signer = store.active_signer(PURPOSE_CARD)
    old_card = issue(world.claims(expires_at=NOW + timedelta(days=300)), old_signer)

    new_meta, retired = store.rotate(PURPOSE_CARD, trusted_until=NOW + timedelta(days=300), now=NOW)
    assert retired is not None and retired.state == "retired" and retired.kid == old_signer.kid
    assert store.active(PURPOSE_CARD) == new_meta
    new_card = issue(world.claims(), store.active_signer(PURPOSE_CARD))

    trust = _publish(store, root)
    status = _status(store, world)
    assert verify(old_card, trust, status, NOW).valid  # retired but trusted
    assert verify(new_card, trust, status, NOW).valid

    # Published with its end date: past it, verifiers stop trusting the key on their own,
    # even with the same trust list.
    entry = trust.keys[old_signer.kid]
    assert entry.trusted_until == NOW + timedelta(days=300)
    later = NOW + timedelta(days=301)
    assert verify(old_card, trust, status, later).reason == "unknown_issuer"

    # Pruning after trusted_until removes the key; the next trust list no longer has it.
    assert store.prune(later) == [old_signer.kid]
    assert not (tmp_path / "keys" / f"{old_signer.kid.hex()}.pem").exists()


def test_removed_key_no_longer_verifies(tmp_path: Path, world: World) -> None:
    store, root = _store_world(tmp_path / "keys")
    compromised = store.active_signer(PURPOSE_CARD)
    card = issue(world.claims(), compromised)
    store.rotate(PURPOSE_CARD, trusted_until=NOW + timedelta(days=1000), now=NOW)
    assert verify(card, _publish(store, root), _status(store, world), NOW).valid
    store.remove(compromised.kid)
    result = verify(card, _publish(store, root), _status(store, world), NOW)
    assert result.reason == "unknown_issuer"
    with pytest.raises(KeyStoreError):
        store.remove(compromised.kid)


def test_retire_without_successor(tmp_path: Path, world: World) -> None:
    store, root = _store_world(tmp_path / "keys")
    signer = store.active_signer(PURPOSE_CARD)
    card = issue(world.claims(), signer)
    store.retire(signer.kid, trusted_until=NOW + timedelta(days=10), now=NOW)
    with pytest.raises(KeyStoreError):
        store.active_signer(PURPOSE_CARD)
    trust = _publish(store, root)
    assert verify(card, trust, _status(store, world), NOW).valid
    assert verify(card, trust, _status(store, world, NOW + timedelta(days=11)), NOW + timedelta(days=11)).reason == (
        "unknown_issuer"
    )


def test_status_list_key_rotation(tmp_path: Path, world: World) -> None:
    store, root = _store_world(tmp_path / "keys")
    card = issue(world.claims(), store.active_signer(PURPOSE_CARD))
    old_status = _status(store, world)
    store.rotate(PURPOSE_STATUS_LIST, trusted_until=NOW + timedelta(days=7), now=NOW)
    trust = _publish(store, root)
    assert verify(card, trust, old_status, NOW).valid
    assert verify(card, trust, _status(store, world), NOW).valid


def test_trust_list_must_come_from_a_configured_root(world: World) -> None:
    roots = [world.root.public_key()]
    assert load_trust_list(world.trust_jws, roots, now=NOW).signed_by == world.root.kid
    with pytest.raises(TrustListError, match="unknown root"):
        load_trust_list(world.trust_jws, [LocalSigner.generate().public_key()], now=NOW)
    header, payload, signature = world.trust_jws.split(".")
    # Add a key to the payload without re-signing.
    data = json.loads(b64url_decode(payload))
    intruder = LocalSigner.generate()
    data["keys"].append(TrustedKey(intruder.kid, intruder.public_key(), frozenset({"card"})).to_jwk())
    forged = f"{header}.{b64url_encode(json.dumps(data).encode())}.{signature}"
    with pytest.raises(TrustListError, match="signature"):
        load_trust_list(forged, roots, now=NOW)
    for garbage in ("", "a.b", "a.b.c", "...", world.trust_jws.replace(".", "!"), b"\xff\xfe"):
        with pytest.raises(TrustListError):
            load_trust_list(garbage, roots, now=NOW)


def test_trust_list_expiry_and_contents(world: World) -> None:
    keys = [TrustedKey(world.card_key.kid, world.card_key.public_key(), frozenset({"card"}))]
    jws = create_trust_list(keys, world.root, issuer="x", issued_at=NOW, expires_at=NOW + timedelta(days=30))
    trust = load_trust_list(jws, [world.root.public_key()], now=NOW)
    assert trust.expires_at == NOW + timedelta(days=30)
    assert trust.find(world.card_key.kid, "card", NOW) is not None
    assert trust.find(world.card_key.kid, "status-list", NOW) is None
    with pytest.raises(TrustListError, match="expired"):
        load_trust_list(jws, [world.root.public_key()], now=NOW + timedelta(days=31))
    with pytest.raises(ValueError, match="duplicate"):
        create_trust_list(keys + keys, world.root, issuer="x", issued_at=NOW)


def test_trust_list_rejects_private_keys_and_other_curves(world: World) -> None:
    jwk = TrustedKey(world.card_key.kid, world.card_key.public_key(), frozenset({"card"})).to_jwk()
    from sanspeur.credential.trustlist import sign_trust_list

    for bad in (
        {**jwk, "d": "AAAA"},
        {**jwk, "crv": "P-384"},
        {**jwk, "x": jwk["y"]},  # not on the curve
        {**jwk, "purposes": []},
        {**jwk, "kid": "!!"},
    ):
        jws = sign_trust_list({"iss": "x", "iat": 0, "exp": None, "keys": [bad]}, world.root)
        with pytest.raises(TrustListError):
            load_trust_list(jws, [world.root.public_key()], now=NOW)


def test_load_public_keys_pem_reads_several_roots(world: World) -> None:
    from cryptography.hazmat.primitives import serialization

    pems = b"".join(
        signer.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        for signer in (world.root, world.card_key)
    )
    keys = load_public_keys_pem(pems)
    assert [kid_for_public_key(k) for k in keys] == [world.root.kid, world.card_key.kid]
    with pytest.raises(ValueError):
        load_public_keys_pem(b"nothing here")


def test_trusted_key_from_metadata(tmp_path: Path) -> None:
    store = KeyStore(tmp_path)
    meta = store.create_key(PURPOSE_CARD, now=NOW)
    assert TrustedKey.from_metadata(meta).trusted_until is None
    retired = store.retire(meta.kid, trusted_until=NOW + timedelta(days=2), now=NOW)
    assert TrustedKey.from_metadata(retired).trusted_until == NOW + timedelta(days=2)
    assert replace(retired, trusted_until=NOW - timedelta(days=1)).is_trusted(NOW) is False


def test_rotation_never_leaves_a_moment_without_a_signing_key(tmp_path: Path, monkeypatch) -> None:
    """The new key is written before the old one is retired: an issuance reading the store in
    between still finds a key (the rotation drill found issuances failing in that gap)."""
    store = KeyStore(tmp_path)
    old = store.create_key(PURPOSE_CARD, now=NOW)
    seen_while_retiring = []
    original_retire = KeyStore.retire

    def watching_retire(self, kid, **kwargs):
        seen_while_retiring.append(self.active(PURPOSE_CARD))
        return original_retire(self, kid, **kwargs)

    monkeypatch.setattr(KeyStore, "retire", watching_retire)
    new, retired = store.rotate(PURPOSE_CARD, trusted_until=NOW + timedelta(days=30), now=NOW)
    assert retired.kid == old.kid and retired.state == "retired"
    # While the old key was being retired, the newest active key (the new one) already signed.
    assert [meta.kid for meta in seen_while_retiring] == [new.kid]
    assert store.active(PURPOSE_CARD).kid == new.kid
    assert new.created > old.created  # same clock reading: still ordered, the new key wins
