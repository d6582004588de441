"""The descriptions of every app's ``audit.ACTIONS`` (core/actions.py), marked here for translation so
that the audit trail reads them in the reader's language (``audit_log.action_label``). The apps keep
their descriptions in English; a test checks that this list follows them.
"""

from django.utils.translation import gettext_noop

DESCRIPTIONS = (
    gettext_noop("a staff member opened another staff member's name and e-mail"),  # accounts.user.view_profile
    gettext_noop("a booking was cancelled"),  # booking.cancel
    gettext_noop("a booking was checked in at the door"),  # booking.check_in
    gettext_noop("an anonymous booking was made"),  # booking.create
    gettext_noop(  # booking.mail_failed
        "the mail relay did not take a message to a booking's contact (its kind and the error, never the address)"
    ),
    gettext_noop("a booking was moved to another time slot"),  # booking.move
    gettext_noop("a booking reminder was handled"),  # booking.remind
    gettext_noop("the reminder contacts of finished time slots were shredded (a count)"),  # booking.shred_reminders
    gettext_noop("a card's printable PDF was produced"),  # cards.card.download_pdf
    gettext_noop("a card reached its expiry date"),  # cards.card.expire
    gettext_noop("a card was issued"),  # cards.card.issue
    gettext_noop("a suspended card was reinstated"),  # cards.card.reinstate
    gettext_noop("a new card was issued on the same record after a card was revoked by mistake"),  # cards.card.reissue
    gettext_noop("a renewal reminder was handled (outcome only)"),  # cards.card.remind
    gettext_noop(
        "the mail relay did not take a renewal reminder (its kind of error only); tried again later"
    ),  # cards.card.remind_failed
    gettext_noop("a card was renewed (same number, new expiry)"),  # cards.card.renew
    gettext_noop("a card was replaced (lost, stolen, damaged)"),  # cards.card.replace
    gettext_noop("a card was revoked"),  # cards.card.revoke
    gettext_noop("a card was suspended"),  # cards.card.suspend
    gettext_noop("a document type was added to the rules"),  # cards.document_type.create
    gettext_noop("a document type's points or flags changed"),  # cards.document_type.update
    gettext_noop(
        "an enrollment looked for an existing record of the person (counts only)"
    ),  # cards.holder.duplicate_check
    gettext_noop(
        "a resident was enrolled (the points the documents reached; never which documents)"
    ),  # cards.holder.enroll
    gettext_noop("a holder asked to be forgotten: cards revoked, record crypto-shredded"),  # cards.holder.forget
    gettext_noop("a holder was imported from an earlier certificate list"),  # cards.holder.import
    gettext_noop("a staff member opened a holder's record to print the card"),  # cards.holder.print
    gettext_noop(
        "a staff member looked a person up by names and birth date or card number (counts only)"
    ),  # cards.holder.search
    gettext_noop("retention: a holder's record was crypto-shredded"),  # cards.holder.shred
    gettext_noop("a staff member opened a holder's sealed record"),  # cards.holder.view
    gettext_noop("the city-wide card rules changed (old and new values)"),  # cards.rules.update
    gettext_noop("a signing key was created (purpose, key id; never the key)"),  # cards.signing_key.create
    gettext_noop("retired keys no longer trusted were deleted"),  # cards.signing_key.prune
    gettext_noop("a signing key was deleted (its cards stop verifying)"),  # cards.signing_key.remove
    gettext_noop("a signing key stopped signing (trusted until)"),  # cards.signing_key.retire
    gettext_noop("a signing key was rotated (new and retired key ids, trusted until)"),  # cards.signing_key.rotate
    gettext_noop("an HSDS package was imported"),  # directory.import
    gettext_noop("a clinic event was cancelled"),  # event.cancel
    gettext_noop("a clinic event was created"),  # event.create
    gettext_noop("a finished event's individual bookings were purged"),  # event.purge_bookings
    gettext_noop("a clinic event was edited (fields changed, organisations added or removed)"),  # event.update
    gettext_noop("the reports and tranches of a funded project were scheduled"),  # grants.agreement.schedule
    gettext_noop("an organisation signed up to apply for funding"),  # grants.applicant.signup
    gettext_noop("a file was attached to an application (sealed)"),  # grants.application.attach
    gettext_noop("a budget line was set or removed"),  # grants.application.budget
    gettext_noop("an applicant organisation started an application"),  # grants.application.create
    gettext_noop("a coalition partner was added to or removed from an application"),  # grants.application.partner
    gettext_noop("an applicant saved a draft of an application"),  # grants.application.save
    gettext_noop(
        "a program officer screened an application (eligible, ineligible, more information)"
    ),  # grants.application.screen
    gettext_noop("an application was submitted"),  # grants.application.submit
    gettext_noop("a program officer or a reviewer opened an application"),  # grants.application.view
    gettext_noop("an application was withdrawn by its organisation"),  # grants.application.withdraw
    gettext_noop("a file of an application was opened"),  # grants.attachment.view
    gettext_noop("a call for projects was created"),  # grants.call.create
    gettext_noop("a criterion was added to a call's rubric"),  # grants.call.criterion_add
    gettext_noop("the minutes of a selection committee's meeting were recorded"),  # grants.call.minutes
    gettext_noop("a question and its answer were published on a call"),  # grants.call.question_publish
    gettext_noop(
        "a call moved to its next state (published, closed, reviewing, decided, archived)"
    ),  # grants.call.transition
    gettext_noop("a call's texts, amounts or dates were changed (draft only)"),  # grants.call.update
    gettext_noop("an application was approved, declined or waitlisted (amount, resolution)"),  # grants.decision.record
    gettext_noop(
        "the daily job reminded a funded organisation of a report (before or after its date)"
    ),  # grants.report.remind
    gettext_noop("a program officer accepted a report or asked for changes"),  # grants.report.review
    gettext_noop(
        "a program officer added a report due at a milestone's date to an agreement"
    ),  # grants.report.milestone
    gettext_noop(
        "the signed copy of an agreement was received (sealed); the first payment released"
    ),  # grants.agreement.signed
    gettext_noop("the signed copy of an agreement was opened"),  # grants.signedagreement.view
    gettext_noop(
        "a funded organisation asked to amend its agreement (budget, dates or scope)"
    ),  # grants.amendment.request
    gettext_noop("a program officer approved (and applied) or refused an amendment"),  # grants.amendment.decide
    gettext_noop("a funded organisation submitted a progress report (aggregates only)"),  # grants.report.submit
    gettext_noop("a reviewer was assigned to an application"),  # grants.review.assign
    gettext_noop("a reviewer declared a conflict of interest or none"),  # grants.review.declare
    gettext_noop("a reviewer submitted scores"),  # grants.review.submit
    gettext_noop("a tranche was approved, paid, held or released"),  # grants.tranche.move
    gettext_noop("a yearly privacy budget was set for a privacy unit"),  # impact.budget.set
    gettext_noop("a second person approved a release, which published it"),  # impact.release.approve
    gettext_noop("a draft release was discarded (its budget stays spent)"),  # impact.release.discard
    gettext_noop("a statistician prepared a release (privacy budget spent)"),  # impact.release.prepare
    gettext_noop(
        "a second moderator approved a redacted testimony: published, original destroyed"
    ),  # impact.testimony.approve
    gettext_noop("a testimony nobody moderated in time was destroyed by the daily job"),  # impact.testimony.expire
    gettext_noop("a moderator saved the redacted text of a testimony"),  # impact.testimony.redact
    gettext_noop("a moderator refused a testimony: everything kept of it destroyed"),  # impact.testimony.refuse
    gettext_noop("a testimony was offered (anonymous: never written to the audit trail)"),  # impact.testimony.submit
    gettext_noop("a moderator opened a testimony (its original words while they exist)"),  # impact.testimony.view
    gettext_noop(
        "its author withdrew a testimony (anonymous: never written to the audit trail)"
    ),  # impact.testimony.withdraw
    gettext_noop("the first run created the city's organisation and its first administrator"),  # installation.bootstrap
    gettext_noop("an organisation was created"),  # organisation.create
    gettext_noop("an organisation was renamed, moved or (de)activated (old and new values)"),  # organisation.update
    gettext_noop(
        "a deadline or order alert was e-mailed to the register's handlers (once)"
    ),  # outside_requests.alert.notify
    gettext_noop("a privacy officer signed the month's statement (canary)"),  # outside_requests.canary.renew
    gettext_noop("an organisation's administrator signed the sans peur charter"),  # outside_requests.charter.sign
    gettext_noop("an organisation's administrator withdrew its charter signature"),  # outside_requests.charter.withdraw
    gettext_noop(
        "a half-year's transparency report was frozen, signed and published"
    ),  # outside_requests.edition.publish
    gettext_noop("a member of staff opened an outside request"),  # outside_requests.outsiderequest.view
    gettext_noop("the city contacted the service point named in a report"),  # outside_requests.refusal.contact_service
    gettext_noop("a refusal report was closed unresolved"),  # outside_requests.refusal.mark_unresolved
    gettext_noop("a refusal report was reopened"),  # outside_requests.refusal.reopen
    gettext_noop("a refusal report was resolved with the service point"),  # outside_requests.refusal.resolve
    gettext_noop("a resident reported a service point anonymously (never written)"),  # outside_requests.refusal.submit
    gettext_noop(
        "a document received with an outside request was sealed in the vault"
    ),  # outside_requests.request.add_document
    gettext_noop("an outside request is challenged in court"),  # outside_requests.request.challenge
    gettext_noop("the legal checklist of an outside request was recorded"),  # outside_requests.request.checklist
    gettext_noop("an outside request was closed"),  # outside_requests.request.close
    gettext_noop(
        "the notice to the person was deferred (non-disclosure order)"
    ),  # outside_requests.request.defer_notice
    gettext_noop(
        "records were disclosed under a judicial instrument (register entry written)"
    ),  # outside_requests.request.disclose
    gettext_noop("the requester was asked to narrow an outside request"),  # outside_requests.request.narrow
    gettext_noop("an outside request was answered: no records held"),  # outside_requests.request.no_records
    gettext_noop("the person concerned by an outside request was notified"),  # outside_requests.request.notify
    gettext_noop("the notice to the person is prohibited"),  # outside_requests.request.prohibit_notice
    gettext_noop("an outside request entered the transparency report"),  # outside_requests.request.publish
    gettext_noop("an outside request was refused"),  # outside_requests.request.refuse
    gettext_noop("an outside request for data was entered in the register"),  # outside_requests.request.register
    gettext_noop("the answer to an outside request was sent"),  # outside_requests.request.respond
    gettext_noop(
        "the sealed details and documents of an outside request were shredded"
    ),  # outside_requests.request.shred
    gettext_noop("a legal counsel signed off a disclosure"),  # outside_requests.request.sign_off_legal
    gettext_noop("a privacy officer signed off a disclosure"),  # outside_requests.request.sign_off_privacy
    gettext_noop("an outside request went to legal review"),  # outside_requests.request.start_review
    gettext_noop("an outside request was triaged (categories, persons, deadline)"),  # outside_requests.request.triage
    gettext_noop("a member of staff opened a document of an outside request"),  # outside_requests.requestdocument.view
    gettext_noop("a change to a directory entry was proposed"),  # proposal.create
    gettext_noop("a proposed change was published"),  # proposal.publish
    gettext_noop("a proposed change was rejected"),  # proposal.reject
    gettext_noop("a supervisor other than the requester approved a case's closure"),  # protection.case.approve_closure
    gettext_noop("a case was assigned"),  # protection.case.assign
    gettext_noop("an unclaimed codename was dropped"),  # protection.case.drop_codename
    gettext_noop("the unit opened a case after a walk-in or a phone call"),  # protection.case.open
    gettext_noop("a supervisor kept a case open instead of closing it"),  # protection.case.reject_closure
    gettext_noop("a caseworker asked to close a case"),  # protection.case.request_closure
    gettext_noop("retention: a closed case was crypto-shredded"),  # protection.case.shred
    gettext_noop("the reporter's consent to statistics changed"),  # protection.case.stats_consent
    gettext_noop("a case was triaged"),  # protection.case.triage
    gettext_noop("a member of the unit opened a case"),  # protection.case.view
    gettext_noop("a member of the unit opened a case's file"),  # protection.case.view_attachment
    gettext_noop("a follow-up was done"),  # protection.followup.complete
    gettext_noop("a follow-up was planned"),  # protection.followup.create
    gettext_noop("a case note was written"),  # protection.note.create
    gettext_noop("a referral was made with the person's consent"),  # protection.referral.create
    gettext_noop("the unit replied to the reporter"),  # protection.reply.create
    gettext_noop("the person added information (never written)"),  # protection.report.add_information
    gettext_noop("the person deleted a reply (never written)"),  # protection.report.delete_reply
    gettext_noop("the person came back with the codename (never written)"),  # protection.report.seen
    gettext_noop("an anonymous report (never written to the audit trail)"),  # protection.report.submit
    gettext_noop("a safety plan was updated"),  # protection.safetyplan.update
    gettext_noop("the protection unit's key pair was created"),  # protection.unitkey.create
    gettext_noop("a member of the unit unlocked the unit key (never the passphrase)"),  # protection.unitkey.unlock
    gettext_noop(
        "a wrong unit passphrase was tried (the account's failure count, never the text)"
    ),  # protection.unitkey.unlock_failed
    gettext_noop("a service was added to a clinic event"),  # service.create
    gettext_noop("an editor confirmed a service's entry is up to date (old and new dates)"),  # service.mark_verified
    gettext_noop(
        "a new version of a service was published (fields changed, proposal or import)"
    ),  # service.publish_version
    gettext_noop("a service's search index was rebuilt"),  # service.reindex
    gettext_noop("a time slot was cancelled"),  # session.cancel
    gettext_noop("a time slot's capacity changed"),  # session.capacity
    gettext_noop("a time slot was added"),  # session.create
    gettext_noop("places of no-shows were released"),  # session.release_no_shows
    gettext_noop("a staff account was created (roles)"),  # staff.create
    gettext_noop("a staff account was deactivated"),  # staff.deactivate
    gettext_noop("a staff member enrolled an authenticator (with a one-time link or not)"),  # staff.mfa_enrolled
    gettext_noop(  # staff.mfa_reset
        "an administrator removed a staff member's authenticator and issued a one-time enrolment link"
    ),
    gettext_noop(
        "a staff member without an authenticator was given a new one to enrol (not yet confirmed)"
    ),  # staff.mfa_started
    gettext_noop("a staff member changed their password (a temporary one, or not)"),  # staff.password_change
    gettext_noop("a staff member's roles changed (old and new)"),  # staff.set_roles
    gettext_noop(  # staff.signin_locked
        "failed sign-ins locked an account for the browsers it never signed in from, or for one browser"
    ),
    gettext_noop("the daily job moved completions to expiring or expired (counts)"),  # training.completion.age
    gettext_noop("a course was assigned to a trainee"),  # training.completion.assign
    gettext_noop("a trainee's completion was recorded"),  # training.completion.complete
    gettext_noop("a trainee was exempted from a course (reason code)"),  # training.completion.exempt
    gettext_noop("a trainee's exemption was lifted"),  # training.completion.lift_exemption
    gettext_noop("a course was created"),  # training.course.create
    gettext_noop("the daily job kept the month's coverage of every unit (counts)"),  # training.coverage.snapshot
    gettext_noop("headcounts per unit and period were imported from an HR file"),  # training.headcount.import
    gettext_noop("a published outcome figure was entered (police status checks)"),  # training.outcome.record
    gettext_noop("a staff member or trainee was added (name sealed)"),  # training.person.create
    gettext_noop(
        "the daily job forgot the records of people who left before the retention limit (count)"
    ),  # training.person.forget
    gettext_noop(
        "a trainee left: reminders stop, the record is kept until the retention limit"
    ),  # training.person.leave
    gettext_noop("a member of staff opened a trainee's record"),  # training.person.view
    gettext_noop("a trainee's registration for a session was cancelled"),  # training.registration.cancel
    gettext_noop(
        "the daily job told a unit's managers how many people are newly overdue"
    ),  # training.reminder.escalate
    gettext_noop(
        "the daily job recorded a trainee's due reminders (kinds; e-mailed or not)"
    ),  # training.reminder.person
    gettext_noop("a unit's requirement for a course was set"),  # training.requirement.set
    gettext_noop("a trainee checked in at a session with its signed code"),  # training.session.checkin
    gettext_noop("a training session was scheduled"),  # training.session.create
    gettext_noop(
        "the daily job marked the registered trainees who did not come (a count)"
    ),  # training.session.no_shows
    gettext_noop("trainees were registered for a session (a count)"),  # training.session.register
    gettext_noop(
        "a session's signed attendance sheet was recorded (sealed scan, people counted)"
    ),  # training.session.sheet
    gettext_noop("a coordinator opened the scan of a signed attendance sheet"),  # training.attendancesheet.view
    gettext_noop(
        "the daily job destroyed the scans of signed sheets past the retention period (count)"
    ),  # training.sheet.forget
    gettext_noop("a member of staff was made a manager of a unit"),  # training.unit.add_manager
    gettext_noop("a unit was added to the tree of units"),  # training.unit.create
    gettext_noop("a member of staff is no longer a manager of a unit"),  # training.unit.remove_manager
    gettext_noop("a new version of a course was published (refresher counts included)"),  # training.version.publish
    gettext_noop(  # translation.save
        "a translator published a translation of one public text (kind, field, language, and "
        "whether it was missing, stale or current; never the text)"
    ),
    gettext_noop("after a restore, data keys forgotten since the backup were destroyed again"),  # vault.forget.replay
    gettext_noop(
        "old master keys that wrapped no data key any more were removed from the key file"
    ),  # vault.master_key.retire
    gettext_noop("a new master key was written to the key file and made current"),  # vault.master_key.rotate
    gettext_noop("data keys were re-wrapped with a new master key"),  # vault.rewrap
    gettext_noop("walk-ins were counted at the door"),  # walk_in.record
    gettext_noop("a phone took a card through its one-time link (never an address or a device)"),  # wallet.link.claim
    gettext_noop("the hourly job deleted the one-time links that were used or had expired"),  # wallet.link.purge
    gettext_noop(
        "an agent made a one-time link to put a card in the holder's phone (never the link)"
    ),  # wallet.link.create
)
