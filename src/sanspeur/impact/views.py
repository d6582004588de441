"""Impact pages: the public dashboard, release pages, method, errata and open data (published
releases only, fixed cuts, no filter taken from the address); the statisticians' staff pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sanspeur.accounts.decorators import staff_view
from sanspeur.accounts.policy import (
    approves_statistics,
    may_approve_statistics_release,
    may_approve_testimony,
    moderates_testimonies,
    prepares_statistics,
    works_on_statistics,
)
from sanspeur.core import antiabuse, humancheck
from sanspeur.core.params import uuid_or_none
from sanspeur.core.public_pages import public_view
from sanspeur.core.transitions import InvalidTransition
from sanspeur.core.uploads import body_limit

from . import catalogue, opendata, presentation, report, selectors, services
from .forms import PrepareForm, TestimonyFollowForm, TestimonyForm, TestimonyRedactForm
from .models import Release, Testimony


# --- Public ------------------------------------------------------------------------------------------
def _panels():
    panels = []
    for panel in selectors.dashboard():
        title = str(panel.indicator.title)
        panels.append(
            {
                "indicator": panel.indicator,
                "year": panel.year,
                "quarters": panel.quarters,
                "rows": presentation.rows_of(panel.year) if panel.year else [],
                "chart": (
                    presentation.chart_for_release(panel.year)
                    if panel.year and len(panel.year.cells) > 1
                    else presentation.chart_for_series(panel.quarters, title=title)
                ),
                "quarter_rows": [
                    presentation.Row(presentation.period_label(r.period), r.cells[0]["value"], r.cells[0]["status"])
                    for r in panel.quarters
                    if r.cells
                ],
            }
        )
    return panels


@require_GET
def dashboard(request):
    return render(request, "impact/dashboard.html", {"panels": _panels()})


@require_GET
def release(request, slug):
    found = selectors.release_by_slug(slug)
    if found is None:
        raise Http404
    return render(
        request,
        "impact/release.html",
        {
            "release": found,
            "indicator": catalogue.get(found.indicator),
            "rows": presentation.rows_of(found),
            "chart": presentation.chart_for_release(found),
            "superseded": selectors.is_superseded(found),
        },
    )


@require_GET
def method(request):
    return render(
        request,
        "impact/method.html",
        {
            "indicators": catalogue.indicators(),
            "units": [(code, label, budget) for code, (label, budget) in catalogue.PRIVACY_UNITS.items() if budget],
            "budgets": selectors.budget_lines(timezone.localdate().year - 1),
        },
    )


@require_GET
def errata(request):
    return render(request, "impact/errata.html", {"corrections": selectors.errata()})


@require_GET
def data_index(request):
    return render(
        request,
        "impact/data_index.html",
        {"releases": selectors.all_published(), "report_years": report.report_years()[:20]},
    )


# --- Open data (no language prefix) ------------------------------------------------------------------------
def _open_file(content: bytes, content_type: str, *, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site or notebook may read it
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def _published_or_404(slug) -> Release:
    found = selectors.release_by_slug(slug)
    if found is None:
        raise Http404
    return found


@require_GET
def data_csv(request, slug):
    found = _published_or_404(slug)
    return _open_file(opendata.release_csv(found), "text/csv; charset=utf-8", name=f"{slug}.csv")


@require_GET
def data_json(request, slug):
    found = _published_or_404(slug)
    return _open_file(opendata.dumps(opendata.release_json(found)), "application/json", name=f"{slug}.json")


@require_GET
def data_schema(request, slug):
    found = _published_or_404(slug)
    return _open_file(opendata.dumps(opendata.data_package(found)), "application/json", name=f"{slug}.schema.json")


@require_GET
def data_catalog(request):
    return _open_file(opendata.dumps(opendata.catalog()), "application/json", name="catalog.json")


@require_GET
def data_report(request, year, language, signature=False):
    """The yearly report (PDF, French or English) and its detached signature."""
    if language not in report.REPORT_LANGUAGES or year not in report.report_years():
        raise Http404
    name = report.report_name(year, language)
    pdf = report.report_pdf(year, language=language)
    if signature:
        from sanspeur.core.publications import sign_file

        return _open_file(sign_file(name, pdf).encode("ascii"), "application/jose", name=f"{name}.jws")
    return _open_file(pdf, "application/pdf", name=name)


# --- Staff -------------------------------------------------------------------------------------------------
@staff_view(policy=works_on_statistics)
@require_GET
def staff_list(request):
    year = timezone.localdate().year
    return render(
        request,
        "impact/staff_list.html",
        {
            "releases": selectors.staff_releases(),
            "budgets": selectors.budget_lines(year - 1) + selectors.budget_lines(year),
            "can_prepare": prepares_statistics(request.user),
            "due": [
                (catalogue.get(code).title, period)
                for code, period in selectors.releases_due(today=timezone.localdate())
            ],
        },
    )


@staff_view(policy=prepares_statistics)
def staff_prepare(request):
    form = PrepareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            prepared = services.release_prepare(
                acting_user=request.user,
                indicator=form.cleaned_data["indicator"],
                period=form.cleaned_data["period"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The release is prepared. A second person must approve it."))
            return redirect("impact:staff_release", slug=prepared.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "impact/staff_prepare.html", {"form": form}, status=status)


def _staff_release_or_404(slug) -> Release:
    found = Release.objects.filter(slug=slug).select_related("prepared_by", "approved_by", "corrects").first()
    if found is None:
        raise Http404
    return found


@staff_view(policy=works_on_statistics)
@require_GET
def staff_release(request, slug):
    found = _staff_release_or_404(slug)
    return render(
        request,
        "impact/staff_release.html",
        {
            "release": found,
            "rows": presentation.rows_of(found),
            "may_approve": found.state == "draft" and may_approve_statistics_release(request.user, release=found),
            "own": found.prepared_by_id == request.user.pk,
            "approver": approves_statistics(request.user),
        },
    )


@staff_view(policy=works_on_statistics)
@require_POST
def staff_action(request, slug, action):
    found = _staff_release_or_404(slug)
    try:
        if action == "approve":
            services.release_approve(acting_user=request.user, release=found)
            messages.success(request, _("The release is published."))
        elif action == "discard":
            services.release_discard(acting_user=request.user, release=found)
            messages.success(request, _("The draft is discarded; its privacy budget stays spent."))
        else:
            raise Http404
    except PermissionDenied:
        messages.error(request, _("A release is approved by someone other than the person who prepared it."))
    except (InvalidTransition, ValidationError):
        messages.error(request, _("This release has changed since the page was shown."))
    return redirect("impact:staff_release", slug=found.slug)


# --- Testimonies: public --------------------------------------------------------------------------------------
TESTIMONY_SCOPE = "impact.testimony"
TESTIMONY_BODY_LIMIT = 64 * 1024  # 5,000 characters of any script, the proof of work, the choices
TESTIMONY_MIN_SECONDS = 20  # nobody writes a testimony faster


def _testimony_too_large(request, limit: int):
    form = TestimonyForm()
    form.add_error(None, _("Your testimony is too long: keep it under 5,000 characters."))
    return render(request, "impact/testimony_share.html", {"form": form, **_testimony_check()}, status=413)


def _testimony_check(**kwargs) -> dict:
    return humancheck.human_check_context(scope=TESTIMONY_SCOPE, url=reverse("impact:testimony_challenge"), **kwargs)


@public_view
@require_GET
def testimony_challenge(request):
    """The widget's challenge for the testimony form: no cookie, never cached, nothing recorded."""
    from django.http import JsonResponse

    return JsonResponse(antiabuse.challenge_create(scope=TESTIMONY_SCOPE))


@public_view
@require_GET
def testimonies(request):
    found = selectors.published_testimonies()
    found.sort(key=lambda testimony: testimony.language != request.LANGUAGE_CODE)  # the page's language first
    return render(request, "impact/testimonies.html", {"testimonies": found})


@public_view
@body_limit(TESTIMONY_BODY_LIMIT, refuse=_testimony_too_large)
def testimony_share(request):
    if request.method != "POST":
        return render(request, "impact/testimony_share.html", {"form": TestimonyForm(), **_testimony_check()})
    form = TestimonyForm(request.POST)
    reason, _path = humancheck.human_check_verify(
        request.POST, scope=TESTIMONY_SCOPE, min_seconds=TESTIMONY_MIN_SECONDS
    )
    if reason:
        show = reason == "missing" or not request.POST.get("altcha")
        form.is_valid()  # the words are shown again, with their errors if any
        context = {"form": form, **_testimony_check(show_question=show, error=humancheck.message(reason))}
        return render(request, "impact/testimony_share.html", context, status=400)
    if not form.is_valid():
        return render(request, "impact/testimony_share.html", {"form": form, **_testimony_check()}, status=400)
    try:
        testimony = services.testimony_submit(
            acting_user=None,
            text=form.cleaned_data["text"],
            author=form.cleaned_data["author"],
            language=request.LANGUAGE_CODE,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return render(request, "impact/testimony_share.html", {"form": form, **_testimony_check()}, status=400)
    from sanspeur.protection import crypto

    language = crypto.codename_language(request.LANGUAGE_CODE)
    return render(
        request,
        "impact/testimony_sent.html",
        {
            "codename": testimony.codename,
            "codename_language": language,
            "codename_dir": "rtl" if language in crypto.RTL_LANGUAGES else "ltr",
        },
    )


def _follow_too_large(request, limit: int):
    return render(request, "impact/testimony_follow.html", {"form": TestimonyFollowForm()}, status=413)


@public_view
@body_limit(4 * 1024, refuse=_follow_too_large)
def testimony_follow(request):
    """Follow a testimony with its codename (POST only: a codename never sits in an address), and
    withdraw it: a second, confirmed step on the page that shows its state."""
    from sanspeur.protection.selectors import RateLimited

    if request.method != "POST":
        return render(request, "impact/testimony_follow.html", {"form": TestimonyFollowForm()})
    form = TestimonyFollowForm(request.POST)
    if not form.is_valid():
        return render(request, "impact/testimony_follow.html", {"form": form}, status=400)
    try:
        testimony = selectors.testimony_follow(form.cleaned_data["codename"])
    except RateLimited as limited:
        response = render(
            request,
            "impact/testimony_follow.html",
            {"form": TestimonyFollowForm(), "rate_limited": humancheck.wait_text(limited.wait)},
            status=429,
        )
        response["Retry-After"] = str(limited.wait)
        return response
    if testimony is None:
        return render(
            request, "impact/testimony_follow.html", {"form": TestimonyFollowForm(), "not_found": True}, status=400
        )
    withdrawn_now = False
    if form.cleaned_data["withdraw"] and testimony.state != Testimony.State.WITHDRAWN:
        try:
            testimony = services.testimony_withdraw(acting_user=None, testimony=testimony)
        except InvalidTransition:
            pass  # refused or already withdrawn meanwhile: nothing is kept either way
        else:
            withdrawn_now = True
    return render(
        request,
        "impact/testimony_follow.html",
        {"testimony": testimony, "codename": form.cleaned_data["codename"], "withdrawn_now": withdrawn_now},
    )


# --- Testimonies: moderators --------------------------------------------------------------------------------
@staff_view(policy=moderates_testimonies)
@require_GET
def testimony_list(request):
    return render(request, "impact/testimony_list.html", {"queue": selectors.testimony_queue()})


def _testimony_or_404(pk) -> Testimony:
    found = (
        Testimony.objects.filter(pk=uuid_or_none(pk))
        .select_related("original_key", "text_key", "redacted_by", "approved_by")
        .first()
    )
    if found is None:
        raise Http404
    return found


def _testimony_page(request, testimony: Testimony, form=None, status: int = 200):
    from sanspeur.core import vault
    from sanspeur.core.services import audit_read

    from . import redaction

    original = ""
    if testimony.original is not None and testimony.original_key is not None:
        try:
            original = vault.open_fields(
                testimony.original_key, testimony.original, context=services.testimony_context(testimony, "original")
            )["text"]
        except vault.ShreddedError:
            original = ""
    text = services.testimony_text(testimony)
    audit_read(acting_user=request.user, target=testimony)
    if form is None:
        initial_month = testimony.month or testimony.received_on.strftime("%Y-%m")
        form = TestimonyRedactForm(initial={"text": text or original, "month": initial_month})
    return render(
        request,
        "impact/testimony_detail.html",
        {
            "testimony": testimony,
            "original": original,
            "text": text,
            "suspects": redaction.suspects(text or original),
            "day_dates": redaction.day_dates(text or original),
            "form": form,
            "open": testimony.state in (Testimony.State.RECEIVED, Testimony.State.REDACTED),
            "may_approve": testimony.state == Testimony.State.REDACTED
            and may_approve_testimony(request.user, testimony=testimony),
            "own": testimony.redacted_by_id == request.user.pk,
            "confirm_refuse": request.GET.get("confirm") == "refuse",
        },
        status=status,
    )


@staff_view(policy=moderates_testimonies)
@require_GET
def testimony_detail(request, pk):
    return _testimony_page(request, _testimony_or_404(pk))


@staff_view(policy=moderates_testimonies)
@require_POST
def testimony_action(request, pk, action):
    testimony = _testimony_or_404(pk)
    try:
        if action == "redact":
            form = TestimonyRedactForm(request.POST)
            if not form.is_valid():
                return _testimony_page(request, testimony, form, status=400)
            try:
                services.testimony_redact(
                    acting_user=request.user,
                    testimony=testimony,
                    text=form.cleaned_data["text"],
                    month=form.cleaned_data["month"],
                )
            except ValidationError as error:
                form.add_error(None, error)
                return _testimony_page(request, testimony, form, status=400)
            messages.success(request, _("The redacted text is saved. A second moderator must approve it."))
        elif action == "approve":
            services.testimony_approve(acting_user=request.user, testimony=testimony)
            messages.success(request, _("The testimony is published; its original words are destroyed."))
        elif action == "refuse":
            if request.POST.get("confirm") != "yes":  # the first press shows the consequence
                return redirect(reverse("impact:testimony_detail", kwargs={"pk": testimony.pk}) + "?confirm=refuse")
            services.testimony_refuse(acting_user=request.user, testimony=testimony)
            messages.success(request, _("The testimony will not be published; everything kept of it is destroyed."))
        else:
            raise Http404
    except PermissionDenied:
        messages.error(request, _("A testimony is approved by a moderator other than the one who redacted it."))
    except (InvalidTransition, ValidationError) as error:
        detail = error.messages[0] if isinstance(error, ValidationError) else ""
        messages.error(request, detail or _("This testimony has changed since the page was shown."))
    return redirect("impact:testimony_detail", pk=testimony.pk)
