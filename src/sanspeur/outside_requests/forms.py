"""Forms of the register (staff, fr/en) and of the residents' report (public, five languages)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sanspeur.core.forms import LanguageTaggedSelect
from sanspeur.core.params import clean_text, uuid_or_none
from sanspeur.core.widgets import ThreeFieldDateField

from .models import CHECKLIST, Channel, DataCategory, Instrument, RefusalReport, RequesterType

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


class _Clean:
    """Text without control characters (a NUL that PostgreSQL refuses) and within its length."""

    def _text(self, name: str, max_length: int) -> str:
        return clean_text(self.cleaned_data.get(name, ""), max_length=max_length)


def _document_field(required: bool) -> forms.FileField:
    return forms.FileField(
        label=_("Document received (the letter, the order)"),
        required=required,
        help_text=_("Sealed in the vault at once: only this register's staff can open it. At most 10 MB."),
    )


def _check_document(upload):
    if upload is not None and upload.size > MAX_DOCUMENT_BYTES:
        raise forms.ValidationError(_("A document may be at most 10 MB."))
    return upload


class RequestForm(_Clean, forms.Form):
    channel = forms.ChoiceField(label=_("Received by"), choices=Channel.choices)
    received_on = ThreeFieldDateField(label=_("Date received"))
    requester_type = forms.ChoiceField(label=_("Who asks"), choices=RequesterType.choices)
    requester = forms.CharField(
        label=_("Requester (body, office, reference)"), max_length=200, help_text=_("Sealed in the vault.")
    )
    instrument = forms.ChoiceField(label=_("Instrument"), choices=Instrument.choices)
    categories = forms.MultipleChoiceField(
        label=_("Data asked for"), choices=DataCategory.choices, widget=forms.CheckboxSelectMultiple
    )
    subject = forms.CharField(
        label=_("Whom or what the request is about"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sealed in the vault. Write only what the request itself says."),
    )
    persons_affected = forms.IntegerField(label=_("Persons concerned"), min_value=0, max_value=1_000_000, initial=1)
    due_on = ThreeFieldDateField(label=_("Deadline to answer"), required=False)
    non_disclosure_order = forms.BooleanField(label=_("A non-disclosure order comes with it"), required=False)
    ndo_expires_on = ThreeFieldDateField(
        label=_("The non-disclosure order expires on"),
        required=False,
        help_text=_("Leave empty when the order has no end date."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    document = _document_field(required=False)

    def clean_requester(self):
        return self._text("requester", 200)

    def clean_subject(self):
        return self._text("subject", 2000)

    def clean_notes(self):
        return self._text("notes", 4000)

    def clean_document(self):
        return _check_document(self.cleaned_data.get("document"))

    def clean(self):
        data = super().clean()
        received, due = data.get("received_on"), data.get("due_on")
        if received and received > timezone.localdate():
            self.add_error("received_on", _("The date received cannot be in the future."))
        if received and due and due < received:
            self.add_error("due_on", _("The deadline cannot be before the date received."))
        if data.get("ndo_expires_on") and not data.get("non_disclosure_order"):
            self.add_error("ndo_expires_on", _("An expiry date needs a non-disclosure order."))
        return data


class TriageForm(forms.Form):
    categories = forms.MultipleChoiceField(
        label=_("Data asked for"), choices=DataCategory.choices, widget=forms.CheckboxSelectMultiple
    )
    persons_affected = forms.IntegerField(label=_("Persons concerned"), min_value=0, max_value=1_000_000)
    due_on = ThreeFieldDateField(label=_("Deadline to answer"), required=False)


class ChecklistForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in CHECKLIST:
            self.fields[name] = forms.BooleanField(label=label, required=False)


class DeferForm(forms.Form):
    until = ThreeFieldDateField(label=_("Notify the person on"))


class DocumentForm(forms.Form):
    document = _document_field(required=True)

    def clean_document(self):
        return _check_document(self.cleaned_data.get("document"))


# --- Public: a resident's report ---------------------------------------------------------------------
def service_choices(language: str | None = None) -> list[tuple[str, str, str]]:
    """The directory's active services, by name in the page's language (French when the entry has
    no name in it), as (id, name, language of the name)."""
    from sanspeur.directory.i18n import pick
    from sanspeur.directory.models import Service

    language = (language or get_language() or "fr").split("-")[0]
    rows = (
        Service.objects.filter(status="active").select_related("organization").only("id", "name", "organization__name")
    )
    choices = []
    for service in rows:
        name = pick(service.name, language)
        organisation = pick(service.organization.name, language)
        label = name.value
        if organisation.value and organisation.value != name.value:
            label = f"{name.value} — {organisation.value}"
        shown_in = name.lang if name.fallback else organisation.lang if organisation.fallback else language
        choices.append((str(service.pk), label, shown_in))
    return sorted(choices, key=lambda choice: choice[1].casefold())


class RefusalReportForm(forms.Form):
    service = forms.ChoiceField(
        label=_("Which service?"),
        widget=LanguageTaggedSelect,
        help_text=_("Choose the service point from the city's directory."),
        error_messages={"required": _("Choose the service."), "invalid_choice": _("Choose the service.")},
    )
    what = forms.ChoiceField(
        label=_("What happened?"),
        choices=RefusalReport.What.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happened."), "invalid_choice": _("Choose what happened.")},
    )
    happened_on = ThreeFieldDateField(
        label=_("On which day?"),
        help_text=_("Only the day is kept, never the time."),
        error_messages={"required": _("Enter the day it happened."), "incomplete": _("Enter the day it happened.")},
    )

    follow_up = forms.BooleanField(
        label=_("Give me a codename to follow what the city does about it"),
        required=False,
        help_text=_("Optional. A few words only you will know; without them nobody can link the report to you."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # the labels are questions
        super().__init__(*args, **kwargs)
        services = service_choices()
        page_language = (get_language() or "fr").split("-")[0]
        self.fields["service"].choices = [("", "—"), *((pk, label) for pk, label, _lang in services)]
        self.fields["service"].widget.option_languages = {
            pk: lang for pk, _label, lang in services if lang != page_language
        }

    def clean_service(self):
        from sanspeur.directory.models import Service

        service = Service.objects.filter(pk=uuid_or_none(self.cleaned_data["service"]), status="active").first()
        if service is None:
            raise forms.ValidationError(_("Choose the service."))
        return service

    def clean_happened_on(self):
        day = self.cleaned_data["happened_on"]
        today = timezone.localdate()
        if day > today or day < today - dt.timedelta(days=366):
            raise forms.ValidationError(_("Enter a day within the last twelve months."))
        return day


class RefusalFollowForm(forms.Form):
    codename = forms.CharField(
        label=_("Your codename"),
        max_length=300,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false", "dir": "auto"}),
        error_messages={"required": _("Enter your codename.")},
    )
