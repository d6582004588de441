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
    parse_status_list_token,
    verify,
)
from sanspeur.credential import vectors as v
from sanspeur.credential.cose import sig_structure

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


def _cose(payload, *, signer=CARD_KEY, protected=None, unprotected=None, tamper=None, raw_payload=None):
    protected_map = {1: -7, 4: signer.kid} if protected is None else protected
    protected_bytes = cbor2.dumps(protected_map, canonical=True)
    payload_bytes = raw_payload if raw_payload is not None else cbor2.dumps(payload, canonical=True)
    signature = signer.sign(sig_structure(protected_bytes, payload_bytes))
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
    yield "unprotected_header_ignored", _code(_cose(_payload(), unprotected={99: "note"})), None
    yield "cose_trailing_byte", _code(_cose(_payload(), tamper=lambda d: d + b"\x00")), None
    yield "cose_non_minimal_head", _code(_cose(_payload(), tamper=non_minimal)), None
    yield "untagged", _code(_cose(_payload(), tamper=lambda d: d[1:])), None
    yield "retired_key_after_trusted_until", _code(_cose(_payload(), signer=RETIRED_KEY)), "2031-06-01T00:00:00Z"
    yield "status_value_3", _code(_cose(_payload(status__idx=12))), None
    yield "card_key_signed_status_list", _code(_cose(_payload())), "card_key_list"
    yield "list_for_other_issuer", _code(_cose(_payload())), "other_issuer_list"
    yield "status_list_expired_by_age", _code(_cose(_payload())), "2026-03-08T00:00:01Z"


def test_signed_edge_cases_agree(page):
    root = load_public_keys_pem((VECTORS / "trust_root.pem").read_bytes())
    trust_jws = (VECTORS / "trust_list.jws").read_text()
    lists = {
        None: _status_list(statuses={12: 3}),
        "card_key_list": _status_list(signer=CARD_KEY),
        "other_issuer_list": _status_list(issuer="https://other.example"),
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
        expected = verify(code, trust, parse_status_list_token(token), moment)
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
            const status = await m.parseStatusList(m.base64Decode(c.status));
            const r = await m.verify(c.code, trust, [status], c.now, {});
            out[c.name] = r.reason;
          }
          return out;
        }
        """,
        {"cases": cases, "rootPem": (VECTORS / "trust_root.pem").read_text(), "trustJws": trust_jws},
    )
    mismatches = {c["name"]: (got[c["name"]], c["expected"]) for c in cases if got[c["name"]] != c["expected"]}
    assert not mismatches, mismatches
    reasons = {c["expected"] for c in cases}
    assert {"valid", "malformed", "unknown_issuer", "suspended", "status_list_stale"} <= reasons
