"""The lives of an outside request and of a resident's refusal report, declared once
(core/transitions.py): services check each change against them, pages offer what they allow.

An outside request arrives *received*; triage records what it asks and by when. Informal and
voluntary requests are refused from triage (services.py enforces the policy, not this table).
Legal review may ask the requester to narrow the request and start again. A decision closes the
review: refused, no records held, challenged in court, or — only with a judicial instrument and
the sign-offs of a legal counsel and a privacy officer, two different people — disclosed in whole
or in part. The answer is sent (*responded*); the person concerned is told, or the notice is
deferred until a date (a non-disclosure order), or it is prohibited; then the request is closed
and, once no order keeps it secret, published in the transparency report.

The sign-offs and the checklist are recorded during legal review (self-loops): any of them
changing, or a narrowing, clears the sign-offs given before (services.py).
"""

from sanspeur.core.transitions import StateMachine

RECEIVED, TRIAGED, LEGAL_REVIEW, NARROWING = "received", "triaged", "legal_review", "narrowing"
DECIDED, RESPONDED, DEFERRED, NOTIFIED = "decided", "responded", "notice_deferred", "notified"
CLOSED, PUBLISHED = "closed", "published"

BEFORE_DECISION = {TRIAGED, LEGAL_REVIEW, NARROWING}

REQUEST = StateMachine(
    "outside request",
    {
        "triage": ({RECEIVED}, TRIAGED),
        "start_review": ({TRIAGED, NARROWING}, LEGAL_REVIEW),
        "checklist": ({LEGAL_REVIEW}, LEGAL_REVIEW),
        "sign_off_legal": ({LEGAL_REVIEW}, LEGAL_REVIEW),
        "sign_off_privacy": ({LEGAL_REVIEW}, LEGAL_REVIEW),
        "narrow": ({LEGAL_REVIEW}, NARROWING),
        "refuse": (BEFORE_DECISION, DECIDED),
        "no_records": (BEFORE_DECISION, DECIDED),
        "challenge": ({LEGAL_REVIEW, NARROWING}, DECIDED),
        "disclose": ({LEGAL_REVIEW}, DECIDED),
        "respond": ({DECIDED}, RESPONDED),
        "notify": ({RESPONDED, DEFERRED}, NOTIFIED),
        "defer_notice": ({RESPONDED}, DEFERRED),
        "prohibit_notice": ({RESPONDED}, NOTIFIED),
        "close": ({NOTIFIED}, CLOSED),
        "publish": ({CLOSED}, PUBLISHED),
    },
)

# A resident's report of a service point: the city's staff follow up with the service point.
R_RECEIVED, R_CONTACTED, R_RESOLVED, R_UNRESOLVED = "received", "contacted", "resolved", "unresolved"

REFUSAL = StateMachine(
    "refusal report",
    {
        "contact_service": ({R_RECEIVED}, R_CONTACTED),
        "resolve": ({R_CONTACTED}, R_RESOLVED),
        "mark_unresolved": ({R_CONTACTED}, R_UNRESOLVED),
        "reopen": ({R_RESOLVED, R_UNRESOLVED}, R_CONTACTED),
    },
)
