from django import forms
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from sanspeur.accounts.models import Organisation
from sanspeur.core.boroughs import BOROUGH_CHOICES
from sanspeur.core.forms import AccessibleFormMixin, LanguageTaggedCheckboxes, LanguageTaggedSelect
from sanspeur.core.widgets import ThreeFieldDateField
from sanspeur.directory.i18n import as_texts

from .constants import SPOKEN_LANGUAGES, ServiceKind
from .models import Event, Service, Session

# Each language's name is written in that language (constants.py): its option says so.
SPOKEN_LANGUAGE_TAGS = {code: code for code, _name in SPOKEN_LANGUAGES}


class BookingForm(AccessibleFormMixin, forms.Form):
    places = forms.TypedChoiceField(label=_("Number of places"), coerce=int)
    reminder = forms.CharField(
        label=_("Phone or e-mail for a reminder (optional)"),
        required=False,
        max_length=120,
        help_text=_("Leave empty if you prefer. If you give one, it is encrypted and deleted right after the event."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    # Honeypot: hidden from people (CSS and aria-hidden), filled by naive bots. The proof of work
    # and the question for browsers without JavaScript are not fields of this form: they are
    # rendered by includes/human_check.html and checked by core.humancheck.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    def __init__(self, *args, max_places: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["places"].choices = [(n, str(n)) for n in range(1, max_places + 1)]
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean_reminder(self):
        value = self.cleaned_data["reminder"].strip()
        if not value:
            return ""
        if "@" in value:
            validate_email(value)
            return value
        digits = "".join(ch for ch in value if ch.isdigit())
        if len(digits) < 10 or len(digits) > 15 or any(ch not in "0123456789 +-()." for ch in value):
            raise forms.ValidationError(_("Enter a phone number or an e-mail address, or leave the field empty."))
        return digits


class CodeForm(AccessibleFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Booking code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class KnownChoicesField(forms.MultipleChoiceField):
    """A value that is not one of the choices (an old link, a retired document type) is dropped:
    the pre-check then counts only what it knows, as the desk would."""

    def clean(self, value):
        value = self.to_python(value)
        self.run_validators(value)
        return [item for item in dict.fromkeys(value) if self.valid_value(item)]


class PrecheckForm(forms.Form):
    docs = KnownChoicesField(
        label=_("Documents you have"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, documents=(), **kwargs):
        """``documents``: the accepted document types (``cards.selectors.document_rules``)."""
        super().__init__(*args, **kwargs)
        self.fields["docs"].choices = [(document.code, document.name) for document in documents]


class PublicFilterForm(forms.Form):
    borough = forms.ChoiceField(label=_("Borough"), required=False, choices=[("", _("All boroughs")), *BOROUGH_CHOICES])
    service = forms.ChoiceField(
        label=_("Service"), required=False, choices=[("", _("All services")), *ServiceKind.choices]
    )
    language = forms.ChoiceField(
        label=_("Language spoken"),
        required=False,
        choices=[("", _("All languages")), *SPOKEN_LANGUAGES],
        widget=LanguageTaggedSelect(option_languages=SPOKEN_LANGUAGE_TAGS),
    )


# --- Staff -----------------------------------------------------------------------------------
class EventForm(AccessibleFormMixin, forms.ModelForm):
    language_list = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        choices=SPOKEN_LANGUAGES,
        widget=LanguageTaggedCheckboxes(option_languages=SPOKEN_LANGUAGE_TAGS),
    )
    # The organisers write the French; the translators the other languages (translation queue).
    title = forms.CharField(label=_("Title (in French)"), max_length=200)
    place = forms.CharField(
        label=_("Where exactly, in French (optional)"),
        max_length=300,
        required=False,
        help_text=_("For example: community hall, second floor. Translated from the translation queue."),
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Partner organisations"),
        queryset=Organisation.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    date = ThreeFieldDateField(label=_("Date"))

    class Meta:
        model = Event
        fields = [
            "title",
            "is_mobile",
            "date",
            "start_time",
            "end_time",
            "address",
            "place",
            "borough",
            "directory_location_id",
            "is_published",
        ]
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}),
            "end_time": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["title"] = self.instance.title_fr
            self.initial["place"] = as_texts(self.instance.place).get("fr", "")
            self.initial["language_list"] = self.instance.language_codes
            self.initial["organisations"] = list(self.instance.organisations.all())

    def clean(self):
        data = super().clean()
        if data.get("start_time") and data.get("end_time") and data["end_time"] <= data["start_time"]:
            self.add_error("end_time", _("The end must come after the start."))
        if not data.get("address") and not data.get("directory_location_id"):
            self.add_error("address", _("Give an address or a directory location."))
        return data

    def event_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["languages"] = "," + ",".join(self.cleaned_data["language_list"]) + ","
        return data


class ServiceForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = Service
        fields = ["kind", "max_places_per_code", "grace_minutes"]

    def __init__(self, *args, event=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["max_places_per_code"].min_value = 1

    def clean_kind(self):
        kind = self.cleaned_data["kind"]
        if self.event and self.event.services.filter(kind=kind).exists():
            raise forms.ValidationError(_("This event already offers this service."))
        return kind

    def clean_max_places_per_code(self):
        value = self.cleaned_data["max_places_per_code"]
        if value < 1 or value > 12:
            raise forms.ValidationError(_("Between 1 and 12."))
        return value


class SessionForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = Session
        fields = ["starts_at", "ends_at", "capacity", "released_at"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "released_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The end must come after the start."))
        if data.get("released_at") and data.get("starts_at") and data["released_at"] >= data["starts_at"]:
            self.add_error("released_at", _("Booking must open before the time slot starts."))
        if data.get("capacity") is not None and data["capacity"] < 1:
            self.add_error("capacity", _("At least 1 place."))
        return data


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(
        label=_("Capacity"),
        min_value=1,
        max_value=10_000,
        error_messages={
            "required": _("Enter a number of places."),
            "invalid": _("Enter a number of places."),
            "min_value": _("At least 1 place."),
            "max_value": _("At most 10,000 places."),
        },
    )


class WalkInForm(AccessibleFormMixin, forms.Form):
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none(), empty_label=None)
    language = forms.ChoiceField(
        label=_("Language spoken"),
        choices=SPOKEN_LANGUAGES,
        widget=LanguageTaggedSelect(option_languages=SPOKEN_LANGUAGE_TAGS),
    )
    count = forms.IntegerField(label=_("Number of people"), min_value=1, max_value=50, initial=1)

    def __init__(self, *args, event=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = event.services.all()


class PeriodForm(AccessibleFormMixin, forms.Form):
    start = ThreeFieldDateField(label=_("From"))
    end = ThreeFieldDateField(label=_("To"))
