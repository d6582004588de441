"""Views: thin. Public pages set no cookie (CSRF replaced by a same-origin check, like the
protection app) and are never cached; staff pages go through ``staff_view``."""

from __future__ import annotations

import csv

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sanspeur.accounts.decorators import staff_view
from sanspeur.accounts.policy import OWN, has_capability, in_scope
from sanspeur.core import humancheck
from sanspeur.core.locks import LockTimeout
from sanspeur.core.params import object_or_404
from sanspeur.core.public_pages import public_view
from sanspeur.core.uploads import body_limit

from . import antibot, codes, rules, selectors, services
from .forms import (
    BookingForm,
    CapacityForm,
    CodeForm,
    EventForm,
    PeriodForm,
    PrecheckForm,
    PublicFilterForm,
    ServiceForm,
    SessionForm,
    WalkInForm,
)
from .ics import booking_calendar
from .models import Booking, Event, Service, Session

MANAGE = "accounts.manage_clinics"
CHECKIN = "accounts.checkin_bookings"
# Request bodies of the public forms are small: anything larger is refused before it is read.
BOOKING_BODY_LIMIT = 16 * 1024  # places, reminder, honeypot, the proof (about 700 bytes) or the question
ACTION_BODY_LIMIT = 2 * 1024  # cancel or move
BUSY_RETRY_SECONDS = 5  # after a lock time-out on a crowded time slot


def _qr(text: str, scale: int = 6) -> str:
    return segno.make(text, error="m").svg_data_uri(scale=scale, border=2)


def _human_message(reason: str) -> str:
    # Literal strings so that makemessages finds them.
    return {
        "honeypot": _("This form could not be accepted. Please try again."),
        "token": _("This form has expired. Please try again."),
        "fast": _("This form was sent too quickly. Wait a few seconds and send it again."),
        "answer": _("The answer to the question is not right. Please try again."),
        "replay": _("This form was already sent. Please fill it in again."),
    }.get(reason) or humancheck.message(reason)


def _busy_message(wait: int) -> str:
    return _(
        "Many people are booking this time slot right now. Wait %(time)s and send the form again:"
        " your choices are kept."
    ) % {"time": humancheck.wait_text(wait)}


def _body_too_large(request, limit: int):
    message = _("This request is too large to be a booking. Nothing was saved. Please go back and try again.")
    return render(request, "clinics/refused.html", {"message": message}, status=413)


# --- Public ----------------------------------------------------------------------------------
@public_view
def public_list(request):
    # A poster's short address (?c=7KQ4MZ, event_poster) opens its clinic in the same language.
    short = "".join(str(request.GET.get("c", "")).split()).upper().translate(codes.LOOK_ALIKES)[:8]
    if short:
        event = Event.objects.filter(short_code=short, is_published=True).only("pk").first()
        if event is not None:
            return redirect("clinics:event_detail", pk=event.pk)
    form = PublicFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.public_events(**{k: v for k, v in filters.items() if v})
    return render(request, "clinics/public_list.html", {"form": form, "events": events})


def _public_event(pk) -> Event:
    return get_object_or_404(Event.objects.prefetch_related("organisations"), pk=pk, is_published=True)


@public_view
def event_detail(request, pk):
    event = _public_event(pk)
    return render(
        request,
        "clinics/event_detail.html",
        {
            "event": event,
            "location": selectors.location_label(event),
            "services": selectors.sessions_with_availability(event),
            "is_past": event.date < timezone.localdate(),
        },
    )


def _short_url(request, event: Event, language: str) -> str:
    """The poster's short address in ``language``: ``<host>/<lang>/clinics/?c=7KQ4MZ``."""
    with translation.override(language):
        path = reverse("clinics:public_list")
    return request.build_absolute_uri(f"{path}?c={event.short_code}")


@public_view
def event_poster(request, pk):
    """A poster in the clinic's languages (those of its team that the site speaks; the page's
    language first), each with its short address and the QR code of it."""
    event = _public_event(pk)
    public = [code for code, _name in settings.LANGUAGES]
    current = (get_language() or "fr").split("-")[0]
    languages = [code for code in event.language_codes if code in public] or [current]
    if current in languages:
        languages = [current, *(code for code in languages if code != current)]
    blocks = []
    for language in languages:
        url = _short_url(request, event, language)
        blocks.append(
            {
                "language": language,
                "bidi": translation.get_language_info(language).get("bidi", False),
                "url": url,
                "shown_url": url.split("://", 1)[-1],
                "qr": _qr(url, 8 if not blocks else 5),
            }
        )
    return render(
        request,
        "clinics/event_poster.html",
        {"event": event, "location": selectors.location_label(event), "blocks": blocks},
    )


@public_view
@body_limit(BOOKING_BODY_LIMIT, refuse=_body_too_large)
@require_http_methods(["GET", "POST"])
def book(request, session_id):
    session = get_object_or_404(
        Session.objects.select_related("service__event"), pk=session_id, service__event__is_published=True
    )
    service, event = session.service, session.service.event
    now = timezone.now()
    status = 200
    problem = ""
    alert = ""
    check_error = ""
    wait = 0
    if session.starts_at <= now:
        problem = _("This time slot is over: it can no longer be booked.")
    elif session.cancelled_at is not None:
        problem = _("This time slot was cancelled by the organisers.")
    elif session.released_at > now:
        problem = _("Booking for this time slot has not opened yet.")
    form = BookingForm(request.POST if request.method == "POST" else None, max_places=service.max_places_per_code)
    # The question is shown openly (not only inside <noscript>) once a form came back without the
    # proof of work: that browser cannot do it, and must never be left without a way to book.
    show_question = request.method == "POST" and not request.POST.get("altcha")
    if request.method == "POST" and not problem:
        if not form.is_valid():
            status = 400
        elif form.cleaned_data["website"]:
            alert, status = _human_message("honeypot"), 400
        else:
            reason, path = humancheck.human_check_verify(
                request.POST, scope=antibot.SCOPE, min_seconds=antibot.min_seconds()
            )
            places = form.cleaned_data["places"]
            if reason:
                check_error, status = _human_message(reason), 400
            elif wait := antibot.slot_take(session, places, path=path):
                alert = _busy_message(wait)
                status = 429
            else:
                try:
                    _booking, code = services.booking_create(
                        acting_user=None,
                        session_id=session.pk,
                        places=places,
                        language=get_language() or "fr",
                        reminder=form.cleaned_data["reminder"],
                    )
                except services.BookingError as error:
                    antibot.slot_give_back(session, places, path=path)
                    alert = error.message
                    status = 409
                except LockTimeout:  # the slot's row stayed locked too long (core/locks.py)
                    antibot.slot_give_back(session, places, path=path)
                    wait = BUSY_RETRY_SECONDS
                    alert = _busy_message(wait)
                    status = 429
                else:
                    return redirect("clinics:booking", code=code)
    response = render(
        request,
        "clinics/book.html",
        {
            "session": session,
            "service": service,
            "event": event,
            "location": selectors.location_label(event),
            "free": max(session.capacity - selectors.used_places(session), 0),
            "form": form,
            "problem": problem,
            "alert": alert,
            **humancheck.human_check_context(scope=antibot.SCOPE, show_question=show_question, error=check_error),
        },
        status=status,
    )
    if wait:
        response["Retry-After"] = str(wait)
    return response


class TooManyGuesses(Exception):
    def __init__(self, wait: int):
        super().__init__(wait)
        self.wait = wait


def _find_booking(code: str) -> Booking | None:
    """Look a normalised code up; wrong codes are counted in the code's bucket (1/1024 of all
    codes), whose delays grow with each miss. Raises TooManyGuesses while that bucket waits."""
    bucket = antibot.guess_bucket(code)
    wait = antibot.GUESSES.wait(bucket)
    if wait:
        raise TooManyGuesses(wait)
    booking = selectors.booking_by_code(code)
    if booking is None:
        antibot.GUESSES.miss(bucket)
    return booking


def _too_many_guesses(request, wait: int):
    message = _(
        "Many wrong codes were tried recently for codes like this one. Wait %(time)s and try again:"
        " your booking is safe."
    ) % {"time": humancheck.wait_text(wait)}
    response = render(request, "clinics/booking_lookup.html", {"form": CodeForm(), "alert": message}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _booking_or_404(code: str) -> Booking:
    normalised = codes.normalise(code)
    booking = _find_booking(normalised) if normalised else None
    if booking is None:
        raise Http404(_("No booking has this code."))
    return booking


def _booking_page(request, booking: Booking, normalised: str, *, via_lookup: bool):
    """The booking page, and its actions (cancel, move) when POSTed.

    Cancelling asks first: the first "cancel" shows what it means (the place goes to someone
    else, for good) and only the confirmation (``confirm=yes``) cancels. Reached through the
    look-up form (a POST to ``/booking/``, ``via_lookup``), the page and its forms never put the
    code in a URL: the forms post the code back in a hidden field and the answer is rendered, not
    redirected to the code's address (a shared phone's history must not keep it)."""
    alert = ""
    done = ""
    confirm_cancel = False
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "calendar":
        return _calendar_response(booking)
    if action == "cancel" and request.POST.get("confirm") != "yes":
        confirm_cancel = "cancel" in booking.offered_actions
        action = None if confirm_cancel else action
    if action == "cancel":
        try:
            services.booking_cancel(acting_user=None, code=normalised)
        except services.BookingError as error:
            alert = error.message
        except LockTimeout:
            alert = _busy_message(BUSY_RETRY_SECONDS)
        else:
            if not via_lookup:
                # No messages framework on public pages: it would set a cookie.
                return redirect(reverse("clinics:booking", kwargs={"code": normalised}) + "?cancelled=1")
            done = "cancelled"
    elif action == "move":
        try:
            target = int(request.POST.get("session", ""))
        except ValueError:
            alert = _("Choose one of the time slots offered.")
        else:
            try:
                services.booking_move(acting_user=None, code=normalised, session_id=target)
            except services.BookingError as error:
                alert = error.message
            except LockTimeout:
                alert = _busy_message(BUSY_RETRY_SECONDS)
            else:
                if not via_lookup:
                    return redirect(reverse("clinics:booking", kwargs={"code": normalised}) + "?moved=1")
                done = "moved"
    if action:
        booking.refresh_from_db()
    event = booking.session.service.event
    offered = booking.offered_actions  # clinics/states.py, and the time slot not over
    cancelled = done == "cancelled" or request.GET.get("cancelled") == "1"
    moved = done == "moved" or request.GET.get("moved") == "1"
    return render(
        request,
        "clinics/booking.html",
        {
            "booking": booking,
            "code": codes.display(normalised),
            "raw_code": normalised,
            "qr": _qr(normalised, 6),
            "session": booking.session,
            "service": booking.session.service,
            "event": event,
            "location": selectors.location_label(event),
            "position": selectors.waitlist_position(booking),
            "alert": alert,
            "confirm_cancel": confirm_cancel,
            "cancelled_now": cancelled and booking.status == Booking.Status.CANCELLED,
            "moved_now": moved and booking.status == Booking.Status.CONFIRMED,
            "offered": offered,
            "slot_cancelled": booking.status == Booking.Status.SLOT_CANCELLED,
            "move_options": selectors.move_options(booking) if "move" in offered else [],
        },
    )


@public_view
@body_limit(ACTION_BODY_LIMIT, refuse=_body_too_large)
@require_http_methods(["GET", "POST"])
def booking(request, code):
    normalised = codes.normalise(code)
    if normalised is None:
        raise Http404(_("No booking has this code."))
    # Every use of a code (reading, the calendar file, cancelling, moving) is first a look-up that
    # counts against guessing: the cancel path used to skip the limit.
    try:
        booking = _booking_or_404(normalised)
    except TooManyGuesses as too_many:
        return _too_many_guesses(request, too_many.wait)
    return _booking_page(request, booking, normalised, via_lookup=False)


@public_view
def booking_ics(request, code):
    try:
        booking = _booking_or_404(code)
    except TooManyGuesses as too_many:
        return _too_many_guesses(request, too_many.wait)
    return _calendar_response(booking)


def _calendar_response(booking: Booking) -> HttpResponse:
    response = HttpResponse(
        booking_calendar(booking, selectors.location_label(booking.session.service.event)),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="rendez-vous.ics"'
    return response


@public_view
@body_limit(ACTION_BODY_LIMIT, refuse=_body_too_large)
@require_http_methods(["GET", "POST"])
def booking_lookup(request):
    """Find a booking by its code. POSTed: the code never sits in a URL (a shared phone's history,
    a proxy's log); the booking page is the answer to the POST, and its forms post here again."""
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        code = codes.normalise(form.cleaned_data["code"])
        if code is None:
            form.add_error("code", _("This booking code is not valid. Check the characters and try again."))
        else:
            try:
                found = _find_booking(code)
            except TooManyGuesses as too_many:
                return _too_many_guesses(request, too_many.wait)
            if found is None:
                form.add_error("code", _("No booking has this code."))
            else:
                return _booking_page(request, found, code, via_lookup=True)
    return render(request, "clinics/booking_lookup.html", {"form": form}, status=400 if form.errors else 200)


@public_view
def precheck(request):
    # The desk's rules (cards app), document names in the page's language.
    current = rules.active_rules(get_language())
    form = PrecheckForm(request.GET or None, documents=current.documents)
    result = None
    if "checked" in request.GET and form.is_valid():
        result = rules.evaluate(form.cleaned_data["docs"], current)
    return render(
        request,
        "clinics/precheck.html",
        {
            "form": form,
            "result": result,
            "missing": rules.missing_messages(result) if result else [],
            "rules": current,
        },
    )


# --- Staff: events ---------------------------------------------------------------------------
def _staff_event(request, pk) -> Event:
    return get_object_or_404(selectors.events_for_staff(request.user), pk=pk)


@staff_view(MANAGE)
def staff_event_list(request):
    events = selectors.events_for_staff(request.user)
    today = timezone.localdate()
    return render(
        request,
        "clinics/staff_event_list.html",
        {"upcoming": events.filter(date__gte=today), "past": events.filter(date__lt=today).order_by("-date")[:50]},
    )


@staff_view(MANAGE)
def staff_event_edit(request, pk=None):
    event = _staff_event(request, pk) if pk else None
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_save(
                acting_user=request.user,
                event=event,
                data=form.event_data(),
                organisations=form.cleaned_data["organisations"],
            )
        except PermissionDenied:
            # The event is the user's to edit (scoped above): what the policy refused is removing
            # a co-organiser (services._may_remove_organisations).
            form.add_error(
                "organisations",
                _("Only the City's coordinators can remove another organisation from this event."),
            )
        else:
            messages.success(request, _("The event is saved."))
            return redirect("clinics:staff_event_detail", pk=event.pk)
    return render(request, "clinics/staff_event_form.html", {"form": form, "event": event})


@staff_view(MANAGE)
def staff_event_detail(request, pk):
    event = _staff_event(request, pk)
    service_form = ServiceForm(event=event, prefix="service")
    session_form = None  # the one sent with mistakes, shown again under its service
    session_service = None
    if request.method == "POST":
        if request.POST.get("action") == "service":
            service_form = ServiceForm(request.POST, event=event, prefix="service")
            if service_form.is_valid():
                services.service_create(acting_user=request.user, event=event, **service_form.cleaned_data)
                messages.success(request, _("The service is added."))
                return redirect("clinics:staff_event_detail", pk=event.pk)
        elif request.POST.get("action") in ("cancel_session", "capacity"):
            session = object_or_404(Session, pk=request.POST.get("session"), service__event=event)
            try:
                if request.POST["action"] == "cancel_session":
                    affected = services.session_cancel(acting_user=request.user, session=session)
                    messages.success(
                        request,
                        ngettext(
                            "The time slot is cancelled; %(count)s booking was told it can choose another.",
                            "The time slot is cancelled; %(count)s bookings were told they can choose another.",
                            affected,
                        )
                        % {"count": affected},
                    )
                else:
                    capacity = CapacityForm(request.POST)
                    if not capacity.is_valid():
                        raise services.BookingError(capacity.errors["capacity"][0])
                    services.session_capacity_change(
                        acting_user=request.user, session=session, capacity=capacity.cleaned_data["capacity"]
                    )
                    messages.success(request, _("The capacity is changed."))
            except services.BookingError as error:
                messages.error(request, error.message)
            return redirect("clinics:staff_event_detail", pk=event.pk)
        elif request.POST.get("action") == "cancel_event":
            if request.POST.get("confirm") != "yes":
                messages.error(request, _("Tick the box to confirm."))
            else:
                affected = services.event_cancel(acting_user=request.user, event=event)
                messages.success(
                    request,
                    ngettext(
                        "Every remaining time slot is cancelled; %(count)s booking was told.",
                        "Every remaining time slot is cancelled; %(count)s bookings were told.",
                        affected,
                    )
                    % {"count": affected},
                )
            return redirect("clinics:staff_event_detail", pk=event.pk)
        elif request.POST.get("action") == "session":
            service = object_or_404(Service, pk=request.POST.get("service"), event=event)
            session_form = SessionForm(request.POST, prefix="session", auto_id=f"id_%s_{service.pk}")
            session_service = service.pk
            if session_form.is_valid():
                services.session_create(acting_user=request.user, service=service, **session_form.cleaned_data)
                messages.success(request, _("The time slot is added."))
                return redirect("clinics:staff_event_detail", pk=event.pk)
    return render(
        request,
        "clinics/staff_event_detail.html",
        {
            "event": event,
            "location": selectors.location_label(event),
            # One "add a time slot" form per service, each with its own ids (no duplicate id).
            "services": [
                (
                    service,
                    sessions,
                    session_form
                    if session_service == service.pk
                    else SessionForm(prefix="session", auto_id=f"id_%s_{service.pk}"),
                )
                for service, sessions in selectors.sessions_with_availability(event)
            ],
            "service_form": service_form,
            "report": selectors.report([event]),
        },
    )


def _csv_response(rows, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(["date", "event", "borough", "service", "language", "kind", "count"])
    writer.writerows(rows)
    return response


@staff_view(MANAGE)
def staff_event_report(request, pk):
    event = _staff_event(request, pk)
    if request.GET.get("format") == "csv":
        return _csv_response(selectors.report_rows([event]), f"clinic-{event.date}.csv")
    return render(request, "clinics/staff_report.html", {"event": event, "report": selectors.report([event])})


@staff_view(MANAGE)
def staff_report(request):
    form = PeriodForm(request.GET or None)
    report = None
    if form.is_valid():
        events = selectors.events_for_staff(request.user).filter(
            date__gte=form.cleaned_data["start"], date__lte=form.cleaned_data["end"]
        )
        if request.GET.get("format") == "csv":
            return _csv_response(
                selectors.report_rows(events), f"clinics-{form.cleaned_data['start']}-{form.cleaned_data['end']}.csv"
            )
        report = selectors.report(events)
    return render(request, "clinics/staff_report.html", {"form": form, "report": report})


# --- Staff: at the door ----------------------------------------------------------------------
def _may_enroll(user) -> bool:
    """Whether the enrollment page would open for ``user`` (cards.views.enroll asks the same):
    door staff are not sent to a page that refuses them."""
    return has_capability(user, "enroll_residents") and in_scope(user, user.organisation_id, reach=OWN)


@staff_view(CHECKIN)
def checkin_home(request):
    today = timezone.localdate()
    events = selectors.events_for_staff(request.user).filter(date__gte=today)[:30]
    return render(request, "clinics/checkin_home.html", {"events": events, "today": today})


@staff_view(CHECKIN)
def checkin_event(request, pk):
    event = _staff_event(request, pk)
    code_form = CodeForm(prefix="door")
    walk_in_form = WalkInForm(event=event, prefix="walkin")
    checked = None
    status = 200
    if request.method == "POST" and request.POST.get("action") == "checkin":
        code_form = CodeForm(request.POST, prefix="door")
        if code_form.is_valid():
            try:
                checked = services.booking_check_in(
                    acting_user=request.user, event=event, code=code_form.cleaned_data["code"]
                )
            except services.BookingError as error:
                code_form.add_error("code", error.message)
                status = 409
            else:
                code_form = CodeForm(prefix="door")
    elif request.method == "POST" and request.POST.get("action") == "walkin":
        walk_in_form = WalkInForm(request.POST, event=event, prefix="walkin")
        if walk_in_form.is_valid():
            services.walk_in_record(
                acting_user=request.user,
                service=walk_in_form.cleaned_data["service"],
                language=walk_in_form.cleaned_data["language"],
                count=walk_in_form.cleaned_data["count"],
            )
            messages.success(request, _("Walk-in recorded."))
            return redirect("clinics:checkin_event", pk=event.pk)
    return render(
        request,
        "clinics/checkin_event.html",
        {
            "event": event,
            "code_form": code_form,
            "walk_in_form": walk_in_form,
            "checked": checked,
            "report": selectors.report([event]),
            "has_enrollment": event.services.filter(kind="enrollment").exists(),
            "may_enroll": _may_enroll(request.user),
        },
        status=status,
    )
