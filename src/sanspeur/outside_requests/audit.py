"""The audit actions of this app: the only names its audit entries may carry (core/actions.py).

Entries carry codes (state, instrument, outcome, category codes) and counts, never a requester's
name, the subject of a request or a document's text.
"""

# A resident's report is an action of the kernel too, but writes no entry: the report is dated to
# the day already and links to nothing; an entry's time would date it again.
ANONYMOUS = {
    "outside_requests.refusal.submit": "a resident reported a service point anonymously (never written)",
}

ACTIONS = {
    **ANONYMOUS,
    "outside_requests.request.register": "an outside request for data was entered in the register",
    "outside_requests.request.add_document": "a document received with an outside request was sealed in the vault",
    "outside_requests.request.triage": "an outside request was triaged (categories, persons, deadline)",
    "outside_requests.request.start_review": "an outside request went to legal review",
    "outside_requests.request.checklist": "the legal checklist of an outside request was recorded",
    "outside_requests.request.sign_off_legal": "a legal counsel signed off a disclosure",
    "outside_requests.request.sign_off_privacy": "a privacy officer signed off a disclosure",
    "outside_requests.request.narrow": "the requester was asked to narrow an outside request",
    "outside_requests.request.refuse": "an outside request was refused",
    "outside_requests.request.no_records": "an outside request was answered: no records held",
    "outside_requests.request.challenge": "an outside request is challenged in court",
    "outside_requests.request.disclose": "records were disclosed under a judicial instrument (register entry written)",
    "outside_requests.request.respond": "the answer to an outside request was sent",
    "outside_requests.request.notify": "the person concerned by an outside request was notified",
    "outside_requests.request.defer_notice": "the notice to the person was deferred (non-disclosure order)",
    "outside_requests.request.prohibit_notice": "the notice to the person is prohibited",
    "outside_requests.request.close": "an outside request was closed",
    "outside_requests.request.publish": "an outside request entered the transparency report",
    "outside_requests.request.shred": "the sealed details and documents of an outside request were shredded",
    "outside_requests.outsiderequest.view": "a member of staff opened an outside request",
    "outside_requests.requestdocument.view": "a member of staff opened a document of an outside request",
    "outside_requests.refusal.contact_service": "the city contacted the service point named in a report",
    "outside_requests.refusal.resolve": "a refusal report was resolved with the service point",
    "outside_requests.refusal.mark_unresolved": "a refusal report was closed unresolved",
    "outside_requests.refusal.reopen": "a refusal report was reopened",
    "outside_requests.edition.publish": "a half-year's transparency report was frozen, signed and published",
    "outside_requests.alert.notify": "a deadline or order alert was e-mailed to the register's handlers (once)",
    "outside_requests.charter.sign": "an organisation's administrator signed the sans peur charter",
    "outside_requests.charter.withdraw": "an organisation's administrator withdrew its charter signature",
    "outside_requests.canary.renew": "a privacy officer signed the month's statement (canary)",
}
