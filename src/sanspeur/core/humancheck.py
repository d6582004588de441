"""The proof-of-work widget and the question for browsers without JavaScript, in a public form.

A form that asks for one uses ``human_check_context`` to render ``includes/human_check.html``
and ``human_check_verify`` to check what came back. The widget (ALTCHA, served from our own
static files) solves the challenge when the person presses the form's button, in a Web Worker,
and adds its answer as the field ``altcha``. Without JavaScript, the question inside
``<noscript>`` is shown instead; if the widget fails (an old browser), the page shows that
question itself (``human-check.js``), and a form that came back with neither shows it openly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import antiabuse
from .public_pages import public_view

# Reasons a check can fail, and what the person reads (a field error of the form's check).
_MESSAGES = {
    "missing": gettext_lazy("Your browser did not do the automatic check. Answer the question below to continue."),
    "invalid": gettext_lazy("The automatic check did not succeed. Please send the form again."),
    "expired": gettext_lazy("The automatic check expired. Please send the form again."),
    "replay": gettext_lazy("This form was already sent. Please send it again."),
    "token": gettext_lazy("This form has expired. Please answer the new question."),
    "answer": gettext_lazy("The answer to the question is not right. Please try again."),
    "fast": gettext_lazy("This form was sent too quickly. Wait a few seconds and send it again."),
}


def message(reason: str) -> str:
    return str(_MESSAGES[reason])


def wait_text(seconds: int) -> str:
    """ "42 seconds", or whole minutes from two minutes on, in the page's language."""
    if seconds >= 120:
        minutes = -(-seconds // 60)
        return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
    return ngettext("%(count)s second", "%(count)s seconds", seconds) % {"count": seconds}


def widget_strings() -> dict[str, str]:
    """The widget's own texts, in the page's language (ALTCHA ships no Haitian Creole)."""
    return {
        "label": _("I am a person"),
        "verifying": _("Checking automatically…"),
        "verified": _("Checked"),
        "error": _("The automatic check did not work. Answer the question below instead."),
        "expired": _("The check expired. Press the button again."),
        "verificationRequired": _("The automatic check is needed: press the button again."),
        "waitAlert": _("Checking automatically… please wait."),
        "footer": "",
        "ariaLinkLabel": "",
    }


@dataclass
class Check:
    scope: str
    token: str
    a: int
    b: int
    show_question: bool
    error: str


def human_check_context(*, scope: str, show_question: bool = False, error: str = "", url: str = "") -> dict:
    """Everything ``includes/human_check.html`` needs; a fresh question at each render, so the
    question shown is always the one its token checks (the probe found them apart after an error).

    ``url``: where the widget fetches its challenge, when not the shared ``/pow/<scope>/challenge``
    (the protection unit serves its own under ``/<lang>/protection/``, whose access log is off).
    """
    token, a, b = antiabuse.question_issue(scope=scope)
    config = {
        "language": (get_language() or settings.LANGUAGE_CODE).split("-")[0],
        "strings": widget_strings(),
        "worker": static("vendor/altcha/workers/pbkdf2.js"),
    }
    widget_configuration = {
        "humanInteractionSignature": False,  # no mouse or key traces collected, even locally
        "hideFooter": True,
        "hideLogo": True,
        "minDuration": 0,
        "language": config["language"],
    }
    return {
        "human_check": Check(scope=scope, token=token, a=a, b=b, show_question=show_question, error=error),
        "human_check_url": url or reverse("pow_challenge", kwargs={"scope": scope}),
        "human_check_config": config,
        "human_check_widget": json.dumps(widget_configuration),
    }


def human_check_verify(post, *, scope: str, min_seconds: float) -> tuple[str | None, str]:
    """(reason or None, "pow" | "question") for a submitted form.

    The proof of work wins when present; the question is the path of browsers without it.
    """
    payload = post.get("altcha", "")
    if payload:
        try:
            antiabuse.proof_verify(payload, scope=scope)
        except antiabuse.ProofRefused as refused:
            return refused.reason, "pow"
        return None, "pow"
    if post.get("answer", "").strip() or post.get("token"):
        return antiabuse.question_check(
            post.get("token", ""), post.get("answer", ""), scope=scope, min_seconds=min_seconds
        ), "question"
    return "missing", "none"


# --- the challenge endpoint (no language prefix: it is fetched by the widget, not read) ----------
# The forms that ask for a proof; a challenge is made for one of them and is refused by the others.
SCOPES = frozenset({"clinics.book", "protection.report", "protection.followup"})


@public_view
@require_GET
def challenge(request, scope: str):
    """A fresh, signed challenge for the widget: no cookie, never cached, nothing recorded."""
    if scope not in SCOPES:
        raise Http404
    return JsonResponse(antiabuse.challenge_create(scope=scope))
