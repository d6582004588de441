from django import forms
from django.utils.translation import gettext_lazy as _

from . import catalogue


def _indicator_choices():
    return [(i.code, str(i.title)) for i in catalogue.indicators()]


class PrepareForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"), choices=_indicator_choices)
    period = forms.CharField(
        label=_("Period"),
        max_length=7,
        help_text=_("A year (2026) or a quarter (2026-Q1)."),
        error_messages={"required": _("Enter a period as a year (2026) or a quarter (2026-Q1).")},
    )

    def clean_period(self):
        value = self.cleaned_data["period"].strip().upper()
        if catalogue.parse_period(value) is None:
            raise forms.ValidationError(_("Enter a period as a year (2026) or a quarter (2026-Q1)."))
        return value
