"""The verifier test sheet (issue 23): its code is as long as the longest card, printed like a card,
readable from the printed PDF, and signed by a key that no verifier trusts."""

from __future__ import annotations

import subprocess

import pytest
from django.core.management import call_command
from PIL import Image

from sanspeur.cards import testsheet
from sanspeur.credential import decode_claims_unverified, qr
from tests.conftest import _require, pdftoppm_available

from .conftest import verify_code
from .test_printed_qr_size import printed_qr


@pytest.fixture(scope="module")
def sheet_code() -> str:
    return testsheet.sheet_code()


def test_the_code_is_the_longest_card(sheet_code: str) -> None:
    claims = decode_claims_unverified(sheet_code)
    assert len(claims.given_names) + len(claims.family_names) == 100
    assert len(claims.photo) > 330  # the photo fills its budget
    assert qr.make_qr(sheet_code).version == 19  # as the longest card (decision 0007)


def test_printed_like_a_card_and_readable_from_the_pdf(sheet_code: str, tmp_path) -> None:
    document = testsheet.sheet_pdf(sheet_code)
    measured = printed_qr(document)
    assert measured["side_mm"] == pytest.approx(50.0, abs=0.01)
    assert measured["quiet_left"] == pytest.approx(4, abs=0.01)
    _require(pdftoppm_available(), "pdftoppm (poppler-utils) is needed to render the sheet")
    (tmp_path / "sheet.pdf").write_bytes(document)
    for page in ("1", "2"):
        subprocess.run(
            ["pdftoppm", "-r", "300", "-gray", "-png", "-f", page, "-l", page, "sheet.pdf", f"page{page}"],
            check=True,
            cwd=tmp_path,
        )
        image = Image.open(next(tmp_path.glob(f"page{page}*.png")))
        assert qr.read_qr(image) == sheet_code


@pytest.mark.django_db
def test_no_verifier_trusts_it(client, sheet_code: str) -> None:
    from sanspeur.cards import keys

    keys.ensure_keys()
    result = verify_code(client, sheet_code)
    assert not result.valid
    assert result.reason == "unknown_issuer"


def test_the_command_writes_the_sheet(tmp_path) -> None:
    output = tmp_path / "test-sheet.pdf"
    call_command("cards_test_sheet", str(output))
    assert output.read_bytes().startswith(b"%PDF")
    assert printed_qr(output.read_bytes())["side_mm"] == pytest.approx(50.0, abs=0.01)
