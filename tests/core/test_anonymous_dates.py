"""Anonymous records are dated to the day at most (issue 14).

The records of anonymous people — clinic bookings, protection cases and everything stored with
them — keep no time finer than a day: no ``DateTimeField``, ``TimeField`` or ``DurationField``,
on them or on a record they point to, except the fields listed in ``ALLOWED`` with the reason
they say nothing about the person (a time slot's start is the clinic's timetable).
"""

from django.apps import apps
from django.conf import settings
from django.db import models

# Every model that stores something about an anonymous person (or an aggregate of them).
ANONYMOUS = [
    "clinics.Booking",
    "clinics.Tally",
    "protection.Case",
    "protection.Message",
    "protection.Attachment",
    "protection.Note",
    "protection.FollowUp",
    "protection.Referral",
    "outside_requests.RefusalReport",
]

# Finer than a day, and why it may be. Keys are "app_label.Model.field".
ALLOWED = {
    "clinics.Session.starts_at": "the clinic's published timetable, the same for everybody in the slot",
    "clinics.Session.ends_at": "the clinic's published timetable",
    "clinics.Session.released_at": "when the organisers open the slot for booking (published)",
    "clinics.Session.cancelled_at": "when the organisers cancelled the slot (a staff action)",
    "clinics.Event.start_time": "the clinic's published opening hours",
    "clinics.Event.end_time": "the clinic's published opening hours",
    "clinics.Event.created_at": "when a coordinator created the event (a staff action)",
    "clinics.Event.purged_at": "when the nightly job deleted the event's bookings",
    # A refusal report names a service of the public directory: the directory's own edit times.
    "directory.Service.last_modified": "when the directory entry was last edited (published data)",
    "directory.Organization.last_modified": "when the directory entry was last edited (published data)",
    "accounts.Organisation.created_at": "when the city created the partner organisation (a staff action)",
}

# Staff accounts are not anonymous (the member of staff who answers a case is named on purpose).
NOT_FOLLOWED = {settings.AUTH_USER_MODEL.lower()}
FINE_GRAINED = (models.DateTimeField, models.TimeField, models.DurationField)


def _reachable(labels):
    """The models named, and every model they point to (foreign keys), transitively."""
    seen, todo = {}, [apps.get_model(label) for label in labels]
    while todo:
        model = todo.pop()
        if model._meta.label_lower in seen or model._meta.label_lower in NOT_FOLLOWED:
            continue
        seen[model._meta.label_lower] = model
        for field in model._meta.get_fields():
            if (field.many_to_one or field.one_to_one) and field.concrete:
                todo.append(field.related_model)
    return seen.values()


def fine_fields(model):
    return [
        f"{model._meta.app_label}.{model.__name__}.{field.name}"
        for field in model._meta.get_fields()
        if field.concrete and isinstance(field, FINE_GRAINED)
    ]


def test_anonymous_records_have_no_time_finer_than_a_day():
    found = [name for model in _reachable(ANONYMOUS) for name in fine_fields(model) if name not in ALLOWED]
    assert not found, f"finer than a day on anonymous records (make it a DateField, or drop it): {found}"


def test_the_allowed_list_names_real_fields():
    """An entry of ALLOWED that no longer exists would hide nothing: keep the list exact."""
    reachable = {name for model in _reachable(ANONYMOUS) for name in fine_fields(model)}
    assert set(ALLOWED) <= reachable


def test_the_data_keys_of_anonymous_records_are_followed():
    """A booking's reminder key and a case's data key are the vault's ``DataKey`` rows."""
    assert "core.datakey" in {model._meta.label_lower for model in _reachable(ANONYMOUS)}
