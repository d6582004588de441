"""The audit actions of this app: the only names its audit entries may carry (core/actions.py)."""

# The anonymous person's own actions (a report, an addition, deleting a reply, coming back) are
# actions of the kernel too, but they never write an entry: its time, to the second, would date
# the report (docs/protection.md). Their names are registered so that the vocabulary is complete.
ANONYMOUS = {
    "protection.report.submit": "an anonymous report (never written to the audit trail)",
    "protection.report.add_information": "the person added information (never written)",
    "protection.report.delete_reply": "the person deleted a reply (never written)",
    "protection.report.seen": "the person came back with the codename (never written)",
}

ACTIONS = {
    **ANONYMOUS,
    "protection.unitkey.create": "the protection unit's key pair was created",
    "protection.unitkey.unlock": "a member of the unit unlocked the unit key (never the passphrase)",
    "protection.unitkey.unlock_failed": (
        "a wrong unit passphrase was tried (the account's failure count, never the text)"
    ),
    "protection.case.open": "the unit opened a case after a walk-in or a phone call",
    "protection.case.triage": "a case was triaged",
    "protection.case.assign": "a case was assigned",
    "protection.case.request_closure": "a caseworker asked to close a case",
    "protection.case.approve_closure": "a supervisor other than the requester approved a case's closure",
    "protection.case.reject_closure": "a supervisor kept a case open instead of closing it",
    "protection.case.shred": "retention: a closed case was crypto-shredded",
    "protection.case.stats_consent": "the reporter's consent to statistics changed",
    "protection.case.drop_codename": "an unclaimed codename was dropped",
    "protection.case.view": "a member of the unit opened a case",
    "protection.case.view_attachment": "a member of the unit opened a case's file",
    "protection.followup.create": "a follow-up was planned",
    "protection.followup.complete": "a follow-up was done",
    "protection.note.create": "a case note was written",
    "protection.referral.create": "a referral was made with the person's consent",
    "protection.reply.create": "the unit replied to the reporter",
    "protection.safetyplan.update": "a safety plan was updated",
}
