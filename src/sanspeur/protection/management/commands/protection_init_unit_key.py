import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sanspeur.protection.services import unit_key_create


class Command(BaseCommand):
    help = "Create the protection unit's key pair; the private key is stored encrypted under the unit passphrase."

    def add_arguments(self, parser):
        parser.add_argument(
            "--passphrase-env",
            default="",
            help="Read the passphrase from this environment variable (demo, automation) instead of prompting.",
        )
        parser.add_argument("--replace", action="store_true", help="Retire the current key (old cases stay readable).")

    def handle(self, *args, passphrase_env="", replace=False, **options):
        if passphrase_env:
            passphrase = os.environ.get(passphrase_env, "")
            if not passphrase:
                raise CommandError(f"The environment variable {passphrase_env} is empty.")
        else:
            passphrase = getpass.getpass("Unit passphrase: ")
            if passphrase != getpass.getpass("Repeat: "):
                raise CommandError("The passphrases differ.")
        try:
            key = unit_key_create(acting_user=None, passphrase=passphrase, replace=replace)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Unit key {key.pk} created."))
