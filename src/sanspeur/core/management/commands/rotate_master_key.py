from sanspeur.core import services
from sanspeur.core.jobs import JobCommand


class Command(JobCommand):
    help = (
        "Make a new master key current and re-wrap every data key with it. The encrypted personal "
        "data itself is not touched. With --retire-old, master keys that no longer wrap anything are removed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--retire-old", action="store_true")
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, retire_old, batch, **options):
        # Three kinds of action, each audited: the key file's new key, the re-wrap in batches (one
        # small transaction each), and the removal of the keys nothing needs any more.
        new_id = services.master_key_rotate(acting_user=None)
        if new_id is not None:
            self.stdout.write(f"New current master key: {new_id}")
        rewrapped = 0
        while count := services.datakeys_rewrap(acting_user=None, batch=batch):
            rewrapped += count
        self.stdout.write(f"Re-wrapped {rewrapped} data keys.")
        if retire_old:
            removed = services.master_keys_retire(acting_user=None)
            self.stdout.write(f"Removed master keys: {', '.join(removed) or 'none'}")
