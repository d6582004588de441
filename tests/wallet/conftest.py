"""Fixtures of the wallet tests: the cards app's agent and enrolment, a pass certificate stand-in."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.cards import conftest as cards_fixtures

agent = cards_fixtures.agent
other_agent = cards_fixtures.other_agent
documents = cards_fixtures.documents
enrolled = cards_fixtures.enrolled
PROFILE = cards_fixtures.PROFILE


def claim(client, token, **extra):
    return client.post("/wallet/app/claim", json.dumps({"token": token}), content_type="application/json", **extra)


def _certificate(subject, issuer, public_key, signing_key, *, ca: bool):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(signing_key, hashes.SHA256())
    )


@pytest.fixture
def pass_certificate(settings, tmp_path):
    """A stand-in for Apple's WWDR intermediate and the city's pass certificate (made here, in the
    test: never a real one), written where the settings point."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = _certificate("Stand-in WWDR", "Stand-in WWDR", ca_key.public_key(), ca_key, ca=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = _certificate("Pass Type ID: pass.test", "Stand-in WWDR", key.public_key(), ca_key, ca=False)
    pem = serialization.Encoding.PEM
    (tmp_path / "wwdr.pem").write_bytes(ca.public_bytes(pem))
    (tmp_path / "pass.pem").write_bytes(cert.public_bytes(pem))
    (tmp_path / "pass.key").write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    settings.SANSPEUR_WALLET_PASS_CERTIFICATE = str(tmp_path / "pass.pem")
    settings.SANSPEUR_WALLET_PASS_KEY = str(tmp_path / "pass.key")
    settings.SANSPEUR_WALLET_PASS_WWDR = str(tmp_path / "wwdr.pem")
    settings.SANSPEUR_WALLET_PASS_TEAM_ID = "TEST123456"
    return tmp_path
