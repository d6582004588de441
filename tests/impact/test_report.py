"""The yearly report: a PDF in French and in English whose extracted text carries the published
numbers, with a signature that checks against the city's root key."""

import shutil
import subprocess

import pytest

from sanspeur.core.boroughs import BOROUGHS

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed"),
]


@pytest.fixture
def year(figures, publish):
    figures["people"][""] = 2468
    publish("test_people", "2025-Q1")
    publish("test_people", "2025")
    figures["boroughs"].update({name: 40 + 7 * index for index, name in enumerate(BOROUGHS)})
    figures["boroughs"]["Anjou"] = 0
    return publish("test_boroughs", "2025")


def _text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


@pytest.mark.parametrize(
    "language, heading, withheld",
    [("fr", "Impact rendu public 2025", "masqué"), ("en", "Reported impact 2025", "withheld")],
)
def test_the_yearly_pdf_carries_the_published_numbers(client, year, language, heading, withheld):
    from sanspeur.impact.models import Release

    response = client.get(f"/open-data/impact/report-2025-{language}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert heading in text
    for release in Release.objects.filter(state="published", year=2025):
        for cell in release.cells:
            if cell["value"] is not None:
                line = next(
                    line for line in text.splitlines() if (cell["area"] or "") in line and str(cell["value"]) in line
                )
                assert line
        if release.total is not None:
            assert str(release.total) in text
    assert withheld in text


def test_the_report_is_signed_with_the_city_s_key(client, year):
    from sanspeur.cards.keys import ensure_keys
    from sanspeur.core.publications import verify_file
    from sanspeur.credential.keys import PURPOSE_TRUST_LIST

    pdf = client.get("/open-data/impact/report-2025-en.pdf").content
    jws = client.get("/open-data/impact/report-2025-en.pdf.jws").content.decode()
    public = ensure_keys().active_signer(PURPOSE_TRUST_LIST).public_key()
    signed = verify_file(jws, pdf, [public])
    assert signed.name == "impact-report-2025-en.pdf"


def test_no_report_for_a_year_without_releases_or_another_language(client, year):
    assert client.get("/open-data/impact/report-2019-fr.pdf").status_code == 404
    assert client.get("/open-data/impact/report-2025-ar.pdf").status_code == 404
