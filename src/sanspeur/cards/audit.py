"""The audit actions of this app: the only names its audit entries may carry (core/actions.py)."""

ACTIONS = {
    "cards.holder.enroll": "a resident was enrolled (the points the documents reached; never which documents)",
    "cards.holder.search": "a staff member looked a person up by names and birth date or card number (counts only)",
    "cards.holder.duplicate_check": "an enrollment looked for an existing record of the person (counts only)",
    "cards.holder.import": "a holder was imported from an earlier certificate list",
    "cards.holder.forget": "a holder asked to be forgotten: cards revoked, record crypto-shredded",
    "cards.holder.shred": "retention: a holder's record was crypto-shredded",
    "cards.holder.view": "a staff member opened a holder's sealed record",
    "cards.holder.print": "a staff member opened a holder's record to print the card",
    "cards.card.issue": "a card was issued",
    "cards.card.renew": "a card was renewed (same number, new expiry)",
    "cards.card.replace": "a card was replaced (lost, stolen, damaged)",
    "cards.card.revoke": "a card was revoked",
    "cards.card.reissue": "a new card was issued on the same record after a card was revoked by mistake",
    "cards.card.suspend": "a card was suspended",
    "cards.card.reinstate": "a suspended card was reinstated",
    "cards.card.expire": "a card reached its expiry date",
    "cards.card.download_pdf": "a card's printable PDF was produced",
    "cards.card.remind": "a renewal reminder was handled (outcome only)",
    "cards.card.remind_failed": (
        "the mail relay did not take a renewal reminder (its kind of error only); tried again later"
    ),
    "cards.rules.update": "the city-wide card rules changed (old and new values)",
    "cards.document_type.create": "a document type was added to the rules",
    "cards.document_type.update": "a document type's points or flags changed",
    "cards.signing_key.create": "a signing key was created (purpose, key id; never the key)",
    "cards.signing_key.rotate": "a signing key was rotated (new and retired key ids, trusted until)",
    "cards.signing_key.retire": "a signing key stopped signing (trusted until)",
    "cards.signing_key.remove": "a signing key was deleted (its cards stop verifying)",
    "cards.signing_key.prune": "retired keys no longer trusted were deleted",
}
