"""Signed inputs the shared vectors do not cover: JavaScript and Python must give the same reason.

Cards and status lists are signed here with the vectors' public test keys
(``sanspeur.credential.vectors.test_signer``), so they verify against the vectors' trust list.
"""

from __future__ import annotations

import base64
import zlib
from datetime import timedelta

import cbor2
import pytest

from sanspeur.credential import (
    StatusListBuilder,
    b45encode,
    load_public_keys_pem,
    load_trust_list,
    verify,
)
from sanspeur.credential import vectors as v
from sanspeur.credential.cose import sig_structure
from sanspeur.credential.signing import P256_ORDER

from .conftest import VECTORS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CARD_KEY = v.test_signer("card key 2026")
RETIRED_KEY = v.test_signer("card key 2025 (retired)")
STATUS_KEY = v.test_signer("status list key")
NOW = v.VERIFY_AT


def _payload(**changes):
    claims = v.base_claims(v.test_photo())
    card = {1: claims.card_number, 2: claims.given_names, 3: claims.family_names, 4: claims.date_of_birth}
    card.update({5: claims.city, 6: claims.borough, 7: claims.photo})
    payload = {
        1: v.ISSUER,
        4: int(v.EXPIRES_AT.timestamp()),
        5: int(v.ISSUED_AT.timestamp()),
        6: int(v.ISSUED_AT.timestamp()),
        65535: {"status_list": {"idx": v.INDEX_VALID, "uri": v.STATUS_URI}},
        -65537: card,
    }
    for key, value in changes.items():
        target, _, name = key.partition("__")
        if target == "card":
            if value is None:
                card.pop(int(name), None)
            else:
                card[int(name)] = value
        elif target == "status":
            payload[65535]["status_list"][name] = value
        elif value is None:
            payload.pop(int(key), None)
        else:
            payload[int(key)] = value
    return payload


def _high_s(signature: bytes) -> bytes:
    return signature[:32] + (P256_ORDER - int.from_bytes(signature[32:], "big")).to_bytes(32, "big")


def _cose(payload, *, signer=CARD_KEY, protected=None, unprotected=None, tamper=None, raw_payload=None, high_s=False):
    protected_map = {1: -7, 4: signer.kid} if protected is None else protected
    protected_bytes = cbor2.dumps(protected_map, canonical=True)
    payload_bytes = raw_payload if raw_payload is not None else cbor2.dumps(payload, canonical=True)
    signature = signer.sign(sig_structure(protected_bytes, payload_bytes))
    if high_s:
        signature = _high_s(signature)
    data = cbor2.dumps(cbor2.CBORTag(18, [protected_bytes, unprotected or {}, payload_bytes, signature]))
    return tamper(data) if tamper else data


def _code(cose: bytes) -> str:
    return "MTL1:" + b45encode(zlib.compress(cose, 9))


def _status_list(*, signer=STATUS_KEY, uri=v.STATUS_URI, issuer=v.ISSUER, size=v.STATUS_SIZE, statuses=None):
    builder = StatusListBuilder(size)
    builder.update(statuses or {})
    return builder.to_token(uri=uri, signer=signer, issued_at=v.STATUS_ISSUED_AT, ttl=timedelta(days=1), issuer=issuer)


def _cases():
    non_minimal = lambda data: data[:2] + b"\x58\x0d" + data[3:]  # noqa: E731 - 1-byte head written in 2
    yield "extra_claims_ignored", _code(_cose(_payload(**{"99": "x", "card__42": "y"}))), None
    yield "no_nbf_uses_iat", _code(_cose(_payload(**{"5": None}))), None
    yield "no_borough", _code(_cose(_payload(card__6=None))), None
    yield "missing_photo", _code(_cose(_payload(card__7=None))), None
    yield "empty_given_names", _code(_cose(_payload(card__2=""))), None
    yield "float_exp", _code(_cose(_payload(**{"4": 1.9e9}))), None
    yield "exp_after_year_9999", _code(_cose(_payload(**{"4": 2**40}))), None
    yield "negative_index", _code(_cose(_payload(status__idx=-1))), None
    yield "index_outside_list", _code(_cose(_payload(status__idx=v.STATUS_SIZE + 5))), None
    yield "other_status_uri", _code(_cose(_payload(status__uri="https://elsewhere.example/1"))), None
    yield "other_issuer_than_list", _code(_cose(_payload(**{"1": "https://other.example"}))), None
    yield "payload_not_a_map", _code(_cose(None, raw_payload=cbor2.dumps([1, 2, 3]))), None
    yield "payload_trailing_bytes", _code(_cose(None, raw_payload=cbor2.dumps(_payload()) + b"\x00")), None
    yield "alg_es384", _code(_cose(_payload(), protected={1: -35, 4: CARD_KEY.kid})), None
    yield "crit_header", _code(_cose(_payload(), protected={1: -7, 2: [4], 4: CARD_KEY.kid})), None
    yield "kid_unprotected_only", _code(_cose(_payload(), protected={1: -7}, unprotected={4: CARD_KEY.kid})), None
    yield "alg_as_text", _code(_cose(_payload(), protected={1: "ES256", 4: CARD_KEY.kid})), None
    yield "unprotected_header_refused", _code(_cose(_payload(), unprotected={99: "note"})), None
    yield "unprotected_kid_copy_refused", _code(_cose(_payload(), unprotected={4: CARD_KEY.kid})), None
    yield "high_s_refused", _code(_cose(_payload(), high_s=True)), None
    yield "high_s_unknown_key", _code(_cose(_payload(), signer=v.test_signer("stranger"), high_s=True)), None
    yield "high_s_status_list", _code(_cose(_payload())), "high_s_list"
    yield "cose_trailing_byte", _code(_cose(_payload(), tamper=lambda d: d + b"\x00")), None
    yield "cose_non_minimal_head", _code(_cose(_payload(), tamper=non_minimal)), None
    yield "untagged", _code(_cose(_payload(), tamper=lambda d: d[1:])), None
    yield "retired_key_after_trusted_until", _code(_cose(_payload(), signer=RETIRED_KEY)), "2031-06-01T00:00:00Z"
    yield "status_value_3", _code(_cose(_payload(status__idx=12))), None
    yield "card_key_signed_status_list", _code(_cose(_payload())), "card_key_list"
    yield "list_for_other_issuer", _code(_cose(_payload())), "other_issuer_list"
    yield "status_list_expired_by_age", _code(_cose(_payload())), "2026-03-08T00:00:01Z"


# Answers pinned here, not only compared: a guard removed from both verifiers at once
# would otherwise leave them agreeing.
PINNED = {
    "unprotected_header_refused": ("malformed", "unprotected_header_not_empty"),
    "unprotected_kid_copy_refused": ("malformed", "unprotected_header_not_empty"),
    "high_s_refused": ("malformed", "high_s_signature"),
    "high_s_unknown_key": ("malformed", "high_s_signature"),
    "high_s_status_list": ("status_list_stale", None),
    "card_key_signed_status_list": ("status_list_stale", "status_list_unknown_issuer"),
    "list_for_other_issuer": ("status_list_stale", "status_list_issuer_mismatch"),
    "extra_claims_ignored": ("valid", None),
}


def _with_high_s(token: bytes) -> bytes:
    tagged = cbor2.loads(token)
    protected, unprotected, payload, signature = tagged.value
    return cbor2.dumps(cbor2.CBORTag(18, [protected, dict(unprotected), payload, _high_s(signature)]))


def test_signed_edge_cases_agree(page):
    root = load_public_keys_pem((VECTORS / "trust_root.pem").read_bytes())
    trust_jws = (VECTORS / "trust_list.jws").read_text()
    lists = {
        None: _status_list(statuses={12: 3}),
        "card_key_list": _status_list(signer=CARD_KEY),
        "other_issuer_list": _status_list(issuer="https://other.example"),
        "high_s_list": _with_high_s(_status_list()),
    }
    cases = []
    for name, code, special in _cases():
        moment = NOW
        list_name = None
        if special and special[0].isdigit():
            from datetime import datetime

            moment = datetime.fromisoformat(special.replace("Z", "+00:00"))
        elif special:
            list_name = special
        token = lists[list_name]
        trust = load_trust_list(trust_jws, root, now=moment)
        expected = verify(code, trust, token, moment)  # raw bytes: parsed (or refused) inside
        if name in PINNED:
            reason, detail = PINNED[name]
            assert expected.reason == reason and (detail is None or expected.detail == detail), (name, expected)
        cases.append(
            {
                "name": name,
                "code": code,
                "now": moment.timestamp(),
                "status": base64.b64encode(token).decode(),
                "expected": expected.reason,
            }
        )
    page.goto(page.base_url + "/verify/")
    got = page.evaluate(
        """
        async ({cases, rootPem, trustJws}) => {
          const m = await import('/static/verify/mtl1.js');
          const roots = await m.loadRoots(rootPem);
          const out = {};
          for (const c of cases) {
            const trust = await m.loadTrustList(trustJws, roots, c.now);
            let statuses = [];
            try {
              statuses = [await m.parseStatusList(m.base64Decode(c.status))];
            } catch (e) {
              if (!(e instanceof m.StatusListError)) throw e;
            }
            const r = await m.verify(c.code, trust, statuses, c.now, {});
            out[c.name] = {reason: r.reason, detail: r.detail};
          }
          return out;
        }
        """,
        {"cases": cases, "rootPem": (VECTORS / "trust_root.pem").read_text(), "trustJws": trust_jws},
    )
    mismatches = {
        c["name"]: (got[c["name"]], c["expected"]) for c in cases if got[c["name"]]["reason"] != c["expected"]
    }
    assert not mismatches, mismatches
    for name, (_reason, detail) in PINNED.items():
        assert detail is None or got[name]["detail"] == detail, (name, got[name])
    reasons = {c["expected"] for c in cases}
    assert {"valid", "malformed", "unknown_issuer", "suspended", "status_list_stale"} <= reasons


def test_status_list_ties_do_not_depend_on_order(page):
    """Two genuine lists for one uri with the same iat: both verifiers take the most
    restrictive answer (then the larger payload bytes), whichever order they get them in."""
    root = load_public_keys_pem((VECTORS / "trust_root.pem").read_bytes())
    trust_jws = (VECTORS / "trust_list.jws").read_text()
    trust = load_trust_list(trust_jws, root, now=NOW)
    code = _code(_cose(_payload()))
    index = v.INDEX_VALID
    pairs = {
        "revoked_vs_valid": (_status_list(statuses={index: 1}), _status_list(), "revoked"),
        "suspended_vs_valid": (_status_list(statuses={index: 2}), _status_list(), "suspended"),
        "revoked_vs_suspended": (_status_list(statuses={index: 1}), _status_list(statuses={index: 2}), "revoked"),
        "value_3_vs_suspended": (_status_list(statuses={index: 3}), _status_list(statuses={index: 2}), "suspended"),
        "other_issuer_vs_valid": (_status_list(issuer="https://other.example"), _status_list(), "status_list_stale"),
        "valid_vs_valid": (_status_list(statuses={5: 1}), _status_list(statuses={6: 2}), "valid"),
    }
    expected = {}
    for name, (a, b, reason) in pairs.items():
        forward = verify(code, trust, [a, b], NOW)
        backward = verify(code, trust, [b, a], NOW)
        assert forward == backward and forward.reason == reason, (name, forward, backward)
        expected[name] = {"reason": forward.reason, "detail": forward.detail}
    page.goto(page.base_url + "/verify/")
    got = page.evaluate(
        """
        async ({pairs, code, now, rootPem, trustJws}) => {
          const m = await import('/static/verify/mtl1.js');
          const trust = await m.loadTrustList(trustJws, await m.loadRoots(rootPem), now);
          const out = {};
          for (const [name, [a, b]] of Object.entries(pairs)) {
            const ta = await m.parseStatusList(m.base64Decode(a));
            const tb = await m.parseStatusList(m.base64Decode(b));
            const forward = await m.verify(code, trust, [ta, tb], now, {});
            const backward = await m.verify(code, trust, [tb, ta], now, {});
            out[name] = [forward, backward].map((r) => ({reason: r.reason, detail: r.detail}));
          }
          return out;
        }
        """,
        {
            "pairs": {
                name: [base64.b64encode(a).decode(), base64.b64encode(b).decode()] for name, (a, b, _) in pairs.items()
            },
            "code": code,
            "now": NOW.timestamp(),
            "rootPem": (VECTORS / "trust_root.pem").read_text(),
            "trustJws": trust_jws,
        },
    )
    for name, want in expected.items():
        assert got[name] == [want, want], (name, got[name], want)


def test_trust_list_with_high_s_is_refused(page):
    jws = (VECTORS / "trust_list.jws").read_text().strip()
    header, payload, signature = jws.split(".")
    raw = base64.urlsafe_b64decode(signature + "==")
    twin = base64.urlsafe_b64encode(_high_s(raw)).decode().rstrip("=")
    page.goto(page.base_url + "/verify/")
    messages = page.evaluate(
        """
        async ({jwsList, pem}) => {
          const m = await import('/static/verify/mtl1.js');
          const roots = await m.loadRoots(pem);
          const out = [];
          for (const jws of jwsList) {
            try { await m.loadTrustList(jws, roots, 1772344800); out.push('accepted'); }
            catch (e) { out.push(e.message); }
          }
          return out;
        }
        """,
        {"jwsList": [jws, f"{header}.{payload}.{twin}"], "pem": (VECTORS / "trust_root.pem").read_text()},
    )
    assert messages == ["accepted", "trust list signature is not in low-s form"]
