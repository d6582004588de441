"""Every 5 minutes: bookings not checked in within the grace period become no-shows; their places
go to the waiting list. One small transaction per time slot (``services.session_release_no_shows``):
safe to run again or to kill."""

from datetime import timedelta

from django.utils import timezone

from sanspeur.clinics.models import Booking, Session
from sanspeur.clinics.services import session_release_no_shows
from sanspeur.core.jobs import JobCommand


def run_release_no_shows(*, now=None) -> int:
    now = now or timezone.now()
    released = 0
    candidates = list(
        Session.objects.filter(starts_at__lte=now, bookings__status=Booking.Status.CONFIRMED)
        .select_related("service")
        .distinct()
    )
    for candidate in candidates:
        if candidate.starts_at + timedelta(minutes=candidate.service.grace_minutes) > now:
            continue
        released += session_release_no_shows(acting_user=None, session=candidate, now=now)
    return released


class Command(JobCommand):
    help = "Mark bookings not checked in within the grace period as no-shows and offer their places. Run every 5 min."

    def handle(self, *args, **options):
        self.stdout.write(f"bookings released: {run_release_no_shows()}")
