"""Signing keys of the card credential (kept in SANSPEUR_KEY_DIR/signing, never in the database)."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sanspeur.credential import PURPOSE_CARD, PURPOSE_STATUS_LIST, PURPOSE_TRUST_LIST, KeyStoreError

from ... import keys
from ...services import signing_key_record


def record(operation: str, kid: str, detail: dict) -> None:
    """The key files changed: one audit entry (the command line acts, never a staff account)."""
    signing_key_record(acting_user=None, operation=operation, kid=kid, detail=detail)


PURPOSES = (PURPOSE_CARD, PURPOSE_STATUS_LIST, PURPOSE_TRUST_LIST)


class Command(BaseCommand):
    help = "Create, rotate, retire, remove or list the card signing keys; the trust list is republished."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create the missing active key of each purpose (or one purpose).")
        create.add_argument("--purpose", choices=PURPOSES)
        rotate = sub.add_parser("rotate", help="New active key; the old one stays trusted while its cards are valid.")
        rotate.add_argument("purpose", choices=PURPOSES)
        retire = sub.add_parser("retire", help="Stop a key signing; trusted until the latest expiry it signed.")
        retire.add_argument("kid")
        retire.add_argument("--trusted-until", help="ISO date-time; default: computed from the cards it signed")
        remove = sub.add_parser("remove", help="Delete a key (compromise): its cards stop verifying.")
        remove.add_argument("kid")
        remove.add_argument("--yes", action="store_true", help="Confirm.")
        sub.add_parser("list", help="List keys.")
        sub.add_parser("prune", help="Remove retired keys no longer trusted.")

    def handle(self, *args, **options):
        store = keys.keystore()
        action = options["action"]
        try:
            if action == "create":
                purposes = [options["purpose"]] if options.get("purpose") else PURPOSES
                for purpose in purposes:
                    if store.active(purpose) is None:
                        meta = store.create_key(purpose)
                        record("create", meta.kid.hex(), {"purpose": purpose})
                        self.stdout.write(f"created {purpose} key {meta.kid.hex()}")
                    else:
                        self.stdout.write(f"{purpose}: an active key exists")
            elif action == "rotate":
                purpose = options["purpose"]
                old = store.active(purpose)
                until = keys.rotation_trusted_until(purpose, old.kid.hex()) if old else timezone.now()
                new, retired = store.rotate(purpose, trusted_until=until)
                record(
                    "rotate",
                    new.kid.hex(),
                    {
                        "purpose": purpose,
                        "retired": retired.kid.hex() if retired else "",
                        "trusted_until": retired.trusted_until.isoformat() if retired else "",
                    },
                )
                self.stdout.write(f"new {purpose} key {new.kid.hex()}")
                if retired:
                    self.stdout.write(f"retired {retired.kid.hex()}, trusted until {retired.trusted_until.isoformat()}")
                if purpose == PURPOSE_TRUST_LIST:
                    self.stdout.write(
                        self.style.WARNING("The trust-list root changed: verifiers must be given the new root key.")
                    )
            elif action == "retire":
                meta = store.get(bytes.fromhex(options["kid"]))
                if options.get("trusted_until"):
                    until = datetime.fromisoformat(options["trusted_until"])
                    if timezone.is_naive(until):
                        until = timezone.make_aware(until)
                else:
                    until = keys.rotation_trusted_until(meta.purpose, meta.kid.hex())
                retired = store.retire(meta.kid, trusted_until=until)
                record("retire", retired.kid.hex(), {"trusted_until": retired.trusted_until.isoformat()})
                self.stdout.write(f"retired {retired.kid.hex()}, trusted until {retired.trusted_until.isoformat()}")
            elif action == "remove":
                if not options["yes"]:
                    raise CommandError("Removing a key stops its cards verifying: add --yes to confirm.")
                store.remove(bytes.fromhex(options["kid"]))
                record("remove", options["kid"], {})
                self.stdout.write(f"removed {options['kid']}")
            elif action == "prune":
                for kid in store.prune(timezone.now()):
                    record("prune", kid.hex(), {})
                    self.stdout.write(f"removed {kid.hex()}")
            elif action == "list":
                now = timezone.now()
                for meta in store.keys():
                    until = meta.trusted_until.isoformat() if meta.trusted_until else "-"
                    trusted = "trusted" if meta.is_trusted(now) else "not trusted"
                    self.stdout.write(
                        f"{meta.kid.hex()}  {meta.purpose:12}  {meta.state:8}  {trusted:11}  until {until}"
                    )
                return
        except (KeyStoreError, ValueError) as error:
            raise CommandError(str(error)) from error
        if all(store.active(p) is not None for p in PURPOSES):
            keys.trust_list_rebuild()
            self.stdout.write("trust list republished")
