"""The audit actions of this app: the only names its audit entries may carry (core/actions.py)."""

ACTIONS = {
    "protection.unitkey.create": "the protection unit's key pair was created",
    "protection.case.open": "an anonymous report was received",
    "protection.case.triage": "a case was triaged",
    "protection.case.assign": "a case was assigned",
    "protection.case.request_closure": "a caseworker asked to close a case",
    "protection.case.approve_closure": "a supervisor approved a case's closure",
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
