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


# --- Testimonies -------------------------------------------------------------------------------------------
class TestimonyForm(forms.Form):
    text = forms.CharField(
        label=_("Your testimony"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 10, "dir": "auto", "spellcheck": "true"}),
        help_text=_(
            "What happened, what changed for you, what the city should know. Do not write names, "
            "addresses or exact dates: we take out any that remain before publishing."
        ),
        error_messages={
            "required": _("Write your testimony."),
            "max_length": _("Your testimony is too long: keep it under 5,000 characters."),
        },
    )
    author = forms.ChoiceField(
        label=_("You are writing as"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Say who you are writing as."),
            "invalid_choice": _("Say who you are writing as."),
        },
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the city publishes my testimony, without names, places or days, on this site and in "
            "its yearly report, to speak up for residents without status."
        ),
        help_text=_(
            "You can withdraw it at any time with the codename you will get: it then comes off the site. "
            "A yearly report already printed cannot be taken back."
        ),
        error_messages={"required": _("We publish a testimony only with your agreement: tick the box to agree.")},
    )

    def __init__(self, *args, **kwargs):
        from .models import Testimony

        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["author"].choices = Testimony.Author.choices


class TestimonyFollowForm(forms.Form):
    codename = forms.CharField(
        label=_("Your codename"),
        max_length=300,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false", "dir": "auto"}),
        error_messages={"required": _("Enter your codename.")},
    )
    # Set by the button of the page that shows the testimony's state (a second, deliberate step).
    withdraw = forms.BooleanField(required=False, widget=forms.HiddenInput)


class TestimonyRedactForm(forms.Form):
    text = forms.CharField(
        label=_("Text to publish"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 12, "dir": "auto"}),
        help_text=_("Take out names, places, addresses, numbers and days; keep the person's words."),
        error_messages={"required": _("Write the text to publish.")},
    )
    month = forms.CharField(
        label=_("Month shown with it"),
        max_length=7,
        help_text=_("Year and month, for example 2026-03. Never a day."),
        error_messages={"required": _("Choose the month to show with the testimony.")},
    )
