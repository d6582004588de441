"""Forms of the funding program: the applicant's sign-up and application (fr/en), the staff's
call, rubric, screening, review and decision forms. Text is cleaned of control characters and
bounded; money is a Decimal typed with a comma or a point."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sanspeur.core.boroughs import BOROUGH_CHOICES
from sanspeur.core.forms import BoundedForm
from sanspeur.core.params import clean_text
from sanspeur.core.widgets import ThreeFieldDateField

from .models import AmendmentKind, BudgetCategory, ServiceType

LANGUAGE_CHOICES = [("fr", "Français"), ("en", "English")]


class MoneyField(forms.DecimalField):
    """Canadian dollars: "12 500", "12 500,50" or "12500.50"; never a float."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        super().__init__(**kwargs)
        self.widget.input_type = "text"
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = re.sub(r"[\s\u00a0\u202f$]", "", str(value))[:20].replace(",", ".")
        try:
            return Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(_("Enter an amount in dollars, for example 12500 or 12 500,50.")) from None


class _Clean:
    def _text(self, name: str, max_length: int) -> str:
        return clean_text(self.cleaned_data.get(name, ""), max_length=max_length)


# --- The applicant organisation signs up ---------------------------------------------------------------
class SignupForm(_Clean, BoundedForm):
    organisation_name = forms.CharField(label=_("Name of the organisation"), max_length=200)
    registration_number = forms.CharField(
        label=_("Quebec enterprise number (NEQ)"),
        max_length=40,
        required=False,
        help_text=_("For a registered non-profit. A coalition without one applies through its lead."),
    )
    borough = forms.ChoiceField(label=_("Borough"), choices=[("", "—"), *BOROUGH_CHOICES], required=False)
    mission = forms.CharField(
        label=_("Mission of the organisation"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    language = forms.ChoiceField(
        label=_("Language for letters and e-mails"), choices=LANGUAGE_CHOICES, widget=forms.RadioSelect
    )
    contact_name = forms.CharField(label=_("Name of the contact person"), max_length=120)
    email = forms.EmailField(label=_("E-mail of the contact person"), max_length=200)
    username = forms.RegexField(
        label=_("Username"),
        max_length=40,
        regex=r"^[a-z0-9][a-z0-9._-]{2,39}$",
        error_messages={"invalid": _("Use 3 to 40 lower-case letters, digits, dots or dashes.")},
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_organisation_name(self):
        name = self._text("organisation_name", 200)
        if not name:
            raise forms.ValidationError(_("Enter the name of the organisation."))
        return name

    def clean_mission(self):
        return self._text("mission", 2000)

    def clean_contact_name(self):
        return self._text("contact_name", 120)

    def clean_registration_number(self):
        return self._text("registration_number", 40)

    def clean(self):
        data = super().clean()
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("The two passwords are not the same."))
        elif one:
            try:
                validate_password(one)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


# --- The application ----------------------------------------------------------------------------------
class ApplicationForm(_Clean, BoundedForm):
    project_title = forms.CharField(label=_("Title of the project"), max_length=200, required=False)
    summary = forms.CharField(
        label=_("Summary"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    need = forms.CharField(
        label=_("The need"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Describe the need in general terms: never a person, never anyone's status."),
    )
    activities = forms.CharField(
        label=_("Activities"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    outcomes = forms.CharField(
        label=_("Expected results"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    borough = forms.ChoiceField(label=_("Borough"), choices=[("", "—"), *BOROUGH_CHOICES], required=False)
    eligibility = forms.MultipleChoiceField(
        label=_("Eligibility: I confirm that"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, checklist: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["eligibility"].choices = list(checklist)

    def clean(self):
        data = super().clean()
        limits = {"project_title": 200, "summary": 2000, "need": 5000, "activities": 5000, "outcomes": 5000}
        for name, limit in limits.items():
            if name in data:
                data[name] = self._text(name, limit)
        return data


class PartnerForm(_Clean, BoundedForm):
    name = forms.CharField(label=_("Partner organisation"), max_length=200)
    contribution = forms.CharField(label=_("Its part in the project"), max_length=300, required=False)

    def clean_name(self):
        name = self._text("name", 200)
        if not name:
            raise forms.ValidationError(_("Enter the partner's name."))
        return name

    def clean_contribution(self):
        return self._text("contribution", 300)


class BudgetLineForm(BoundedForm):
    category = forms.ChoiceField(label=pgettext_lazy("budget", "Category"), choices=BudgetCategory.choices)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    amount = MoneyField(label=_("Amount (CAD)"), help_text=_("Zero removes the line."))

    def __init__(self, *args, years: list[int] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]


class SignedAgreementForm(BoundedForm):
    file = forms.FileField(label=_("The signed agreement"), help_text=_("PDF, JPEG or PNG, at most 8 MB."))


class AttachmentForm(BoundedForm):
    file = forms.FileField(
        label=_("File"), help_text=_("PDF, JPEG or PNG, at most 8 MB: letters of support, statutes, quotes.")
    )


# --- Staff: calls ----------------------------------------------------------------------------------------
class CallForm(_Clean, BoundedForm):
    code = forms.SlugField(label=_("Code (in addresses)"), max_length=40)
    title_fr = forms.CharField(label=_("Title (French)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    summary_fr = forms.CharField(label=_("Summary (French)"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    summary_en = forms.CharField(
        label=_("Summary (English)"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    body_fr = forms.CharField(
        label=_("Text of the call (French)"), max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    body_en = forms.CharField(
        label=_("Text of the call (English)"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    envelope = MoneyField(label=_("Envelope (CAD)"))
    max_per_project = MoneyField(label=_("Maximum per project (CAD)"))
    first_year = forms.IntegerField(label=_("First year of the projects"), min_value=2000, max_value=2100)
    last_year = forms.IntegerField(label=_("Last year of the projects"), min_value=2000, max_value=2100)
    opens_on = ThreeFieldDateField(label=_("Opens on"))
    closes_on = ThreeFieldDateField(label=_("Closes on"))
    decision_on = ThreeFieldDateField(label=_("Decision by"))
    eligibility = forms.CharField(
        label=_("Eligibility checklist"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One condition per line: code | French | English."),
    )
    blind_review = forms.BooleanField(label=_("Blind review (reviewers do not see who applies)"), required=False)

    def clean_eligibility(self):
        items = []
        for line in self._text("eligibility", 4000).splitlines():
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            if len(parts) != 3 or not re.fullmatch(r"[a-z0-9_-]{1,30}", parts[0]) or not all(parts):
                raise forms.ValidationError(_("Write each condition as: code | French | English."))
            items.append({"code": parts[0], "fr": parts[1], "en": parts[2]})
        if not items:
            raise forms.ValidationError(_("Give at least one eligibility condition."))
        return items

    def clean(self):
        data = super().clean()
        for name in ("title_fr", "title_en", "summary_fr", "summary_en", "body_fr", "body_en"):
            if name in data:
                data[name] = self._text(name, 10000)
        return data


class CriterionForm(_Clean, BoundedForm):
    title_fr = forms.CharField(label=_("Criterion (French)"), max_length=200)
    title_en = forms.CharField(label=_("Criterion (English)"), max_length=200)
    weight = forms.IntegerField(label=_("Weight (points out of 100)"), min_value=1, max_value=100)
    anchor_0_fr = forms.CharField(label=_("What 0 means (French)"), max_length=300)
    anchor_0_en = forms.CharField(label=_("What 0 means (English)"), max_length=300)
    anchor_3_fr = forms.CharField(label=_("What 3 means (French)"), max_length=300)
    anchor_3_en = forms.CharField(label=_("What 3 means (English)"), max_length=300)
    anchor_5_fr = forms.CharField(label=_("What 5 means (French)"), max_length=300)
    anchor_5_en = forms.CharField(label=_("What 5 means (English)"), max_length=300)

    def anchors(self) -> dict:
        data = self.cleaned_data
        return {
            key: {
                "fr": clean_text(data[f"anchor_{key}_fr"], max_length=300),
                "en": clean_text(data[f"anchor_{key}_en"], max_length=300),
            }
            for key in ("0", "3", "5")
        }


class QuestionForm(_Clean, BoundedForm):
    question_fr = forms.CharField(
        label=_("Question (French)"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    question_en = forms.CharField(
        label=_("Question (English)"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    answer_fr = forms.CharField(label=_("Answer (French)"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))
    answer_en = forms.CharField(label=_("Answer (English)"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        for name in ("question_fr", "question_en", "answer_fr", "answer_en"):
            if name in data:
                data[name] = self._text(name, 3000)
        return data


class MinutesForm(_Clean, BoundedForm):
    held_on = ThreeFieldDateField(
        label=_("Date of the meeting"),
        error_messages={"required": _("Enter the date of the meeting.")},
    )
    members = forms.CharField(
        label=_("Members present"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Names and roles; who withdrew for a conflict of interest, and from which application."),
    )
    minutes = forms.CharField(
        label=_("Minutes"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What was discussed and decided, and why."),
    )

    def clean(self):
        data = super().clean()
        for name, limit in (("members", 2000), ("minutes", 10000)):
            if name in data:
                data[name] = self._text(name, limit)
        return data


# --- Staff: screening, review, decisions ----------------------------------------------------------------
class AssignForm(BoundedForm):
    reviewer = forms.TypedChoiceField(label=_("Reviewer"), coerce=int)

    def __init__(self, *args, reviewers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].choices = [(user.pk, user.get_username()) for user in reviewers]


class ConflictForm(BoundedForm):
    conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with this application?"),
        help_text=_(
            "A conflict: you work or volunteer for the applicant or a partner, sit on its board, are "
            "related to its staff, or gain from its funding. Declaring one recuses you."
        ),
        choices=[("no", _("No, I have no conflict of interest")), ("yes", _("Yes, I have a conflict: recuse me"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


class ReviewForm(_Clean, BoundedForm):
    comment = forms.CharField(
        label=_("Comments for the committee"), max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, criteria=(), labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = labels or {}
        for criterion in criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.TypedChoiceField(
                label=labels.get(criterion.pk, str(criterion.pk)),
                choices=[(n, str(n)) for n in range(6)],
                coerce=int,
                widget=forms.RadioSelect,
            )
        self.order_fields([name for name in self.fields if name != "comment"] + ["comment"])

    def scores(self) -> dict[int, int]:
        return {
            int(name.split("_", 1)[1]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("criterion_")
        }

    def clean_comment(self):
        return self._text("comment", 3000)


class DecisionForm(_Clean, BoundedForm):
    amount = MoneyField(label=_("Amount awarded (CAD)"), required=False)
    resolution_number = forms.CharField(label=_("Council resolution number"), max_length=40, required=False)
    rationale = forms.CharField(
        label=_("Rationale"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        data["resolution_number"] = self._text("resolution_number", 40)
        data["rationale"] = self._text("rationale", 2000)
        return data


# --- Progress reports ------------------------------------------------------------------------------------
class ReportForm(_Clean, BoundedForm):
    """Numbers of people per type of service, and nothing else about people: no name, no list, no
    free text per person. Each count is rounded to 5, and suppressed under 10, when it is saved."""

    narrative = forms.CharField(
        label=_("What the project did"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("In general terms: never a person, never anyone's status."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in BudgetCategory.choices:
            self.fields[f"spent_{code}"] = MoneyField(label=label, required=False)
        for code, label in ServiceType.choices:
            self.fields[f"people_{code}"] = forms.IntegerField(
                label=label,
                min_value=0,
                max_value=1_000_000,
                required=False,
                help_text=_("Number of people reached: rounded to 5, and not kept under 10."),
            )

    def clean_narrative(self):
        return self._text("narrative", 5000)

    def people(self) -> dict[str, int]:
        return {code: self.cleaned_data.get(f"people_{code}") or 0 for code in ServiceType.values}

    def spending(self) -> dict[str, Decimal]:
        return {code: self.cleaned_data.get(f"spent_{code}") or Decimal("0") for code in BudgetCategory.values}

    def narrative_fields(self):
        return [self["narrative"]]

    def spending_fields(self):
        return [self[f"spent_{code}"] for code in BudgetCategory.values]

    def people_fields(self):
        return [self[f"people_{code}"] for code in ServiceType.values]


class AmendmentForm(_Clean, BoundedForm):
    """One form for the three kinds of amendment: the fields of the other kinds are left empty (the
    page groups them; the service checks what each kind needs)."""

    kind = forms.ChoiceField(label=_("What changes"), choices=AmendmentKind.choices, widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("What changes, and why"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("In general terms: never a person, never anyone's status."),
    )
    report = forms.TypedChoiceField(label=_("Report to move"), required=False, coerce=int, empty_value=None)
    new_due_on = ThreeFieldDateField(label=_("New due date"), required=False)
    budget_year = forms.TypedChoiceField(
        label=_("Year of the budget lines"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, reports=(), years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].choices = [
            ("", "—"),
            *((r.pk, f"{r.number} — {date_format(r.due_on, 'DATE_FORMAT')}") for r in reports),
        ]
        self.fields["budget_year"].choices = [("", "—"), *((year, str(year)) for year in years)]
        for code, label in BudgetCategory.choices:
            self.fields[f"amount_{code}"] = MoneyField(label=label, required=False)

    def clean_description(self):
        return self._text("description", 2000)

    def budget(self) -> dict[tuple[str, int], Decimal]:
        year = self.cleaned_data.get("budget_year")
        amounts = {code: self.cleaned_data.get(f"amount_{code}") for code in BudgetCategory.values}
        return {(code, year): amount for code, amount in amounts.items() if amount is not None and year is not None}

    def general_fields(self):
        return [self["kind"], self["description"]]

    def time_fields(self):
        return [self["report"], self["new_due_on"]]

    def budget_fields(self):
        return [self["budget_year"], *(self[f"amount_{code}"] for code in BudgetCategory.values)]


class MilestoneForm(_Clean, BoundedForm):
    milestone = forms.CharField(
        label=_("Milestone"), max_length=200, help_text=_("For example: the second drop-in centre opens.")
    )
    due_on = ThreeFieldDateField(label=_("Report due on"))

    def clean_milestone(self):
        return self._text("milestone", 200)


class ReviewNoteForm(_Clean, BoundedForm):
    note = forms.CharField(label=_("Note to the organisation"), max_length=2000, required=False)

    def clean_note(self):
        return self._text("note", 2000)
