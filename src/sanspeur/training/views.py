"""Training pages: thin views over selectors (reads) and services (writes); who sees what is
decided in accounts/policy.py. The check-in is the one public page."""

from __future__ import annotations

import csv

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from sanspeur.accounts.decorators import staff_view
from sanspeur.accounts.models import User
from sanspeur.accounts.policy import follows_training, is_training_coordinator, sees_training_records
from sanspeur.core import antiabuse, humancheck
from sanspeur.core.params import object_or_404
from sanspeur.core.public_pages import public_view
from sanspeur.core.transitions import InvalidTransition
from sanspeur.core.uploads import body_limit

from . import selectors, services, tokens
from .forms import (
    CheckinForm,
    CourseForm,
    ExemptForm,
    HeadcountForm,
    ManagerForm,
    NewVersionForm,
    OutcomeForm,
    PersonForm,
    RecordForm,
    RegisterForm,
    RequirementForm,
    SessionForm,
    SheetForm,
    UnitForm,
)
from .imports import MAX_BYTES, headcount_parse
from .models import AttendanceSheet, Completion, Course, Person, Registration, Session, Unit

MANAGE = "accounts.manage_training"
CHECKIN_LIMIT = 4 * 1024
CHECKIN_GUESSES = antiabuse.GuessLimit("training.checkin")


def _follows(user) -> bool:
    return follows_training(user)


def _errors(error: ValidationError) -> list[str]:
    return list(error.messages)


def _too_large(request, limit: int):
    return render(request, "training/too_large.html", status=413)


# --- Coverage ------------------------------------------------------------------------------------------
@staff_view(policy=_follows)
@require_GET
def home(request):
    rows = selectors.coverage_for(acting_user=request.user)
    return render(
        request,
        "training/home.html",
        {
            "rows": rows,
            "outcomes": selectors.outcome_series(),
            "coordinator": is_training_coordinator(request.user),
            "today": timezone.localdate(),
            "report_periods": _report_periods(timezone.localdate()),
        },
    )


@staff_view(MANAGE, policy=is_training_coordinator)
@require_GET
def compliance_report(request, period, language):
    """The semi-annual compliance report (training/report.py): the coordinators' (it covers every unit)."""
    from . import report

    pdf = report.compliance_pdf(period, language=language)
    if pdf is None:
        raise Http404
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="training-compliance-{period}-{language}.pdf"'
    return response


def _report_periods(today) -> list[str]:
    """The current half-year and the three before it."""
    half = 1 if today.month <= 6 else 2
    periods, year = [], today.year
    for _index in range(4):
        periods.append(f"{year}-H{half}")
        year, half = (year, 1) if half == 2 else (year - 1, 2)
    return periods


@staff_view(policy=_follows)
@require_GET
def coverage_csv(request):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="training-coverage.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["unit_code", "unit", "depth", "course", "headcount", "exempt", "covered", "percent", "target", "overdue"]
    )
    for entry in selectors.coverage_for(acting_user=request.user):
        for course in entry.courses:
            writer.writerow(
                [
                    entry.unit.code,
                    entry.unit.name,
                    entry.unit.depth,
                    course.title,
                    course.headcount,
                    course.exempt,
                    course.covered,
                    "" if course.percent is None else course.percent,
                    course.target,
                    course.overdue,
                ]
            )
    return response


@staff_view(policy=_follows)
@require_GET
def unit_detail(request, pk):
    unit = object_or_404(Unit, pk=pk)
    visible = selectors.coverage_for(acting_user=request.user)
    entry = next((row for row in visible if row.unit.pk == unit.pk), None)
    overdue = selectors.people_of_unit(acting_user=request.user, unit=unit, overdue_only=True) if entry else None
    coordinator = is_training_coordinator(request.user)
    return render(
        request,
        "training/unit_detail.html",
        {
            "unit": unit,
            "entry": entry,
            "children": [row for row in visible if row.unit.parent_id == unit.pk],
            "overdue": overdue,
            "managers": list(unit.managers.select_related("user")) if coordinator else [],
            "coordinator": coordinator,
            "manager_form": ManagerForm(),
            "outcomes": selectors.outcome_series().get(unit.pk, []) if unit.kind == Unit.Kind.POLICE else [],
            "trends": [dict(line, chart=_trend_chart(line["points"])) for line in selectors.coverage_trend(unit)]
            if entry
            else [],
        },
    )


def _trend_chart(points) -> dict:
    """The points of a month-by-month coverage line in a 0–100 box (an SVG drawn by the template),
    and the target line."""
    width, height = 240, 80
    known = [(index, percent) for index, (_month, percent, _target) in enumerate(points) if percent is not None]
    step = width / max(len(points) - 1, 1)
    line = " ".join(f"{round(index * step, 1)},{round(height - percent * height / 100, 1)}" for index, percent in known)
    target = points[-1][2] if points else 0
    return {"width": width, "height": height, "line": line, "target_y": round(height - target * height / 100, 1)}


# --- Units and headcounts --------------------------------------------------------------------------------
@staff_view(MANAGE, policy=is_training_coordinator)
def unit_create(request):
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = services.unit_create(
                acting_user=request.user,
                code=data["code"],
                name_fr=data["name_fr"],
                name_en=data["name_en"],
                kind=data["kind"],
                parent=data["parent"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("training:unit_detail", pk=unit.pk)
    return render(
        request,
        "training/form.html",
        {"form": form, "title": _("Add a unit"), "button": _("Add")},
        status=400 if form.errors else 200,
    )


@staff_view(MANAGE, policy=is_training_coordinator)
@require_POST
def unit_manager(request, pk):
    unit = object_or_404(Unit, pk=pk)
    form = ManagerForm(request.POST)
    user = User.objects.filter(username=form.data.get("username", "")[:150]).first() if form.is_valid() else None
    if user is None:
        messages.error(request, _("No account has this username."))
        return redirect("training:unit_detail", pk=unit.pk)
    try:
        if request.POST.get("remove"):
            services.unit_manager_remove(acting_user=request.user, unit=unit, user=user)
        else:
            services.unit_manager_add(acting_user=request.user, unit=unit, user=user)
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    return redirect("training:unit_detail", pk=unit.pk)


@staff_view(MANAGE, policy=is_training_coordinator)
@body_limit(MAX_BYTES + 64 * 1024, refuse=_too_large)
def headcount_import(request):
    """Upload → preview (nothing saved) → confirm (the same text, checked again, saved whole)."""
    form = HeadcountForm(request.POST or None, request.FILES or None)
    context = {"form": form, "rows": None, "errors": None, "text": ""}
    if request.method != "POST" or not form.is_valid():
        return render(request, "training/headcount_import.html", context)
    upload = form.cleaned_data.get("file")
    if upload is not None:
        raw = upload.read(MAX_BYTES + 1)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("cp1252")
            except UnicodeDecodeError:
                text = ""
    else:
        text = form.cleaned_data.get("text") or ""
    if not text.strip():
        context["errors"] = [_("Choose the HR file to import.")]
        return render(request, "training/headcount_import.html", context, status=400)
    if request.POST.get("confirm") and upload is None:
        try:
            rows = services.headcount_import(acting_user=request.user, text=text)
        except ValidationError as error:
            context["errors"] = _errors(error)
            return render(request, "training/headcount_import.html", context, status=400)
        messages.success(request, _("%(count)s headcounts imported.") % {"count": len(rows)})
        return redirect("training:home")
    rows, errors = headcount_parse(text)
    context.update(rows=rows, errors=[error.message for error in errors], text=text)
    return render(request, "training/headcount_import.html", context, status=400 if errors else 200)


# --- Courses and requirements ----------------------------------------------------------------------------
@staff_view(MANAGE, policy=is_training_coordinator)
@require_GET
def courses(request):
    return render(
        request,
        "training/courses.html",
        {
            "courses": Course.objects.prefetch_related("versions", "requirements__unit"),
            "requirement_form": RequirementForm(),
        },
    )


def _version_fields(data) -> dict:
    return {
        key: data[key]
        for key in ("title_fr", "title_en", "description_fr", "description_en", "modes", "elearning_url", "pass_mark")
    }


@staff_view(MANAGE, policy=is_training_coordinator)
def course_create(request):
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.course_create(
                acting_user=request.user, code=form.cleaned_data["code"], **_version_fields(form.cleaned_data)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("training:courses")
    return render(
        request,
        "training/form.html",
        {"form": form, "title": _("New course"), "button": _("Create")},
        status=400 if form.errors else 200,
    )


@staff_view(MANAGE, policy=is_training_coordinator)
def version_create(request, pk):
    course = object_or_404(Course, pk=pk)
    current = course.current
    initial = _version_fields(current.__dict__) if current else {}
    form = NewVersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.version_publish(
                acting_user=request.user,
                course=course,
                requires_refresher=data["requires_refresher"],
                refresher_within_days=data["refresher_within_days"],
                **_version_fields(data),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("training:courses")
    title = _("New version of %(course)s") % {"course": course.code}
    return render(
        request,
        "training/form.html",
        {"form": form, "title": title, "button": _("Publish")},
        status=400 if form.errors else 200,
    )


@staff_view(MANAGE, policy=is_training_coordinator)
def requirement_set(request):
    form = RequirementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.requirement_set(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("training:courses")
    return render(
        request,
        "training/form.html",
        {"form": form, "title": _("Set a requirement"), "button": _("Save")},
        status=400 if form.errors else 200,
    )


# --- Trainees ----------------------------------------------------------------------------------------
@staff_view(MANAGE, policy=is_training_coordinator)
def person_create(request):
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("training:person_detail", pk=person.pk)
    return render(
        request,
        "training/form.html",
        {"form": form, "title": _("Add a trainee"), "button": _("Add"), "personal": True},
        status=400 if form.errors else 200,
    )


@staff_view(MANAGE, policy=is_training_coordinator)
@require_GET
def person_detail(request, pk):
    found = selectors.person_get(acting_user=request.user, pk=object_or_404(Person, pk=pk).pk)
    if found is None:
        raise Http404
    person, name = found
    today = timezone.localdate()
    completions = list(person.completions.select_related("course", "version").order_by("course__code"))
    for completion in completions:
        completion.current_state = completion.state_on(today)
        completion.record_form = RecordForm(course=completion.course, initial={"completed_on": today})
    return render(
        request,
        "training/person_detail.html",
        {"person": person, "name": name, "completions": completions, "exempt_form": ExemptForm()},
    )


@staff_view(MANAGE, policy=is_training_coordinator)
@require_POST
def person_leave(request, pk):
    person = object_or_404(Person.objects.select_related("unit"), pk=pk)
    if not sees_training_records(request.user, person.unit):
        raise PermissionDenied
    services.person_leave(acting_user=request.user, person=person)
    messages.success(request, _("Recorded: this person left. Their record is forgotten after the retention period."))
    return redirect("training:person_detail", pk=person.pk)


@staff_view(MANAGE, policy=is_training_coordinator)
@require_POST
def completion_action(request, pk, action):
    completion = object_or_404(Completion.objects.select_related("person__unit", "course"), pk=pk)
    if not sees_training_records(request.user, completion.person.unit):
        raise PermissionDenied
    target = redirect("training:person_detail", pk=completion.person_id)
    try:
        if action == "exempt":
            form = ExemptForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose the reason for the exemption."))
                return target
            services.completion_exempt(
                acting_user=request.user, completion=completion, reason=form.cleaned_data["reason"]
            )
        elif action == "lift_exemption":
            services.completion_lift_exemption(acting_user=request.user, completion=completion)
        elif action == "complete":
            form = RecordForm(request.POST, course=completion.course)
            if not form.is_valid():
                messages.error(request, _("Enter the version, the date of completion and, if any, the score."))
                return target
            services.completion_record(acting_user=request.user, completion=completion, **form.cleaned_data)
        else:
            raise Http404
    except InvalidTransition:
        messages.error(request, _("This record changed in the meantime: look at it again."))
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    return target


# --- Sessions and check-in -------------------------------------------------------------------------------
@staff_view(MANAGE, policy=is_training_coordinator)
@require_GET
def sessions(request):
    return render(request, "training/sessions.html", {"sessions": selectors.sessions_upcoming()})


@staff_view(MANAGE, policy=is_training_coordinator)
def session_create(request):
    form = SessionForm(request.POST or None, initial={"language": "fr"})
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(acting_user=request.user, trainer=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("training:session_detail", pk=session.pk)
    return render(
        request,
        "training/form.html",
        {"form": form, "title": _("Schedule a session"), "button": _("Schedule")},
        status=400 if form.errors else 200,
    )


@staff_view(MANAGE, policy=is_training_coordinator)
@require_GET
def session_detail(request, pk):
    session = object_or_404(Session.objects.select_related("version__course", "trainer"), pk=pk)
    token = tokens.issue(session)
    url = request.build_absolute_uri(reverse("training:checkin", kwargs={"token": token}))
    return _session_page(request, session, url=url)


def _session_page(request, session, *, url: str = "", form=None, sheet_form=None, status: int = 200):
    if not url:
        url = request.build_absolute_uri(reverse("training:checkin", kwargs={"token": tokens.issue(session)}))
    return render(
        request,
        "training/session_detail.html",
        {
            "session": session,
            "checkin_url": url,
            "qr": segno.make(url, error="m").svg_data_uri(scale=6, border=2),
            "present": session.attendances.count(),
            "registrations": selectors.session_registrations(acting_user=request.user, session=session),
            "registration_counts": selectors.registration_counts(session),
            "register_form": form or RegisterForm(prefix="register"),
            "open_for_registration": session.starts_at > timezone.now(),
            "sheet_form": sheet_form or SheetForm(prefix="sheet"),
            "sheets": session.sheets.all(),
        },
        status=status,
    )


def _sheet_too_large(request, limit: int):
    return render(request, "training/too_large.html", {"limit_mb": max(1, limit // (1024 * 1024))}, status=413)


@staff_view(MANAGE, policy=is_training_coordinator)
@require_POST
@body_limit(services.SHEET_MAX_BYTES + 64 * 1024, refuse=_sheet_too_large)
def session_sheet(request, pk):
    """A session held without the QR: its signed sheet (sealed) and the people on it checked in."""
    session = object_or_404(Session.objects.select_related("version__course", "trainer"), pk=pk)
    form = SheetForm(request.POST, request.FILES, prefix="sheet")
    if not form.is_valid():
        return _session_page(request, session, sheet_form=form, status=400)
    upload = form.cleaned_data["scan"]
    if upload.size > services.SHEET_MAX_BYTES:
        form.add_error("scan", _("The scan may be at most 10 MB."))
        return _session_page(request, session, sheet_form=form, status=400)
    try:
        sheet = services.attendance_sheet_record(
            acting_user=request.user, session=session, data=upload.read(), employee_numbers=form.cleaned_data["numbers"]
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _session_page(request, session, sheet_form=form, status=400)
    messages.success(
        request,
        ngettext(
            "%(count)s person checked in from the sheet.", "%(count)s people checked in from the sheet.", sheet.people
        )
        % {"count": sheet.people},
    )
    return redirect("training:session_detail", pk=session.pk)


@staff_view(MANAGE, policy=is_training_coordinator)
@require_GET
def sheet_download(request, pk):
    """The scan of a signed sheet, for the coordinators (each opening audited)."""
    from sanspeur.core import vault
    from sanspeur.core.services import audit_read

    sheet = object_or_404(AttendanceSheet.objects.select_related("data_key"), pk=pk)
    try:
        data = vault.open_bytes(sheet.data_key, sheet.sealed, context=services.sheet_context(sheet))
    except vault.VaultError:
        raise Http404 from None
    audit_read(acting_user=request.user, target=sheet, purpose="view")
    types = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
    response = HttpResponse(data, content_type=types.get(sheet.kind, "application/octet-stream"))
    response["Content-Disposition"] = f'attachment; filename="attendance-sheet-{sheet.pk}.{sheet.kind}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@staff_view(MANAGE, policy=is_training_coordinator)
@require_POST
def session_register(request, pk):
    """Register the people of a unit who need the course, and/or typed employee numbers."""
    session = object_or_404(Session.objects.select_related("version__course", "trainer"), pk=pk)
    form = RegisterForm(request.POST, prefix="register")
    if not form.is_valid():
        return _session_page(request, session, form=form, status=400)
    people, unknown = selectors.people_to_register(
        unit=form.cleaned_data["unit"], numbers=form.cleaned_data["numbers"], course_id=session.version.course_id
    )
    if unknown:
        form.add_error(
            "numbers",
            ngettext(
                "%(count)s employee number is not on the training list: nobody was registered.",
                "%(count)s employee numbers are not on the training list: nobody was registered.",
                len(unknown),
            )
            % {"count": len(unknown)},
        )
        return _session_page(request, session, form=form, status=400)
    try:
        count = services.session_register(acting_user=request.user, session=session, people=people)
    except ValidationError as error:
        form.add_error(None, error)
        return _session_page(request, session, form=form, status=400)
    messages.success(
        request, ngettext("%(count)s trainee registered.", "%(count)s trainees registered.", count) % {"count": count}
    )
    return redirect("training:session_detail", pk=session.pk)


@staff_view(MANAGE, policy=is_training_coordinator)
@require_POST
def registration_cancel(request, pk):
    registration = object_or_404(Registration.objects.select_related("session"), pk=pk)
    try:
        services.registration_cancel(acting_user=request.user, registration=registration)
    except InvalidTransition:
        messages.error(request, _("This registration can no longer be cancelled."))
    else:
        messages.success(request, _("The registration is cancelled."))
    return redirect("training:session_detail", pk=registration.session_id)


@public_view
@body_limit(CHECKIN_LIMIT, refuse=_too_large)
def checkin(request, token):
    """The trainee's page, opened from the trainer's QR: no account, no cookie."""
    session = tokens.session_for(token)
    if session is None:
        return render(request, "training/checkin.html", {"refused": True}, status=400)
    form = CheckinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Someone holding the code could try employee numbers one after the other (and check
        # colleagues in): wrong numbers are counted per session, with delays that double.
        bucket = f"session-{session.pk}"
        wait = CHECKIN_GUESSES.wait(bucket)
        if wait:
            response = render(
                request,
                "training/checkin.html",
                {"form": form, "session": session, "wait": humancheck.wait_text(wait)},
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response
        try:
            services.attendance_checkin(
                acting_user=None, token=token, employee_number=form.cleaned_data["employee_number"]
            )
        except services.UnknownEmployeeNumber as error:
            CHECKIN_GUESSES.miss(bucket)
            form.add_error(None, error)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, "training/checkin_done.html", {"session": session})
    return render(
        request, "training/checkin.html", {"form": form, "session": session}, status=400 if form.errors else 200
    )


# --- Outcome series ----------------------------------------------------------------------------------
@staff_view(MANAGE, policy=is_training_coordinator)
def outcome_create(request):
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.outcome_record(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("training:home")
    return render(
        request,
        "training/form.html",
        {
            "form": form,
            "title": _("Enter a published outcome figure"),
            "intro": _(
                "The published count of police status checks with the border agency for a period, with its"
                " source. It is shown next to the police's coverage, never per officer."
            ),
            "button": _("Save"),
        },
        status=400 if form.errors else 200,
    )
