"""Invalid fields point at their own error text, and keep pointing at their help text, whatever
the form's prefix (core/forms.py with includes/form_fields.html)."""

import re

from django import forms
from django.template.loader import render_to_string

from sanspeur.core.forms import BoundedForm


class _Form(BoundedForm):
    amount = forms.IntegerField(label="Amount", help_text="In dollars.")
    note = forms.CharField(label="Note", max_length=5)


def _described(html: str, name: str) -> list[str]:
    tag = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html).group(0)
    return re.search(r'aria-describedby="([^"]*)"', tag).group(1).split()


def test_an_invalid_field_of_a_prefixed_form_points_at_texts_that_exist():
    form = _Form({"p-amount": "x", "p-note": "too long"}, prefix="p")
    assert not form.is_valid()
    html = render_to_string("includes/form_fields.html", {"form": form})
    assert _described(html, "p-amount") == ["id_p-amount_error", "id_p-amount_helptext"]
    assert _described(html, "p-note") == ["id_p-note_error"]
    for described in _described(html, "p-amount") + _described(html, "p-note"):
        assert f'id="{described}"' in html
    assert 'aria-invalid="true"' in html


def test_a_valid_field_keeps_only_its_help_text():
    form = _Form({"amount": "3", "note": "ok"})
    assert form.is_valid()
    html = render_to_string("includes/form_fields.html", {"form": form})
    assert _described(html, "amount") == ["id_amount_helptext"] and "aria-invalid" not in html
