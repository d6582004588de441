"""Daily job: expire cards whose date passed, then crypto-shred records a while after expiry.

Each record is handled in its own small transaction: if the job is killed, every record is either
fully shredded or untouched, and the next run carries on. Running it twice changes nothing.
"""

from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from sanspeur.core.jobs import JobCommand

from ...models import Card, Holder, StatusEntry
from ...services import card_expire, holder_shred, retention_days


def run_retention(*, now=None, batch_size: int = 200) -> tuple[int, int]:
    now = now or timezone.now()
    expired = 0
    for card in Card.objects.filter(state__in=[Card.State.ACTIVE, Card.State.SUSPENDED], expires_at__lte=now).only(
        "pk"
    )[: batch_size * 50]:
        expired += card_expire(acting_user=None, card=card)
    cutoff = now - timedelta(days=retention_days())
    due = (
        Holder.objects.filter(shredded_at__isnull=True)
        .annotate(latest=Max("cards__expires_at"))
        .filter(latest__lte=cutoff)
        .values_list("pk", flat=True)
    )
    shredded = 0
    for pk in list(due[: batch_size * 50]):
        shredded += holder_shred(acting_user=None, holder=Holder(pk=pk), now=now)
    # Indexes of forgotten people's cards are kept (revoked) until those cards expired; then freed.
    StatusEntry.objects.filter(card__isnull=True, keep_until__lt=now - timedelta(days=1)).delete()
    return expired, shredded


class Command(JobCommand):
    help = "Expire cards and crypto-shred records SANSPEUR_CARD_RETENTION_DAYS (default 90) after expiry."

    def handle(self, *args, **options):
        expired, shredded = run_retention()
        self.stdout.write(f"{expired} card(s) expired, {shredded} record(s) shredded")
