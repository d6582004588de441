"""The JavaScript verifier gives exactly the Python library's answers on every shared vector."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from .conftest import VECTOR_DATA, VECTORS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RUN_ALL = """
async ({cases, rootPem, trustJws, statusB64, options}) => {
  const m = await import('/static/verify/mtl1.js');
  const roots = await m.loadRoots(rootPem);
  const out = {};
  for (const c of cases) {
    const now = Date.parse(c.now) / 1000;
    const trust = await m.loadTrustList(trustJws, roots, now);
    const status = await m.parseStatusList(m.base64Decode(statusB64));
    const r = await m.verify(c.code, trust, [status], now, options);
    let photoSha = null;
    if (r.photo) {
      photoSha = m.hex(new Uint8Array(await crypto.subtle.digest('SHA-256', r.photo)));
    }
    out[c.name] = {valid: r.valid, reason: r.reason, warnings: r.warnings, detail: r.detail,
                   claims: r.claims && {...r.claims, photo: undefined}, photoSha};
  }
  return out;
}
"""


def _run(page, cases):
    page.goto(page.base_url + "/verify/")
    options = VECTOR_DATA["verify_options"]
    return page.evaluate(
        RUN_ALL,
        {
            "cases": cases,
            "rootPem": (VECTORS / "trust_root.pem").read_text(),
            "trustJws": (VECTORS / "trust_list.jws").read_text(),
            "statusB64": base64.b64encode((VECTORS / "status_list.cwt").read_bytes()).decode(),
            "options": {"maxStatusAge": options["max_status_age_seconds"], "leeway": options["leeway_seconds"]},
        },
    )


def _iso(seconds: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_javascript_and_python_agree_on_every_vector(page):
    cases = VECTOR_DATA["cases"]
    # includes a Huffman-coded card (issued before stored zlib blocks), and a card's high-s
    # twin and a card with unsigned data in its unprotected header (one encoding only)
    assert len(cases) == 20
    results = _run(page, cases)
    for case in cases:
        expected = case["expected"]
        got = results[case["name"]]
        assert (got["valid"], got["reason"], got["warnings"]) == (
            expected["valid"],
            expected["reason"],
            expected["warnings"],
        ), (case["name"], got)
        if "detail" in expected:  # a stable code (or none): the same in both verifiers
            assert got["detail"] == expected["detail"], (case["name"], got)
        if expected["valid"]:
            claims = got["claims"]
            want = expected["claims"]
            for name in ("issuer", "card_number", "given_names", "family_names", "date_of_birth", "city"):
                assert claims[name] == want[name], (case["name"], name)
            assert claims.get("borough") == want.get("borough")
            assert claims["status_list_uri"] == want["status_list_uri"]
            assert claims["status_index"] == want["status_index"]
            assert _iso(claims["expires_at"]) == want["expires_at"]
            assert _iso(claims["issued_at"]) == want["issued_at"]
            assert got["photoSha"] == expected["photo_sha256"]
    assert results["malformed_high_s"]["detail"] == "high_s_signature"
    assert results["malformed_unprotected_header"]["detail"] == "unprotected_header_not_empty"
    # every reason of the library is exercised
    assert {r["reason"] for r in results.values()} == {
        "valid",
        "malformed",
        "unknown_issuer",
        "bad_signature",
        "expired",
        "not_yet_valid",
        "revoked",
        "suspended",
        "status_list_stale",
    }


def test_javascript_matches_python_on_extra_edge_cases(page):
    """Inputs the vectors do not cover, answered by the Python library right here."""
    from datetime import datetime

    from sanspeur.credential import load_public_keys_pem, load_trust_list, parse_status_list_token, verify

    valid = next(c for c in VECTOR_DATA["cases"] if c["name"] == "valid")
    code = valid["code"]
    variants = {
        "lowercase": code.lower(),
        "trailing_newline": code + "\n",
        "surrounding_spaces": "  " + code + "  ",
        "python_only_space": "\x1c" + code + "\x85",
        "bom_is_not_space": code + "\ufeff",
        "nbsp": "\xa0" + code + "\u3000",
        "extra_char": code + "A",
        "two_extra": code + "AA",
        "prefix_only": "MTL1:",
        "mtl2": "MTL2:" + code[5:],
        "bad_triple": "MTL1:" + ":::",
        "huge": "MTL1:" + "A" * 4500,
        "not_zlib_bytes": "MTL1:" + "0" * 30,
    }
    cases = [{"name": name, "code": text, "now": valid["now"]} for name, text in variants.items()]
    results = _run(page, cases)
    root = load_public_keys_pem((VECTORS / "trust_root.pem").read_bytes())
    now = datetime.fromisoformat(valid["now"].replace("Z", "+00:00"))
    trust = load_trust_list((VECTORS / "trust_list.jws").read_text(), root, now=now)
    status = parse_status_list_token((VECTORS / "status_list.cwt").read_bytes())
    for case in cases:
        expected = verify(case["code"], trust, status, now)
        assert results[case["name"]]["reason"] == expected.reason, (case["name"], results[case["name"]], expected)
    assert json.dumps(results)  # plain data only


def test_trust_list_must_verify_against_the_pinned_root(page):
    page.goto(page.base_url + "/verify/")
    outcome = page.evaluate(
        """
        async ({trustJws}) => {
          const m = await import('/static/verify/mtl1.js');
          // a root that did not sign the list
          const pair = await crypto.subtle.generateKey({name: 'ECDSA', namedCurve: 'P-256'}, true, ['sign']);
          const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
          const body = btoa(String.fromCharCode(...spki));
          const pem = '-----BEGIN PUBLIC KEY-----\\n' + body + '\\n-----END PUBLIC KEY-----';
          const results = [];
          for (const attempt of [
            () => m.loadTrustList(trustJws, new Map(), 1772344800),
            async () => m.loadTrustList(trustJws, await m.loadRoots(pem), 1772344800),
          ]) {
            try { await attempt(); results.push('accepted'); } catch (e) { results.push(e.name + ':' + e.message); }
          }
          return {results};
        }
        """,
        {"trustJws": (VECTORS / "trust_list.jws").read_text()},
    )
    assert outcome["results"][0].endswith("trust list signed by an unknown root key")
    assert outcome["results"][1].endswith("trust list signed by an unknown root key")


def test_forged_trust_list_signature_is_refused(page):
    page.goto(page.base_url + "/verify/")
    jws = (VECTORS / "trust_list.jws").read_text().strip()
    header, payload, signature = jws.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=="))
    raw[10] ^= 1
    forged = ".".join([header, payload, base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")])
    message = page.evaluate(
        """
        async ({jws, pem}) => {
          const m = await import('/static/verify/mtl1.js');
          try { await m.loadTrustList(jws, await m.loadRoots(pem), 1772344800); return 'accepted'; }
          catch (e) { return e.message; }
        }
        """,
        {"jws": forged, "pem": (VECTORS / "trust_root.pem").read_text()},
    )
    assert message == "trust list signature is invalid"
    assert hashlib.sha256(forged.encode()).hexdigest() != hashlib.sha256(jws.encode()).hexdigest()
