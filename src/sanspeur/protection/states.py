"""A case's life, declared once (core/transitions.py): each service checks its action against it,
and the case page offers exactly the actions it allows (``Case.offered_actions``).

A report arrives *new*; the first piece of work on it (triage, assignment, a note, a reply…) makes
it *open*. A caseworker asks for closure; a supervisor other than them approves it (*closed*) or
keeps the case open. While closure awaits approval, and once the case is closed, nobody works on
it; retention crypto-shreds a closed case. The person's consent to statistics is not a step of
this life: it can be given or withdrawn in any state, and the codename's expiry neither.
"""

from sanspeur.core.transitions import StateMachine

NEW, OPEN, CLOSURE_REQUESTED, CLOSED, SHREDDED = "new", "open", "closure_requested", "closed", "shredded"
WORKING = {NEW, OPEN}

CASE = StateMachine(
    "protection case",
    {
        "triage": (WORKING, OPEN),
        "assign": (WORKING, OPEN),
        "note": (WORKING, OPEN),
        "plan": (WORKING, OPEN),
        "followup": (WORKING, OPEN),
        "followup_done": (WORKING, OPEN),
        "referral": (WORKING, OPEN),
        "reply": (WORKING, OPEN),
        "request_closure": (WORKING, CLOSURE_REQUESTED),
        "approve_closure": ({CLOSURE_REQUESTED}, CLOSED),
        "reject_closure": ({CLOSURE_REQUESTED}, OPEN),
        "shred": ({CLOSED}, SHREDDED),
    },
)
