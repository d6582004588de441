"""Forms of the training pages (staff, fr/en) and of the check-in (public, five languages).
Forms with personal data (a trainee's name, an employee number) carry ``autocomplete="off"`` in
their templates."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from sanspeur.core.params import clean_text
from sanspeur.core.widgets import ThreeFieldDateField

from .models import Course, CourseVersion, ExemptionReason, Mode, Unit


class _Clean:
    def _text(self, name: str, max_length: int = 200) -> str:
        return clean_text(self.cleaned_data.get(name, ""), max_length=max_length)


class UnitForm(_Clean, forms.Form):
    code = forms.CharField(
        label=_("HR code"), max_length=32, help_text=_("The code the HR file uses, e.g. SPVM-PDQ38.")
    )
    name_fr = forms.CharField(label=_("Name (French)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Unit.Kind.choices)
    parent = forms.ModelChoiceField(label=_("Part of"), queryset=Unit.objects.all(), required=False)

    def clean_code(self):
        return self._text("code", 32)

    def clean_name_fr(self):
        return self._text("name_fr")

    def clean_name_en(self):
        return self._text("name_en")


class ManagerForm(forms.Form):
    username = forms.CharField(label=_("Username of the manager"), max_length=150)


class HeadcountForm(forms.Form):
    file = forms.FileField(
        label=_("HR file (CSV)"), required=False, help_text=_("Columns: unit, period (YYYY-MM), headcount.")
    )
    text = forms.CharField(widget=forms.HiddenInput, required=False)


class VersionForm(_Clean, forms.Form):
    title_fr = forms.CharField(label=_("Title (French)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    description_fr = forms.CharField(
        label=_("Description (French)"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )
    modes = forms.MultipleChoiceField(
        label=_("Ways of taking it"), choices=Mode.choices, widget=forms.CheckboxSelectMultiple
    )
    elearning_url = forms.URLField(label=_("Link to the e-learning module"), required=False, assume_scheme="https")
    pass_mark = forms.IntegerField(
        label=_("Pass mark of the scenario questions (%)"), min_value=1, max_value=100, initial=80
    )


class CourseForm(VersionForm):
    code = forms.SlugField(label=_("Course code"), max_length=40)
    field_order = ["code"]


class NewVersionForm(VersionForm):
    requires_refresher = forms.BooleanField(
        label=_("Everyone trained on an older version must take a refresher"), required=False
    )
    refresher_within_days = forms.IntegerField(
        label=_("Refresher due within (days)"), min_value=0, max_value=730, initial=180
    )


class RequirementForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit (and the units below it)"), queryset=Unit.objects.all())
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.all())
    refresh_months = forms.IntegerField(label=_("Refresh every (months)"), min_value=1, max_value=120, initial=24)
    grace_days = forms.IntegerField(label=_("Grace period (days)"), min_value=0, max_value=730, initial=30)
    target_percent = forms.IntegerField(
        label=_("Target (percentage of headcount)"), min_value=1, max_value=100, initial=95
    )


class PersonForm(_Clean, forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.all())
    name = forms.CharField(label=_("Full name"), max_length=200)
    employee_number = forms.CharField(
        label=_("Employee number"),
        max_length=40,
        required=False,
        help_text=_("Kept only as a keyed hash, to match a check-in."),
    )

    email = forms.EmailField(
        label=_("Work e-mail (optional)"),
        required=False,
        max_length=200,
        help_text=_("Only for the trainee's own reminders; sealed with the name."),
    )
    language = forms.ChoiceField(label=_("Language of the reminders"), choices=settings.LANGUAGES, initial="fr")

    def clean_name(self):
        return self._text("name")

    def clean_employee_number(self):
        return self._text("employee_number", 40)


class ExemptForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=ExemptionReason.choices)


class RecordForm(forms.Form):
    version = forms.ModelChoiceField(label=_("Version"), queryset=CourseVersion.objects.none())
    completed_on = ThreeFieldDateField(label=_("Completed on"))
    score = forms.IntegerField(label=_("Score (%)"), min_value=0, max_value=100, required=False)

    def __init__(self, *args, course=None, **kwargs):
        super().__init__(*args, **kwargs)
        if course is not None:
            self.fields["version"].queryset = course.versions.all()


class SessionForm(_Clean, forms.Form):
    version = forms.ModelChoiceField(label=_("Course"), queryset=CourseVersion.objects.select_related("course"))
    starts_at = forms.DateTimeField(
        label=_("Date and time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=500, initial=30)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def clean_place(self):
        return self._text("place")


class CheckinForm(forms.Form):
    employee_number = forms.CharField(label=_("Your employee number"), max_length=40)


class OutcomeForm(_Clean, forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Police service"), queryset=Unit.objects.filter(kind=Unit.Kind.POLICE, parent=None)
    )
    period_label = forms.CharField(label=_("Period"), max_length=20, help_text=_("As published, e.g. 2023."))
    period_start = ThreeFieldDateField(label=_("First day of the period"))
    count = forms.IntegerField(label=_("Status checks with the border agency"), min_value=0, max_value=10_000_000)
    source = forms.CharField(label=_("Source"), max_length=300)
    source_url = forms.URLField(label=_("Link to the source"), required=False, assume_scheme="https")

    def clean_source(self):
        return self._text("source", 300)

    def clean_period_label(self):
        return self._text("period_label", 20)


class RegisterForm(forms.Form):
    """Who to register for a session: the people of a unit who need the course, and/or employee
    numbers typed one per line (the trainer's or the manager's list)."""

    MAX_NUMBERS = 500

    unit = forms.ModelChoiceField(
        label=_("The people of this unit who need the course"),
        queryset=Unit.objects.order_by("path"),
        required=False,
        help_text=_("Everyone in the unit and the units below it whose training is missing, expiring or expired."),
    )
    numbers = forms.CharField(
        label=_("Employee numbers"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "ltr", "spellcheck": "false"}),
        help_text=_("One per line."),
    )

    def clean_numbers(self):
        lines = [line.strip() for line in (self.cleaned_data.get("numbers") or "").splitlines() if line.strip()]
        if len(lines) > self.MAX_NUMBERS:
            raise forms.ValidationError(_("Register at most 500 people at a time."))
        return lines

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("unit") and not cleaned.get("numbers"):
            raise forms.ValidationError(_("Choose a unit or type employee numbers."))
        return cleaned


class SheetForm(forms.Form):
    """A session held without the QR: the scan of the signed sheet and the numbers read on it."""

    scan = forms.FileField(
        label=_("Scan of the signed sheet"),
        help_text=_("PDF, JPEG or PNG, at most 10 MB. Sealed at once; only training coordinators can open it."),
        error_messages={"required": _("Choose the scan of the signed sheet.")},
    )
    numbers = forms.CharField(
        label=_("Employee numbers of the people who signed"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "ltr", "spellcheck": "false"}),
        help_text=_("One per line."),
        error_messages={"required": _("Type the employee numbers of the people who signed, one per line.")},
    )

    def clean_numbers(self):
        lines = [line.strip() for line in self.cleaned_data["numbers"].splitlines() if line.strip()]
        if len(lines) > 500:
            raise forms.ValidationError(_("Register at most 500 people at a time."))
        return lines
