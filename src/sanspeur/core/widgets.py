"""A date in three fields — day, month, year — on the GOV.UK "date input" model.

Never a browser date picker: ``<input type="date">`` shows the browser's own format (mm/dd/yyyy
on an English-language system, whatever the page's language), its own validation bubbles, and is
hard to use for a date of birth decades ago. Here the day and the year are plain text boxes with
a numeric keyboard, the month a list of the month names in the page's language, and every check
is made on the server with a translated message (``ThreeFieldDateField``).

    date_of_birth = ThreeFieldDateField(label=_("Date of birth"))

The field still accepts one ISO value under its own name (``date_of_birth=1987-03-14``): the CSV
import and older clients send that.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

PARTS = ("day", "month", "year")


def _number(**extra) -> dict:
    # No type="number" (spinners, locale digits, silent truncation); the numeric keyboard only.
    return {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false", **extra}


class ThreeFieldDateInput(forms.MultiWidget):
    """Day (text), month (list of names), year (text). Sub-fields are named ``<name>_day``,
    ``<name>_month``, ``<name>_year``; their ids ``<id>_day`` ... The template
    (includes/date_input.html) draws a fieldset whose legend is the field's label."""

    template_name = "includes/date_input.html"
    use_fieldset = True

    def __init__(self, attrs=None, *, labels=None, min_year=1900):
        self.labels = dict(zip(PARTS, labels or (_("Day"), _("Month"), _("Year")), strict=True))
        self.legend = ""
        self.help_text = ""
        self.min_year = min_year
        widgets = {
            "day": forms.TextInput(attrs=_number(maxlength="2", size="2")),
            "month": forms.Select(choices=[("", "—"), *((str(n), name) for n, name in MONTHS.items())]),
            "year": forms.TextInput(attrs=_number(maxlength="4", size="4")),
        }
        super().__init__(widgets, attrs)

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.labels = dict(self.labels)
        return copy

    def decompress(self, value):
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        if not any(f"{name}_{part}" in data for part in PARTS) and name in data:
            return data.get(name)  # one ISO value (CSV import, older clients)
        return super().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and super().value_omitted_from_data(data, files, name)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        invalid = (attrs or {}).get("aria-invalid") or self.attrs.get("aria-invalid")
        described = (attrs or {}).get("aria-describedby") or self.attrs.get("aria-describedby")
        for part, subwidget in zip(PARTS, context["widget"]["subwidgets"], strict=True):
            subwidget["label"] = self.labels[part]
            subwidget["part"] = part
            sub_attrs = subwidget["attrs"]
            sub_attrs.pop("aria-invalid", None)
            sub_attrs.pop("aria-describedby", None)
            if invalid:
                sub_attrs["aria-invalid"] = "true"
        context["widget"]["legend"] = self.legend
        context["widget"]["help_text"] = self.help_text
        context["widget"]["describedby"] = described or ""
        context["widget"]["fieldset_id"] = (attrs or {}).get("id") or ""
        return context

    def id_for_label(self, id_):
        # The label is the fieldset's legend; the error summary links to the day box.
        return f"{id_}_day" if id_ else ""


class ThreeFieldDateField(forms.Field):
    """A date from the three boxes, checked on the server with messages people understand."""

    widget = ThreeFieldDateInput
    default_error_messages = {
        "required": _("Enter the date: day, month and year."),
        "incomplete": _("Enter the day, the month and the year."),
        "invalid": _("Enter the day and the year in figures, for example 14 and 1987."),
        "year": _("Enter the year with four figures, for example 1987."),
        "impossible": _("This date does not exist: check the day and the month."),
    }

    def __init__(self, *, labels=None, **kwargs):
        kwargs.setdefault("widget", ThreeFieldDateInput(labels=labels))
        super().__init__(**kwargs)
        self.widget.legend = self.label or ""
        self.widget.help_text = self.help_text or ""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value.strip())
            except ValueError:
                raise ValidationError(self.error_messages["impossible"], code="impossible") from None
        parts = [str(part or "").strip() for part in value]
        if not any(parts):
            return None
        if not all(parts):
            raise ValidationError(self.error_messages["incomplete"], code="incomplete")
        day, month, year = parts
        if not (day.isascii() and day.isdigit() and month.isdigit() and year.isascii() and year.isdigit()):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if len(year) != 4:
            raise ValidationError(self.error_messages["year"], code="year")
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(self.error_messages["impossible"], code="impossible") from None
