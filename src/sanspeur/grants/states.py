"""The life of a call and of an application, declared once (core/transitions.py)."""

from __future__ import annotations

from sanspeur.core.transitions import StateMachine

# --- Calls -------------------------------------------------------------------------------------------
DRAFT, PUBLISHED, CLOSED, REVIEWING, DECIDED, ARCHIVED = (
    "draft",
    "published",
    "closed",
    "reviewing",
    "decided",
    "archived",
)

CALL = StateMachine(
    "grants call",
    {
        "publish": ({DRAFT}, PUBLISHED),
        "close": ({PUBLISHED}, CLOSED),
        "start_review": ({CLOSED}, REVIEWING),
        "decide": ({REVIEWING}, DECIDED),
        "archive": ({DECIDED}, ARCHIVED),
    },
)

#: The public sees a call from its publication on; applications are opened while it is published.
PUBLIC_CALL_STATES = frozenset({PUBLISHED, CLOSED, REVIEWING, DECIDED, ARCHIVED})

# --- Applications -------------------------------------------------------------------------------------
SUBMITTED, SCREENING, INELIGIBLE, UNDER_REVIEW, MORE_INFORMATION = (
    "submitted",
    "screening",
    "ineligible",
    "under_review",
    "more_information",
)
APPROVED, DECLINED, WAITLISTED, WITHDRAWN = "approved", "declined", "waitlisted", "withdrawn"

APPLICATION = StateMachine(
    "grants application",
    {
        "submit": ({DRAFT, MORE_INFORMATION}, SUBMITTED),
        "screen": ({SUBMITTED}, SCREENING),
        "ineligible": ({SCREENING}, INELIGIBLE),
        "eligible": ({SCREENING}, UNDER_REVIEW),
        "ask_information": ({SCREENING}, MORE_INFORMATION),
        "approve": ({UNDER_REVIEW, WAITLISTED}, APPROVED),
        "decline": ({UNDER_REVIEW, WAITLISTED}, DECLINED),
        "waitlist": ({UNDER_REVIEW}, WAITLISTED),
        "withdraw": ({DRAFT, SUBMITTED, SCREENING, MORE_INFORMATION, UNDER_REVIEW, WAITLISTED}, WITHDRAWN),
    },
)

#: The applicant edits the application in these states only (its sections, budget, partners, files).
EDITABLE = frozenset({DRAFT, MORE_INFORMATION})
#: The states in which reviewers are assigned and score.
IN_REVIEW = frozenset({UNDER_REVIEW, WAITLISTED})

# --- Reports and tranches (agreements: section 5 of docs/grants.md) ---------------------------------------
DUE, CHANGES_REQUESTED, ACCEPTED = "due", "changes_requested", "accepted"
REPORT = StateMachine(
    "grants report",
    {
        "submit": ({DUE, CHANGES_REQUESTED}, SUBMITTED),
        "request_changes": ({SUBMITTED}, CHANGES_REQUESTED),
        "accept": ({SUBMITTED}, ACCEPTED),
    },
)

SCHEDULED, CONDITIONS_MET, PAID, HELD = "scheduled", "conditions_met", "paid", "held"
TRANCHE = StateMachine(
    "grants tranche",
    {
        # Made by report acceptance (the gate) or the signed agreement (the first payment): never a button.
        "meet_conditions": ({SCHEDULED}, CONDITIONS_MET),
        "approve": ({CONDITIONS_MET}, APPROVED),
        "pay": ({APPROVED}, PAID),
        "hold": ({SCHEDULED, CONDITIONS_MET, APPROVED}, HELD),
        "release": ({HELD}, SCHEDULED),
    },
)

# --- Amendments to an agreement (budget, dates, scope) -------------------------------------------------------
REQUESTED, REFUSED = "requested", "refused"
AMENDMENT = StateMachine(
    "grants amendment",
    {
        "approve": ({REQUESTED}, APPROVED),
        "refuse": ({REQUESTED}, REFUSED),
    },
)
