import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sanspeur.accounts.models import Organisation
from sanspeur.accounts.roles import ROLES
from sanspeur.accounts.services import staff_user_create


class Command(BaseCommand):
    help = (
        "Create a staff account with roles and a temporary password. At first sign-in the person enrols "
        "an authenticator, then chooses their own password."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--organisation", required=True, help="Organisation name")
        parser.add_argument("--role", action="append", choices=sorted(ROLES), required=True)
        parser.add_argument("--full-name", default="")

    def handle(self, *args, username, organisation, role, full_name, **options):
        org = Organisation.objects.filter(name=organisation).first()
        if org is None:
            raise CommandError(f"No organisation named {organisation!r}.")
        password = getpass.getpass("Password: ")
        if len(password) < 12:
            raise CommandError("Use at least 12 characters.")
        try:
            staff_user_create(
                acting_user=None,
                username=username,
                password=password,
                organisation=org,
                roles=role,
                full_name=full_name,
                temporary_password=True,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Created {username}."))
