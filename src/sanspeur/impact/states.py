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
