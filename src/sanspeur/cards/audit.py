"""The audit actions of this app: the only names its audit entries may carry (core/actions.py)."""

ACTIONS = {
    "cards.holder.enroll": "a resident was enrolled (document types seen, never their numbers)",
    "cards.holder.import": "a holder was imported from an earlier certificate list",
    "cards.holder.forget": "a holder asked to be forgotten: cards revoked, record crypto-shredded",
    "cards.holder.shred": "retention: a holder's record was crypto-shredded",
    "cards.holder.view": "a staff member opened a holder's sealed record",
    "cards.holder.print": "a staff member opened a holder's record to print the card",
    "cards.card.issue": "a card was issued",
    "cards.card.renew": "a card was renewed (same number, new expiry)",
    "cards.card.replace": "a card was replaced (lost, stolen, damaged)",
    "cards.card.revoke": "a card was revoked",
    "cards.card.suspend": "a card was suspended",
    "cards.card.reinstate": "a suspended card was reinstated",
    "cards.card.expire": "a card reached its expiry date",
    "cards.card.download_pdf": "a card's printable PDF was produced",
    "cards.card.remind": "a renewal reminder was handled (outcome only)",
    "cards.rules.update": "the city-wide card rules changed (old and new values)",
    "cards.document_type.create": "a document type was added to the rules",
    "cards.document_type.update": "a document type's points or flags changed",
}
