from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sanspeur.core.boroughs import BOROUGHS
from sanspeur.core.forms import AccessibleFormMixin
from sanspeur.core.widgets import ThreeFieldDateField

from .crypto import CODENAME_LANGUAGE_NAMES
from .models import CATEGORIES, PARTNERS, Case

OFF = {"autocomplete": "off"}
MONTHS = [("", _("I don't know / prefer not to say"))] + [(str(i), str(i)) for i in range(1, 13)]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def attachments_field() -> MultipleFileField:
    return MultipleFileField(
        label=_("Photos or documents (optional)"),
        required=False,
        help_text=_(
            "Up to 3 files: JPEG or PNG photos, or PDF, 5 MB each and 8 MB in total."
            " We remove hidden information from photos."
        ),
    )


def clean_attachments(files) -> list:
    """Each file checked and re-encoded without metadata (``uploads.clean_attachment``)."""
    from .uploads import MAX_FILES, clean_attachment

    files = files or []
    if len(files) > MAX_FILES:
        raise forms.ValidationError(_("You can send up to 3 files."))
    return [clean_attachment(f) for f in files]


class ReportForm(AccessibleFormMixin, forms.Form):
    category = forms.ChoiceField(label=_("What happened?"), choices=CATEGORIES, widget=forms.RadioSelect)
    role = forms.ChoiceField(
        label=_("Did this happen to you, or did you see it happen to someone else? (optional)"),
        choices=[("victim", _("It happened to me")), ("witness", _("I saw it happen to someone else"))],
        widget=forms.RadioSelect,
        required=False,
    )
    when_month = forms.ChoiceField(label=_("Month (optional)"), choices=MONTHS, required=False)
    when_year = forms.IntegerField(
        label=_("Year (optional)"), required=False, min_value=1990, widget=forms.NumberInput(attrs=OFF)
    )
    borough = forms.ChoiceField(
        label=_("Borough where it happened (optional)"),
        choices=[("", _("I don't know / prefer not to say"))] + [(b, b) for b in BOROUGHS],
        required=False,
    )
    text = forms.CharField(
        label=_("Tell us what happened, in your own words"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8, **OFF}),
        help_text=_("You do not have to give your name or anyone's name."),
    )
    contact = forms.ChoiceField(
        label=_("How may we contact you? (optional)"),
        choices=[
            ("none", _("Do not contact me: I will come back with my codename")),
            ("phone", _("By phone")),
            ("email", _("By email")),
            ("other", _("Another way")),
        ],
        initial="none",
        widget=forms.RadioSelect,
        required=False,  # nothing chosen is "do not contact me"
    )
    contact_details = forms.CharField(
        label=_("Phone number, email or how to reach you safely (optional)"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs=OFF),
    )
    contact_language = forms.ChoiceField(
        label=_("In which language would you like us to answer? (optional)"), choices=settings.LANGUAGES, required=False
    )
    codename_language = forms.ChoiceField(
        label=_("Language of your codename (optional)"),
        help_text=_(
            "Your codename is made of everyday words in this language. You can use it on the page in any language."
        ),
        choices=[(code, name) for code, name in CODENAME_LANGUAGE_NAMES.items()],
        required=False,
    )
    attachments = attachments_field()

    def clean_contact(self):
        return self.cleaned_data.get("contact") or "none"

    def clean_when_year(self):
        year = self.cleaned_data.get("when_year")
        if year and year > timezone.localdate().year:
            raise forms.ValidationError(_("This year is in the future."))
        return year

    def clean_attachments(self):
        return clean_attachments(self.cleaned_data.get("attachments"))


class CodenameForm(AccessibleFormMixin, forms.Form):
    codename = forms.CharField(
        label=_("Your codename"),
        max_length=300,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false", "dir": "auto"}),
    )


class AddInformationForm(AccessibleFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Add information"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5, **OFF})
    )
    attachments = attachments_field()

    def clean_attachments(self):
        return clean_attachments(self.cleaned_data.get("attachments"))


# --- Staff --------------------------------------------------------------------------------------
class UnlockForm(AccessibleFormMixin, forms.Form):
    passphrase = forms.CharField(label=_("Unit passphrase"), widget=forms.PasswordInput(attrs=OFF))


class ContactCaseForm(AccessibleFormMixin, forms.Form):
    source = forms.ChoiceField(label=_("Contact"), choices=[c for c in Case.Source.choices if c[0] != "web"])
    category = forms.ChoiceField(label=_("What happened?"), choices=CATEGORIES)
    text = forms.CharField(label=_("Summary"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6, **OFF}))
    stats_consent = forms.BooleanField(
        label=_("The person agrees to be counted in anonymous statistics"), required=False
    )


class TriageForm(AccessibleFormMixin, forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=Case.Priority.choices[1:])
    risk = forms.ChoiceField(label=_("Risk"), choices=Case.Risk.choices[1:])


class AssignForm(AccessibleFormMixin, forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model
        from django.db.models import Q

        perm = Q(groups__permissions__codename="handle_protection_cases") | Q(
            user_permissions__codename="handle_protection_cases"
        )
        self.fields["assignee"].queryset = (
            get_user_model().objects.filter(perm, is_active=True).distinct().order_by("username")
        )
        self.fields["assignee"].label_from_instance = lambda user: user.get_username()


class TextForm(AccessibleFormMixin, forms.Form):
    text = forms.CharField(label=_("Text"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4, **OFF}))


class FollowUpForm(AccessibleFormMixin, forms.Form):
    due_on = ThreeFieldDateField(label=_("Due date"))
    text = forms.CharField(label=_("What to do"), max_length=2000, widget=forms.TextInput(attrs=OFF))


class ReferralForm(AccessibleFormMixin, forms.Form):
    partner = forms.ChoiceField(label=_("Partner organisation"), choices=PARTNERS)
    consent = forms.BooleanField(label=_("The person consented to this specific referral"), required=False)
    text = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.TextInput(attrs=OFF))


class ClosureForm(AccessibleFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Case.Outcome.choices)


class StatsConsentForm(forms.Form):
    stats_consent = forms.BooleanField(required=False)
