"""The one way this project turns a reportlab story into PDF bytes: reproducible (``invariant``: no
creation date and no random document id, so the same content gives the same bytes, which the signed
publications rely on), with its title, author, subject and language in the document's metadata."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import letter
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate

# reportlab's own default margin (one inch), for the documents that keep it.
INCH_MM = 25.4


def pdf_bytes(
    story: list,
    *,
    title: str,
    language: str,
    pagesize=letter,
    margins_mm: tuple[float, float, float, float] = (20, 20, 18, 18),
) -> bytes:
    """``margins_mm``: left, right, top, bottom."""
    left, right, top, bottom = margins_mm
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=pagesize,
        title=title,
        author="Sans peur",
        subject=title,
        lang=language,
        invariant=1,
        leftMargin=left * mm,
        rightMargin=right * mm,
        topMargin=top * mm,
        bottomMargin=bottom * mm,
    ).build(story)
    return out.getvalue()
