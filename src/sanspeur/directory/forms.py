import datetime as dt
import re

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sanspeur.core.forms import AccessibleFormMixin

from .models import DAY_CODES
from .services import (
    CLOSURES,
    EDITABLE_FIELDS,
    FLAG_FIELDS,
    PHONES,
    SCHEDULES,
    closures_snapshot,
    phones_snapshot,
    schedules_snapshot,
)

LABELS = {
    "name": _("Name"),
    "description": _("Description"),
    "eligibility_description": _("Who can use it"),
    "application_process": _("How to apply"),
    "fees_description": _("Cost"),
}
# Every language of the public content (i18n.LANGUAGES); French is the source and is required.
LANGS = {"fr": _("French"), "en": _("English"), "es": _("Spanish"), "ar": _("Arabic"), "ht": _("Haitian Creole")}
REQUIRED_FIELDS = ("name", "description")
# The same names inside a sentence ("Translate into Arabic", « Traduire en arabe »).
LANGS_IN_TEXT = {
    "fr": pgettext_lazy("language, in a sentence", "French"),
    "en": pgettext_lazy("language, in a sentence", "English"),
    "es": pgettext_lazy("language, in a sentence", "Spanish"),
    "ar": pgettext_lazy("language, in a sentence", "Arabic"),
    "ht": pgettext_lazy("language, in a sentence", "Haitian Creole"),
}
FLAG_LABELS = {
    # Only an editor's published answer sets it; an HSDS import never does (HSDS cannot say it).
    "no_status_question": _("Asks no question about immigration status"),
    "is_free": _("Free"),
    "accepts_card": _("Accepts the Sans peur card"),
    "no_id_needed": _("No ID needed"),
    "interpretation": _("Interpretation available"),
}
YES_NO = [("yes", _("Yes")), ("no", _("No"))]
# "MO,TU,WE 09:00-17:00" optionally followed by "2026-06-01/2026-08-31" (valid from/to).
SCHEDULE_LINE = re.compile(
    r"^(?P<days>[A-Za-z]{2}(?:\s*,\s*[A-Za-z]{2})*)\s+(?P<opens>\d{1,2}:\d{2})\s*-\s*(?P<closes>\d{1,2}:\d{2})"
    r"(?:\s+(?P<start>\d{4}-\d{2}-\d{2})?/(?P<end>\d{4}-\d{2}-\d{2})?)?$"
)


def schedule_lines(rows: list[dict]) -> str:
    lines = []
    for r in rows:
        line = f"{r['byday']} {r['opens_at']}-{r['closes_at']}"
        if r.get("valid_from") or r.get("valid_to"):
            line += f" {r.get('valid_from') or ''}/{r.get('valid_to') or ''}"
        lines.append(line)
    return "\n".join(lines)


# "514-555-0100", "(514) 555-0100 x 12", "1 800 555-0100", or a short line such as 211 or 311.
PHONE_LINE = re.compile(r"^(?P<number>\+?[\d\s().-]{3,20}?)\s*(?:(?:x|ext\.?|poste)\s*(?P<ext>\d{1,6}))?$", re.I)


def phone_lines(rows: list[dict]) -> str:
    return "\n".join(f"{r['number']} x {r['extension']}" if r.get("extension") else r["number"] for r in rows)


def parse_phone_lines(text: str) -> list[dict]:
    """One number per line, shown as 514-555-0100 (North American) or kept as typed if short."""
    rows = []
    for line_number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        m = PHONE_LINE.match(line)
        digits = re.sub(r"\D", "", m["number"]) if m else ""
        if digits.startswith("1") and len(digits) == 11:
            digits = digits[1:]
        if len(digits) == 10:
            number = f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
        elif len(digits) == 3 and m and not m["ext"]:  # 211, 311, 811
            number = digits
        else:
            raise forms.ValidationError(
                _("Line %(n)s is not a phone number: %(line)s"), params={"n": line_number, "line": line}
            )
        row = {"number": number, "extension": m["ext"] or ""}
        if row not in rows:
            rows.append(row)
    return rows


# "2026-12-24/2027-01-02 Fermé pour les fêtes" or a single day "2026-07-01 Fête du Canada".
CLOSURE_LINE = re.compile(
    r"^(?P<start>\d{4}-\d{2}-\d{2})(?:\s*/\s*(?P<end>\d{4}-\d{2}-\d{2}))?(?:\s+(?P<note>.{1,200}))?$"
)


def closure_lines(rows: list[dict]) -> str:
    lines = []
    for r in rows:
        dates = r["date_start"] if r["date_start"] == r["date_end"] else f"{r['date_start']}/{r['date_end']}"
        lines.append(f"{dates} {r['note']}".strip())
    return "\n".join(lines)


def parse_closure_lines(text: str) -> list[dict]:
    rows = []
    for line_number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        m = CLOSURE_LINE.match(line)
        try:
            start = dt.date.fromisoformat(m["start"]) if m else None
            end = dt.date.fromisoformat(m["end"]) if m and m["end"] else start
        except ValueError:
            start = None
        if start is None or end < start or (end - start).days > 366:
            raise forms.ValidationError(
                _("Line %(n)s is not a closure (first day/last day, then an optional note): %(line)s"),
                params={"n": line_number, "line": line},
            )
        row = {"date_start": start.isoformat(), "date_end": end.isoformat(), "note": (m["note"] or "").strip()}
        if row not in rows:
            rows.append(row)
    return rows


def parse_schedule_lines(text: str) -> list[dict]:
    rows = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        m = SCHEDULE_LINE.match(line)
        days = [d.strip().upper() for d in m["days"].split(",")] if m else []
        try:
            opens, closes = (dt.time.fromisoformat(f"{int(t[:-3]):02d}{t[-3:]}") for t in (m["opens"], m["closes"]))
            start = dt.date.fromisoformat(m["start"]) if m["start"] else None
            end = dt.date.fromisoformat(m["end"]) if m["end"] else None
        except (TypeError, ValueError):
            opens = None
        if not m or opens is None or any(d not in DAY_CODES for d in days) or len(set(days)) != len(days):
            raise forms.ValidationError(_("Line %(n)s is not understood: %(line)s"), params={"n": number, "line": line})
        rows.append(
            {
                "byday": ",".join(sorted(days, key=DAY_CODES.index)),
                "opens_at": opens.strftime("%H:%M"),
                "closes_at": closes.strftime("%H:%M"),
                "valid_from": start.isoformat() if start else "",
                "valid_to": end.isoformat() if end else "",
            }
        )
    return rows


def _lines_field(label, initial: str, *, rows: int, max_length: int, help_text) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        initial=initial,
        widget=forms.Textarea(attrs={"rows": rows, "dir": "ltr"}),
        help_text=help_text,
    )


class ProposalForm(AccessibleFormMixin, forms.Form):
    """New texts for a service in the five languages (French required), its attributes, hours,
    phone numbers and closures."""

    def __init__(self, *args, service, **kwargs):
        super().__init__(*args, **kwargs)
        for field in EDITABLE_FIELDS:
            for lang, lang_label in LANGS.items():
                # Typed in its own language and direction (an Arabic field is right-to-left).
                attrs = {"lang": lang, "dir": "rtl" if lang == "ar" else "ltr"}
                widget = forms.TextInput(attrs) if field == "name" else forms.Textarea(attrs={**attrs, "rows": 3})
                self.fields[f"{field}_{lang}"] = forms.CharField(
                    label=f"{LABELS[field]} ({lang_label})",
                    required=(lang == "fr" and field in REQUIRED_FIELDS),
                    max_length=200 if field == "name" else 2000,
                    initial=(getattr(service, field) or {}).get(lang, ""),
                    widget=widget,
                )
        # Attributes: a missing answer (e.g. an older form) leaves the flag as it is.
        for flag, label in FLAG_LABELS.items():
            self.fields[flag] = forms.ChoiceField(
                label=label,
                choices=YES_NO,
                required=False,
                initial="yes" if getattr(service, flag) else "no",
            )
        # Hours, phones and closures are edited as plain lines (one rule, number or closure each).
        self.fields[SCHEDULES] = _lines_field(
            _("Opening hours"),
            schedule_lines(schedules_snapshot(service)),
            rows=4,
            max_length=2000,
            help_text=_(
                "One rule per line: days (MO, TU, WE, TH, FR, SA, SU) then local hours, e.g. "
                "MO,TU,WE,TH,FR 09:00-17:00. Optional validity dates: SA 10:00-14:00 2026-06-01/2026-08-31. "
                "Leave empty for no regular hours."
            ),
        )
        self.fields[PHONES] = _lines_field(
            _("Phone numbers"),
            phone_lines(phones_snapshot(service)),
            rows=2,
            max_length=500,
            help_text=_("One number per line, e.g. 514-555-0100 or 514-555-0100 x 12. Leave empty for none."),
        )
        self.fields[CLOSURES] = _lines_field(
            _("Closures (holidays, exceptions)"),
            closure_lines(closures_snapshot(service)),
            rows=3,
            max_length=3000,
            help_text=_(
                "One closure per line: first day/last day, then an optional note in French, e.g. "
                "2026-12-24/2027-01-02 Fermé pour les fêtes, or a single day: 2026-07-01 Fête du Canada."
            ),
        )

    def clean_closures(self):
        return parse_closure_lines(self.cleaned_data.get(CLOSURES) or "")

    def clean_schedules(self):
        return parse_schedule_lines(self.cleaned_data.get(SCHEDULES) or "")

    def clean_phones(self):
        return parse_phone_lines(self.cleaned_data.get(PHONES) or "")

    def changes(self, service) -> dict:
        result = {}
        for field in EDITABLE_FIELDS:
            texts = dict(getattr(service, field) or {})
            for lang in LANGS:
                if f"{field}_{lang}" not in self.data:  # absent from an older form: left unchanged
                    continue
                value = self.cleaned_data[f"{field}_{lang}"].strip()
                if value:
                    texts[lang] = value
                else:
                    texts.pop(lang, None)
            result[field] = texts
        for flag in FLAG_FIELDS:
            if self.cleaned_data.get(flag) in ("yes", "no"):
                result[flag] = self.cleaned_data[flag] == "yes"
        for name in (SCHEDULES, PHONES, CLOSURES):
            if name in self.data:  # absent from an older form: left unchanged
                result[name] = self.cleaned_data[name]
        return result


class TranslationForm(AccessibleFormMixin, forms.Form):
    """One text, translated from the French into the queue's language."""

    text = forms.CharField(
        max_length=2000,
        error_messages={"required": _("Enter the translation.")},
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = _("Translation (%(language)s)") % {"language": LANGS_IN_TEXT[language]}
        self.fields["text"].widget.attrs.update({"lang": language, "dir": "rtl" if language == "ar" else "ltr"})
