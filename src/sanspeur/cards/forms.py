from __future__ import annotations

import re
import secrets
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sanspeur.core.boroughs import BOROUGH_CHOICES
from sanspeur.core.forms import AccessibleFormMixin
from sanspeur.core.widgets import ThreeFieldDateField

from .models import Card, CardRules, DocumentType
from .photos import clean_photo, decode_data_url
from .printing import missing_glyphs, name_layout, printed_family_names
from .selectors import document_rules

POSTAL_CODE = re.compile(r"^H[0-9][ABCEGHJ-NPRSTV-Z] ?[0-9][ABCEGHJ-NPRSTV-Z][0-9]$")
PHONE = re.compile(r"^\+?[0-9 ().-]{10,20}$")


def _printable(name: str) -> str:
    """Refuses only what the card cannot print legibly, asking the card's own layout code."""
    missing = missing_glyphs(name)
    if missing:
        raise ValidationError(
            _("The card cannot print these characters: %(characters)s. Write the name with other letters."),
            code="unprintable",
            params={"characters": " ".join(missing)},
        )
    if name_layout(name) is None:
        raise ValidationError(
            _(
                "This name is too long to print legibly on the card, even on two lines. "
                "Shorten it, for example with initials."
            ),
            code="too_long_to_print",
        )
    return name


LANGUAGE_CHOICES = [
    ("fr", "Français"),
    ("en", "English"),
    ("es", "Español"),
    ("ar", "العربية"),
    ("ht", "Kreyòl ayisyen"),
    ("other", _("Other")),
]
GENDER_CHOICES = [("", _("Not declared")), ("F", "F"), ("M", "M"), ("X", "X")]
# A resident's data must not stay in the staff browser's autofill (issue 14): on every personal
# input, and on the form element (the templates).
NO_AUTOFILL = {"autocomplete": "off"}


def years_between(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# The three boxes of a date (core/widgets.py), in this app's catalog too so that they are
# translated wherever the staff pages are.
DATE_PART_LABELS = (_("Day"), _("Month"), _("Year"))
DATE_ERRORS = {
    "required": _("Enter the date of birth: day, month and year."),
    "incomplete": _("Enter the day, the month and the year."),
    "invalid": _("Enter the day and the year in figures, for example 14 and 1987."),
    "year": _("Enter the year with four figures, for example 1987."),
    "impossible": _("This date does not exist: check the day and the month."),
}


def date_of_birth_field(**kwargs) -> ThreeFieldDateField:
    return ThreeFieldDateField(label=_("Date of birth"), labels=DATE_PART_LABELS, error_messages=DATE_ERRORS, **kwargs)


def points_text(identity: int, residence: int) -> str:
    """ "3 identity points, 1 residence point" (the parts that count)."""
    parts = []
    if identity:
        parts.append(ngettext("%(count)s identity point", "%(count)s identity points", identity) % {"count": identity})
    if residence:
        parts.append(
            ngettext("%(count)s residence point", "%(count)s residence points", residence) % {"count": residence}
        )
    return ", ".join(parts) if parts else str(_("no points"))


class PointsCheckboxes(forms.CheckboxSelectMultiple):
    """Each box carries its document type's points, for the running total (cards/points.js)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        document = getattr(value, "instance", None)
        if document is not None:
            option["attrs"].update(
                {
                    "data-identity": str(document.identity_points),
                    "data-residence": str(document.residence_points),
                    "data-photo": "1" if document.shows_photo else "0",
                    "data-birth-date": "1" if document.shows_birth_date else "0",
                }
            )
        return option


class DocumentTypesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} — {points_text(obj.identity_points, obj.residence_points)}"


class PhotoMixin(forms.Form):
    photo_data = forms.CharField(required=False, widget=forms.HiddenInput)
    photo_upload = forms.FileField(
        label=_("Or upload a photo"),
        required=False,
        help_text=_("JPEG, PNG or WebP, 8 MB at most."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    upload_dropped = False  # set by the view when the request was too large for the upload handler

    def photo_from_input(self):
        upload = self.cleaned_data.get("photo_upload")
        data_url = self.cleaned_data.get("photo_data")
        if self.upload_dropped and not upload:
            self.add_error("photo_upload", _("The photo is too large: the limit is 8 MB."))
            return None
        try:
            if upload:
                if upload.size > 8 * 1024 * 1024:
                    raise ValidationError(_("The photo is too large: the limit is 8 MB."))
                return clean_photo(upload.read())
            if data_url:
                return clean_photo(decode_data_url(data_url))
        except ValidationError as error:
            self.add_error("photo_upload", error)
            return None
        self.add_error("photo_upload", _("Take a photo with the camera or upload one."))
        return None


class HolderFieldsForm(forms.Form):
    """The personal fields, shared by enrollment and the CSV import."""

    given_names = forms.CharField(label=_("Given names"), max_length=100, widget=forms.TextInput(attrs=NO_AUTOFILL))
    family_names = forms.CharField(label=_("Family names"), max_length=100, widget=forms.TextInput(attrs=NO_AUTOFILL))
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date", **NO_AUTOFILL}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a real date (year-month-day).")},
    )
    borough = forms.ChoiceField(
        label=_("Borough"),
        choices=[("", "—"), *BOROUGH_CHOICES],
        error_messages={"invalid_choice": _("Choose one of Montréal's 19 boroughs.")},
        widget=forms.Select(attrs=NO_AUTOFILL),
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=7,
        help_text=_("A Montréal postal code, e.g. H2X 1Y4."),
        widget=forms.TextInput(attrs=NO_AUTOFILL),
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        required=False,
        max_length=20,
        help_text=_("Only for renewal reminders."),
        widget=forms.TextInput(attrs=NO_AUTOFILL),
    )
    email = forms.EmailField(
        label=_("E-mail (optional)"),
        required=False,
        max_length=200,
        help_text=_("Only for renewal reminders."),
        widget=forms.EmailInput(attrs=NO_AUTOFILL),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=LANGUAGE_CHOICES,
        initial="fr",
        error_messages={"invalid_choice": _("Choose a language from the list.")},
    )
    gender_marker = forms.ChoiceField(
        label=_("Gender marker (optional, self-declared)"), choices=GENDER_CHOICES, required=False
    )
    print_gender = forms.BooleanField(label=_("Print the gender marker on the card"), required=False)

    def clean_given_names(self):
        return _printable(" ".join(self.cleaned_data["given_names"].split()))

    def clean_family_names(self):
        value = " ".join(self.cleaned_data["family_names"].split())
        _printable(printed_family_names(value))
        return value

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born > today:
            raise ValidationError(_("The date of birth cannot be in the future."))
        if years_between(born, today) > 120:
            raise ValidationError(_("Check the year: the person would be more than 120 years old."))
        return born

    def clean_postal_code(self):
        value = self.cleaned_data["postal_code"].upper().replace(" ", "")
        value = f"{value[:3]} {value[3:]}" if len(value) == 6 else value
        if not POSTAL_CODE.match(value):
            raise ValidationError(_("Enter a Montréal postal code: it starts with H and looks like H2X 1Y4."))
        return value

    def clean_phone(self):
        value = self.cleaned_data["phone"].strip()
        if value and (not PHONE.match(value) or len(re.sub(r"\D", "", value)) < 10):
            raise ValidationError(_("Enter a phone number with at least 10 digits, or leave it empty."))
        return value


class ImportRowForm(HolderFieldsForm):
    preferred_language = forms.ChoiceField(
        choices=LANGUAGE_CHOICES,
        required=False,
        error_messages={"invalid_choice": _("Choose a language from the list.")},
    )


class EnrollForm(AccessibleFormMixin, PhotoMixin, HolderFieldsForm):
    submission_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    date_of_birth = date_of_birth_field()
    document_types = DocumentTypesField(
        label=_("Documents seen"),
        queryset=DocumentType.objects.filter(is_active=True),
        widget=PointsCheckboxes,
        help_text=_("Tick the types of document shown. Never write down a number; never copy or scan a document."),
        error_messages={"required": _("Tick the documents you saw.")},
    )
    confirm_duplicate = forms.BooleanField(
        label=_("I checked: this is a different person, or the person needs a new record"), required=False
    )

    field_order = [
        "given_names",
        "family_names",
        "date_of_birth",
        "borough",
        "postal_code",
        "phone",
        "email",
        "preferred_language",
        "gender_marker",
        "print_gender",
        "document_types",
        "photo_upload",
        "confirm_duplicate",
    ]

    def __init__(self, *args, show_confirm=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_token", secrets.token_urlsafe(24))
        if not show_confirm:
            del self.fields["confirm_duplicate"]

    def points_total(self) -> list[dict]:
        """The running total of the documents ticked against the rules (server-rendered; the
        script cards/points.js keeps it current as boxes are ticked)."""
        rules = document_rules()
        ticked: set[str] = set()
        if self.is_bound:
            key = self.add_prefix("document_types")
            raw = self.data.getlist(key) if hasattr(self.data, "getlist") else self.data.get(key) or []
            ticked = {str(value) for value in ([raw] if isinstance(raw, str | int) else raw)}
        chosen = [d for d in DocumentType.objects.filter(is_active=True) if str(d.pk) in ticked]
        check = rules.check(d.code for d in chosen)

        def points(kind, got, need, sentence):
            return {
                "kind": kind,
                "need": need,
                "met": got >= need,
                "text": format_html(
                    sentence,
                    got=format_html('<span class="points-got" data-points-got="{}">{}</span>', kind, got),
                    need=need,
                ),
            }

        rows = [
            points(
                "identity",
                check.identity_points,
                rules.min_identity_points,
                ngettext(
                    "Identity: {got} of {need} point reached",
                    "Identity: {got} of {need} points reached",
                    rules.min_identity_points,
                ),
            ),
            points(
                "residence",
                check.residence_points,
                rules.min_residence_points,
                ngettext(
                    "Proof of residence: {got} of {need} point reached",
                    "Proof of residence: {got} of {need} points reached",
                    rules.min_residence_points,
                ),
            ),
        ]
        if rules.photo_required:
            rows.append({"kind": "photo", "met": check.has_photo, "text": _("A document with a photo")})
        if rules.birth_date_required:
            rows.append(
                {"kind": "birth-date", "met": check.has_birth_date, "text": _("A document with the date of birth")}
            )
        return rows

    def clean_document_types(self):
        chosen = list(self.cleaned_data["document_types"])
        # The same rules, read the same way, as the public pre-check of the clinics app.
        rules = document_rules()
        check = rules.check(t.code for t in chosen)
        problems = []
        if "identity" in check.missing:
            problems.append(
                _("Identity documents add up to %(got)s points; %(need)s are needed.")
                % {"got": check.identity_points, "need": rules.min_identity_points}
            )
        if "photo" in check.missing:
            problems.append(_("One of the identity documents must have a photo."))
        if "birth_date" in check.missing:
            problems.append(_("One of the documents must show the date of birth."))
        if "residence" in check.missing:
            problems.append(
                _("Proof of residence adds up to %(got)s points; %(need)s are needed.")
                % {"got": check.residence_points, "need": rules.min_residence_points}
            )
        if problems:
            raise ValidationError(problems)
        return chosen

    def clean(self):
        cleaned = super().clean()
        cleaned["photo"] = self.photo_from_input()
        return cleaned


class IssuePhotoForm(AccessibleFormMixin, PhotoMixin):
    """A new card for an imported record: a new photo is taken."""

    def clean(self):
        cleaned = super().clean()
        cleaned["photo"] = self.photo_from_input()
        return cleaned


# No reason is ever chosen for the agent: the first option is empty and the form refuses it.
NO_REASON = ("", _("Choose a reason"))
REASON_REQUIRED = {"required": _("Choose a reason."), "invalid_choice": _("Choose a reason.")}


class RevokeForm(AccessibleFormMixin, forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason for the revoke"),
        choices=[NO_REASON, *((v, label) for v, label in Card.Reason.choices if v not in ("renewed",))],
        error_messages=REASON_REQUIRED,
    )


class ReplaceForm(AccessibleFormMixin, forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason for the replacement"),
        choices=[NO_REASON, *((v, label) for v, label in Card.Reason.choices if v in ("lost", "stolen", "damaged"))],
        error_messages=REASON_REQUIRED,
    )


class ForgetForm(AccessibleFormMixin, forms.Form):
    confirm = forms.BooleanField(
        label=_("The person asked to be forgotten: revoke the card and destroy the record for good"),
        required=True,
        error_messages={"required": _("Tick the box to confirm.")},
    )


class SearchForm(AccessibleFormMixin, forms.Form):
    """Posted, never in a URL: names and a birth date would stay in history and proxy logs."""

    given_names = forms.CharField(label=_("Given names"), max_length=100, widget=forms.TextInput(attrs=NO_AUTOFILL))
    family_names = forms.CharField(label=_("Family names"), max_length=100, widget=forms.TextInput(attrs=NO_AUTOFILL))
    date_of_birth = date_of_birth_field()


class CardRulesForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = CardRules
        fields = [
            "min_identity_points",
            "min_residence_points",
            "require_photo_document",
            "require_birth_date_document",
            "validity_months",
        ]


class DocumentTypeForm(AccessibleFormMixin, forms.ModelForm):
    # The public pre-check shows these names to people in the other public languages.
    name_es = forms.CharField(label=_("name (Spanish)"), max_length=200, required=False)
    name_ar = forms.CharField(label=_("name (Arabic)"), max_length=200, required=False)
    name_ht = forms.CharField(label=_("name (Haitian Creole)"), max_length=200, required=False)
    OTHER_LANGUAGES = ("es", "ar", "ht")

    class Meta:
        model = DocumentType
        fields = [
            "code",
            "name_fr",
            "name_en",
            "identity_points",
            "residence_points",
            "shows_photo",
            "shows_birth_date",
            "is_active",
            "order",
        ]
        help_texts = {"name_fr": _("Also shown to the public when a language has no name of its own.")}

    field_order = [*Meta.fields[:3], "name_es", "name_ar", "name_ht", *Meta.fields[3:]]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = self.instance.names if isinstance(self.instance.names, dict) else {}
        for language in self.OTHER_LANGUAGES:
            self.initial.setdefault(f"name_{language}", names.get(language, ""))

    def save(self, commit=True):
        document_type = super().save(commit=False)
        names = dict(document_type.names) if isinstance(document_type.names, dict) else {}
        for language in self.OTHER_LANGUAGES:
            value = " ".join(self.cleaned_data.get(f"name_{language}", "").split())
            if value:
                names[language] = value
            else:
                names.pop(language, None)
        document_type.names = names
        if commit:
            document_type.save()
        return document_type
