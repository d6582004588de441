"""First run of an installation: the city's organisation and its first administrator.

Runs once. Everything it writes (organisation, account, authenticator) is one transaction: a
refusal, a wrong code or Ctrl-C leaves the database as it was, so the command can simply be run
again.
"""

import base64
import getpass
import io
import re
import sys
from pathlib import Path

import segno
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, no_translations
from django.core.validators import validate_email
from django.db import IntegrityError
from django.urls import reverse
from django.utils import translation

from sanspeur.accounts import services
from sanspeur.accounts.forms import USERNAME_PATTERN
from sanspeur.accounts.models import Organisation, User

ALREADY_INSTALLED = (
    "This installation is already set up: it has a city organisation or staff accounts. "
    "bootstrap runs only once, on an empty database; nothing was written. "
    "Create further accounts at /fr/staff/accounts/ or with `sanspeur createstaff`."
)
CODE_ATTEMPTS = 3


def _messages(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def _check_organisation(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise ValidationError("Enter the name of the city's organisation.")
    if len(value) > Organisation._meta.get_field("name").max_length:
        raise ValidationError("Use at most 200 characters for the organisation's name.")
    return value


def _check_username(value: str) -> str:
    value = value.strip()
    if not re.fullmatch(USERNAME_PATTERN, value):
        raise ValidationError(
            "Use 3 to 50 lower-case letters, digits, dots or hyphens for the username (for example admin.ville)."
        )
    return value


def _check_full_name(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise ValidationError("Enter the administrator's full name.")
    if len(value) > 150:
        raise ValidationError("Use at most 150 characters for the full name.")
    return value


def _check_email(value: str) -> str:
    value = value.strip()
    if value:
        validate_email(value)
    return value


class Command(BaseCommand):
    help = (
        "First run of a new installation: create the city's organisation and its first administrator, "
        "and enrol the administrator's authenticator. Refuses to run on a database that has either."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("--organisation", help="Name of the city's organisation")
        parser.add_argument("--username", help="The administrator's work identifier, for example admin.ville")
        parser.add_argument("--full-name", help="The administrator's full name (stored encrypted)")
        parser.add_argument("--email", help="The administrator's work e-mail (optional, stored encrypted)")
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--password-file", type=Path, help="Read the password from the first line of this file")
        source.add_argument("--password-stdin", action="store_true", help="Read the password from standard input")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Ask nothing; the administrator enrols the authenticator at first sign-in.",
        )

    @no_translations  # the command speaks English, like the others; validators' messages too
    def handle(self, *args, **options):
        try:
            self._handle(**options)
        except KeyboardInterrupt as error:
            raise CommandError("Cancelled; nothing was written.") from error

    def _handle(self, **options):
        self.stdin = options.get("stdin") or sys.stdin
        self.interactive = options["interactive"]
        if self._installed():
            raise CommandError(ALREADY_INSTALLED)
        if not self.interactive:
            missing = [flag for flag in ("organisation", "username", "full_name") if not options[flag]]
            if missing:
                names = ", ".join("--" + flag.replace("_", "-") for flag in missing)
                raise CommandError(f"With --no-input, also give {names}. Nothing was written.")
            if not options["password_file"] and not options["password_stdin"]:
                raise CommandError(
                    "With --no-input, give --password-file PATH or --password-stdin. Nothing was written."
                )

        organisation = self._value(options["organisation"], "Name of the city's organisation: ", _check_organisation)
        username = self._value(
            options["username"], "Administrator's username (for example admin.ville): ", _check_username
        )
        full_name = self._value(options["full_name"], "Administrator's full name: ", _check_full_name)
        email = self._value(options["email"], "Work e-mail (optional, press Enter to skip): ", _check_email)
        password = self._password(options, username=username)

        try:
            # One action: the authenticator's dialogue runs inside its transaction (see the docstring).
            _organisation, user, device = services.installation_bootstrap(
                acting_user=None,
                organisation_name=organisation,
                username=username,
                password=password,
                full_name=full_name,
                email=email,
                enrol=self._enrol if self.interactive else None,
            )
            confirmed = device.confirmed
        except services.AlreadyInstalledError as error:
            raise CommandError(ALREADY_INSTALLED) from error
        except IntegrityError as error:  # another bootstrap won the race
            raise CommandError(ALREADY_INSTALLED) from error
        except ValidationError as error:
            raise CommandError(_messages(error) + " Nothing was written.") from error

        with translation.override("fr"):
            login_url = reverse("accounts:login")
        self.stdout.write(
            self.style.SUCCESS(f"Created the organisation {organisation!r} and its administrator {user}.")
        )
        if confirmed:
            self.stdout.write(f"Sign in at {login_url} with the password and a code from the authenticator app.")
        else:
            self.stdout.write(
                f"At the first sign-in at {login_url}, the page shows a QR code for the authenticator app; "
                "the account opens nothing until it is enrolled."
            )

    def _installed(self) -> bool:
        return Organisation.objects.filter(kind=Organisation.Kind.CITY).exists() or User.objects.exists()

    # --- Input ------------------------------------------------------------------------------------
    def _input(self, prompt: str) -> str:
        self.stdout.write(prompt, ending="")
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            raise CommandError("Cancelled; nothing was written.")
        return line.rstrip("\r\n")

    def _value(self, given, prompt, check) -> str:
        """A flag's value, checked; in interactive mode, ask again until it is right."""
        if given is not None or not self.interactive:
            try:
                return check(given or "")
            except ValidationError as error:
                raise CommandError(_messages(error) + " Nothing was written.") from error
        while True:
            try:
                return check(self._input(prompt))
            except ValidationError as error:
                self.stderr.write(_messages(error))

    def _password(self, options, *, username: str) -> str:
        if options["password_file"] or options["password_stdin"]:
            if options["password_stdin"]:
                password = self.stdin.readline().rstrip("\r\n")
            else:
                try:
                    password = options["password_file"].read_text(encoding="utf-8").splitlines()[0]
                except (OSError, UnicodeDecodeError, IndexError) as error:
                    raise CommandError(f"Cannot read a password from {options['password_file']}.") from error
            try:
                validate_password(password, User(username=username))
            except ValidationError as error:
                raise CommandError("Password refused: " + _messages(error) + " Nothing was written.") from error
            return password
        while True:
            try:
                password = getpass.getpass("Password (at least 12 characters): ")
                again = getpass.getpass("Password again: ")
            except (EOFError, KeyboardInterrupt) as error:
                raise CommandError("Cancelled; nothing was written.") from error
            if password != again:
                self.stderr.write("The two passwords differ. Try again.")
                continue
            try:
                validate_password(password, User(username=username))
            except ValidationError as error:
                self.stderr.write("Password refused: " + _messages(error))
                continue
            return password

    # --- Authenticator ----------------------------------------------------------------------------
    def _enrol(self, device) -> bool:
        """Show the QR code and key, then check one code. True: the code was right (the service
        confirms the authenticator); False: enrol at first sign-in."""
        qr = io.StringIO()
        segno.make(device.config_url, error="m").terminal(out=qr, compact=True)
        secret = base64.b32encode(device.bin_key).decode("ascii")
        self.stdout.write("\nScan this code with an authenticator app (FreeOTP, Aegis, Google Authenticator...):\n")
        self.stdout.write(qr.getvalue())
        self.stdout.write(f"or type this key by hand: {secret}\n")
        for _attempt in range(CODE_ATTEMPTS):
            code = "".join(self._input("Six-digit code shown by the app (Enter to do it at first sign-in): ").split())
            if not code:
                return False
            allowed, _reason = device.verify_is_allowed()
            if not allowed:
                self.stderr.write("Too many wrong codes in a row: wait a few seconds, then type the next code.")
                continue
            if re.fullmatch(r"\d{6}", code) and device.verify_token(code):
                return True  # installation_bootstrap confirms it, in its transaction
            self.stderr.write("This code is not right. Check the time on the phone and try the next code.")
        raise CommandError(
            f"{CODE_ATTEMPTS} wrong codes: nothing was written. Check the phone's clock and run bootstrap again."
        )
