"""The audit actions of this app: the only names its audit entries may carry (core/actions.py).

Entries carry codes (states, reason codes, unit and course ids) and counts, never a trainee's name
or employee number.
"""

ACTIONS = {
    "training.unit.create": "a unit was added to the tree of units",
    "training.unit.add_manager": "a member of staff was made a manager of a unit",
    "training.unit.remove_manager": "a member of staff is no longer a manager of a unit",
    "training.headcount.import": "headcounts per unit and period were imported from an HR file",
    "training.course.create": "a course was created",
    "training.version.publish": "a new version of a course was published (refresher counts included)",
    "training.requirement.set": "a unit's requirement for a course was set",
    "training.person.create": "a staff member or trainee was added (name sealed)",
    "training.person.view": "a member of staff opened a trainee's record",
    "training.completion.assign": "a course was assigned to a trainee",
    "training.completion.complete": "a trainee's completion was recorded",
    "training.completion.exempt": "a trainee was exempted from a course (reason code)",
    "training.completion.lift_exemption": "a trainee's exemption was lifted",
    "training.completion.age": "the daily job moved completions to expiring or expired (counts)",
    "training.session.create": "a training session was scheduled",
    "training.session.checkin": "a trainee checked in at a session with its signed code",
    "training.session.register": "trainees were registered for a session (a count)",
    "training.registration.cancel": "a trainee's registration for a session was cancelled",
    "training.session.sheet": "a session's signed attendance sheet was recorded (sealed scan, people counted)",
    "training.attendancesheet.view": "a coordinator opened the scan of a signed attendance sheet",
    "training.sheet.forget": "the daily job destroyed the scans of signed sheets past the retention period (count)",
    "training.session.no_shows": "the daily job marked the registered trainees who did not come (a count)",
    "training.coverage.snapshot": "the daily job kept the month's coverage of every unit (counts)",
    "training.outcome.record": "a published outcome figure was entered (police status checks)",
    "training.person.leave": "a trainee left: reminders stop, the record is kept until the retention limit",
    "training.person.forget": "the daily job forgot the records of people who left before the retention limit (count)",
    "training.reminder.person": "the daily job recorded a trainee's due reminders (kinds; e-mailed or not)",
    "training.reminder.escalate": "the daily job told a unit's managers how many people are newly overdue",
}
