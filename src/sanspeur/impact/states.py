"""The life of a release, declared once (core/transitions.py).

A statistician *prepares* a release (the figures are computed and protected, the privacy budget is
spent at that moment: the noise has been drawn and seen); a second person *approves* it, which
publishes it; a draft may be *discarded* instead (its ε stays spent). A published release never
changes: a correction is a new release that names the one it corrects.
"""

from sanspeur.core.transitions import StateMachine

DRAFT, PUBLISHED, DISCARDED = "draft", "published", "discarded"

RELEASE = StateMachine(
    "statistics release",
    {
        "approve": ({DRAFT}, PUBLISHED),
        "discard": ({DRAFT}, DISCARDED),
    },
)


# --- Testimonies (docs/impact.md, "Testimonies") ------------------------------------------------------
# A resident's words arrive *received*; a moderator *redacts* them (names, places and days taken out);
# a second moderator *approves* the redacted text, which publishes it and destroys the original; either
# may *refuse* it (the original is destroyed too). The resident may *withdraw* at any time with the
# codename: what was kept is destroyed and the published text comes off the site.
RECEIVED, REDACTED, REFUSED, WITHDRAWN = "received", "redacted", "refused", "withdrawn"

TESTIMONY = StateMachine(
    "testimony",
    {
        "redact": ({RECEIVED, REDACTED}, REDACTED),
        "approve": ({REDACTED}, PUBLISHED),
        "refuse": ({RECEIVED, REDACTED}, REFUSED),
        "withdraw": ({RECEIVED, REDACTED, PUBLISHED}, WITHDRAWN),
    },
)
