"""Immigration status is never asked, stored or exported: no field, no form input, no prompt."""

import re
from pathlib import Path

from django.apps import apps

SRC = Path(__file__).resolve().parents[2] / "src" / "sanspeur"
FORBIDDEN_FIELD = re.compile(
    r"(immigration|citizenship|nationality|visa|residency_status|legal_status|country_of_birth|place_of_birth"
    r"|birthplace|passport_n|document_n|doc_number|permit_n|sin_n|social_insurance|uci|alien)",
    re.IGNORECASE,
)


def test_no_model_field_can_hold_status_or_document_numbers():
    offending = []
    for model in apps.get_models():
        if not model.__module__.startswith("sanspeur."):
            continue
        for field in model._meta.get_fields():
            if FORBIDDEN_FIELD.search(field.name):
                offending.append(f"{model._meta.label}.{field.name}")
    assert not offending


def test_no_form_or_template_asks_for_status():
    input_name = re.compile(r"""name=["']([a-z_]+)["']""")
    offending = []
    for path in list(SRC.rglob("templates/**/*.html")) + list(SRC.rglob("forms.py")):
        text = path.read_text(encoding="utf-8")
        names = (
            input_name.findall(text) if path.suffix == ".html" else re.findall(r"^\s+(\w+)\s*=\s*forms\.", text, re.M)
        )
        offending += [f"{path.relative_to(SRC)}:{name}" for name in names if FORBIDDEN_FIELD.search(name)]
    assert not offending
