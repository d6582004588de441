"""The audit actions of this app (core/actions.py). Entries carry codes and parameters (indicator,
period, ε), never a count that was not published; a testimony's entries carry its state and the
length of the text, never a word of it."""

ACTIONS = {
    "impact.release.prepare": "a statistician prepared a release (privacy budget spent)",
    "impact.release.approve": "a second person approved a release, which published it",
    "impact.release.discard": "a draft release was discarded (its budget stays spent)",
    "impact.budget.set": "a yearly privacy budget was set for a privacy unit",
    "impact.testimony.submit": "a testimony was offered (anonymous: never written to the audit trail)",
    "impact.testimony.withdraw": "its author withdrew a testimony (anonymous: never written to the audit trail)",
    "impact.testimony.view": "a moderator opened a testimony (its original words while they exist)",
    "impact.testimony.redact": "a moderator saved the redacted text of a testimony",
    "impact.testimony.approve": "a second moderator approved a redacted testimony: published, original destroyed",
    "impact.testimony.refuse": "a moderator refused a testimony: everything kept of it destroyed",
    "impact.testimony.expire": "a testimony nobody moderated in time was destroyed by the daily job",
}
