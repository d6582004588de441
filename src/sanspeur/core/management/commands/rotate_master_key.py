from django.db import transaction

from sanspeur.core import vault
from sanspeur.core.jobs import JobCommand
from sanspeur.core.keys import key_provider
from sanspeur.core.models import DataKey
from sanspeur.core.services import audit_entry_create


class Command(JobCommand):
    help = (
        "Make a new master key current and re-wrap every data key with it. The encrypted personal "
        "data itself is not touched. With --retire-old, master keys that no longer wrap anything are removed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--retire-old", action="store_true")
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, retire_old, batch, **options):
        provider = key_provider()
        if hasattr(provider, "add_key_and_make_current"):
            new_id = provider.add_key_and_make_current()
            self.stdout.write(f"New current master key: {new_id}")
        current = provider.current_key_id()
        rewrapped = 0
        while True:
            with transaction.atomic():
                rows = list(
                    DataKey.objects.select_for_update()
                    .exclude(master_key_id=current)
                    .filter(wrapped__isnull=False)[:batch]
                )
                if not rows:
                    break
                for row in rows:
                    rewrapped += vault.datakey_rewrap(row)
                audit_entry_create(
                    acting_user=None, action="vault.rewrap", detail={"count": len(rows), "master_key": current}
                )
        self.stdout.write(f"Re-wrapped {rewrapped} data keys.")
        if retire_old and hasattr(provider, "remove_keys"):
            in_use = set(
                DataKey.objects.filter(wrapped__isnull=False).values_list("master_key_id", flat=True).distinct()
            )
            unused = [key_id for key_id in provider.key_ids() if key_id != current and key_id not in in_use]
            provider.remove_keys(unused)
            self.stdout.write(f"Removed master keys: {', '.join(unused) or 'none'}")
