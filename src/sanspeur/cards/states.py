"""The card's life, declared once (core/transitions.py): each service checks its action against
it, and the card page offers exactly the actions it allows (``Card.offered_actions``)."""

from sanspeur.core.transitions import StateMachine

ACTIVE, SUSPENDED, REVOKED, EXPIRED = "active", "suspended", "revoked", "expired"

CARD = StateMachine(
    "card",
    {
        "renew": ({ACTIVE, EXPIRED}, ACTIVE),  # same number, new expiry
        "suspend": ({ACTIVE}, SUSPENDED),
        "reinstate": ({SUSPENDED}, ACTIVE),
        "expire": ({ACTIVE, SUSPENDED}, EXPIRED),
        # A revoked card never comes back: a lost card found again is replaced, not reinstated.
        "revoke": ({ACTIVE, SUSPENDED, EXPIRED}, REVOKED),
        # The old card is revoked (if it is not already) and a new card issued.
        "replace": ({ACTIVE, SUSPENDED, REVOKED}, REVOKED),
        # A card revoked by mistake stays revoked (its status-list entry too); a new card with a new
        # number is issued on the same record, within services.REISSUE_DAYS of the revoke.
        "reissue": ({REVOKED}, REVOKED),
        "print": ({ACTIVE}, ACTIVE),
    },
)
