"""Shared helpers for the credential tests (imported by conftest and test modules)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SRC = Path(__file__).resolve().parents[2] / "src"
try:  # the package may not be installed (editable) yet in a fresh checkout
    import sanspeur.credential  # noqa: F401
except ImportError:  # pragma: no cover - depends on the environment
    sys.path.insert(0, str(SRC))

from PIL import Image, ImageDraw, ImageFilter  # noqa: E402

from sanspeur.credential import (  # noqa: E402
    PURPOSE_CARD,
    PURPOSE_STATUS_LIST,
    STATUS_REVOKED,
    STATUS_SUSPENDED,
    CardClaims,
    LocalSigner,
    StatusListBuilder,
    StatusListToken,
    TrustedKey,
    TrustList,
    create_trust_list,
    issue,
    load_trust_list,
    make_photo,
    new_card_number,
    parse_status_list_token,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
STATUS_URI = "https://sanspeur.example/mtl/status/7"
ISSUER = "https://sanspeur.example/mtl"
INDEX_VALID = 10_001
INDEX_REVOKED = 20_002
INDEX_SUSPENDED = 30_003


def face_image(seed: int = 0, size: tuple[int, int] = (480, 600)) -> Image.Image:
    """A synthetic, moderately detailed portrait (no real person's photo in tests)."""
    width, height = size
    noise = Image.effect_noise(size, 40 + seed % 20).convert("RGB")
    image = Image.blend(Image.new("RGB", size, (190, 180, 165)), noise, 0.25)
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.25, height * 0.15, width * 0.75, height * 0.7), fill=(225, 185, 150))
    draw.ellipse((width * 0.36, height * 0.35, width * 0.44, height * 0.40), fill=(35, 30, 30))
    draw.ellipse((width * 0.56, height * 0.35, width * 0.64, height * 0.40), fill=(35, 30, 30))
    draw.arc((width * 0.38, height * 0.48, width * 0.62, height * 0.6), 20, 160, fill=(130, 50, 50), width=6)
    draw.rectangle((0, height * 0.8, width, height), fill=(40, 60, 110))
    return image.filter(ImageFilter.GaussianBlur(1.2))


@dataclass
class World:
    """A complete issuing setup: keys, trust list, status list, and a card factory."""

    root: LocalSigner
    card_key: LocalSigner
    status_key: LocalSigner
    trust_list: TrustList
    trust_jws: str
    status_token_bytes: bytes
    status_list: StatusListToken
    photo: bytes

    def claims(self, **changes: Any) -> CardClaims:
        base = CardClaims(
            issuer=ISSUER,
            card_number=new_card_number(),
            given_names="Marie-Claire Anne",
            family_names="Tremblay-Nguyen",
            date_of_birth="1990-05-17",
            city="Montréal",
            borough="Rosemont–La Petite-Patrie",
            photo=self.photo,
            status_list_uri=STATUS_URI,
            status_index=INDEX_VALID,
            issued_at=NOW - timedelta(days=30),
            expires_at=NOW + timedelta(days=4 * 365),
        )
        return replace(base, **changes)

    def issue(self, signer: LocalSigner | None = None, **changes: Any) -> str:
        return issue(self.claims(**changes), signer or self.card_key)


def make_world(extra_trusted: list[TrustedKey] | None = None) -> World:
    root = LocalSigner.generate()
    card_key = LocalSigner.generate()
    status_key = LocalSigner.generate()
    keys = [
        TrustedKey(card_key.kid, card_key.public_key(), frozenset({PURPOSE_CARD})),
        TrustedKey(status_key.kid, status_key.public_key(), frozenset({PURPOSE_STATUS_LIST})),
        *(extra_trusted or []),
    ]
    trust_jws = create_trust_list(keys, root, issuer=ISSUER, issued_at=NOW - timedelta(hours=1))
    trust_list = load_trust_list(trust_jws, [root.public_key()], now=NOW)
    builder = StatusListBuilder(131_072)
    builder.update({INDEX_REVOKED: STATUS_REVOKED, INDEX_SUSPENDED: STATUS_SUSPENDED})
    token = builder.to_token(
        uri=STATUS_URI, signer=status_key, issued_at=NOW - timedelta(hours=2), ttl=timedelta(days=1), issuer=ISSUER
    )
    return World(
        root=root,
        card_key=card_key,
        status_key=status_key,
        trust_list=trust_list,
        trust_jws=trust_jws,
        status_token_bytes=token,
        status_list=parse_status_list_token(token),
        photo=make_photo(face_image()),
    )
