"""A change proposal's life, declared once (core/transitions.py): the review services check their
action against it, and the review page offers exactly the actions it allows
(``ChangeProposal.offered_actions``). A reviewed proposal is never reviewed again: a second click,
or two editors at once, get ``InvalidTransition``."""

from sanspeur.core.transitions import StateMachine

PENDING, PUBLISHED, REJECTED = "pending", "published", "rejected"

PROPOSAL = StateMachine(
    "proposal",
    {
        "publish": ({PENDING}, PUBLISHED),
        "reject": ({PENDING}, REJECTED),
    },
)
