"""Authenticator secrets sealed in the vault (issue 14).

django-otp's ``TOTPDevice`` kept each secret in a plain column. Every existing authenticator moves
to ``accounts.SealedTOTPDevice``, its secret sealed under its person's data key, with its drift,
last code and throttling state, so nobody has to enrol again; the plaintext rows are then deleted.
Reversing puts them back in django-otp's table.
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from sanspeur.accounts.models import totp_key_context

COPIED = ("name", "confirmed", "step", "t0", "digits", "tolerance", "drift", "last_t")
THROTTLE = ("throttling_failure_timestamp", "throttling_failure_count")


def _data_key(apps, user_id):
    """The person's data key (the real model: the vault reads it); created when missing."""
    from sanspeur.core import vault
    from sanspeur.core.models import DataKey

    User = apps.get_model("accounts", "User")
    key_id = User.objects.filter(pk=user_id).values_list("data_key_id", flat=True).get()
    if key_id is None:
        key = vault.datakey_create(purpose="accounts.user")
        User.objects.filter(pk=user_id).update(data_key_id=key.pk)
        return key
    return DataKey.objects.get(pk=key_id)


def seal(apps, schema_editor):
    from sanspeur.core import vault

    Plain = apps.get_model("otp_totp", "TOTPDevice")
    Sealed = apps.get_model("accounts", "SealedTOTPDevice")
    for old in Plain.objects.order_by("pk"):
        uid = uuid.uuid4()
        blob = vault.seal_bytes(
            _data_key(apps, old.user_id), bytes.fromhex(old.key), context=totp_key_context(old.user_id, uid)
        )
        Sealed.objects.create(
            user_id=old.user_id,
            uid=uid,
            sealed_key=blob,
            **{name: getattr(old, name) for name in COPIED + THROTTLE},
        )
    Plain.objects.all().delete()


def unseal(apps, schema_editor):
    from sanspeur.core import vault

    Plain = apps.get_model("otp_totp", "TOTPDevice")
    Sealed = apps.get_model("accounts", "SealedTOTPDevice")
    for device in Sealed.objects.order_by("pk"):
        secret = vault.open_bytes(
            _data_key(apps, device.user_id), device.sealed_key, context=totp_key_context(device.user_id, device.uid)
        )
        Plain.objects.create(
            user_id=device.user_id, key=secret.hex(), **{name: getattr(device, name) for name in COPIED + THROTTLE}
        )
    Sealed.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_staff_lifecycle_and_lockout"),
        ("otp_totp", "0003_add_timestamps"),
        # The vault's tables as the code that seals reads them.
        ("core", "0003_bucket_keys"),
    ]

    operations = [
        migrations.CreateModel(
            name="SealedTOTPDevice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(help_text="The human-readable name of this device.", max_length=64)),
                ("confirmed", models.BooleanField(default=True, help_text="Is this device ready for use?")),
                (
                    "throttling_failure_timestamp",
                    models.DateTimeField(
                        blank=True,
                        default=None,
                        help_text="A timestamp of the last failed verification attempt. Null if last attempt succeeded.",
                        null=True,
                    ),
                ),
                (
                    "throttling_failure_count",
                    models.PositiveIntegerField(default=0, help_text="Number of successive failed attempts."),
                ),
                ("uid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("sealed_key", models.BinaryField()),
                ("step", models.PositiveSmallIntegerField(default=30)),
                ("t0", models.BigIntegerField(default=0)),
                ("digits", models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)),
                ("tolerance", models.PositiveSmallIntegerField(default=1)),
                ("drift", models.SmallIntegerField(default=0)),
                ("last_t", models.BigIntegerField(default=-1)),
                (
                    "user",
                    models.ForeignKey(
                        help_text="The user that this device belongs to.",
                        on_delete=django.db.models.deletion.CASCADE,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "authenticator",
                "verbose_name_plural": "authenticators",
                "abstract": False,
            },
        ),
        migrations.RunPython(seal, unseal),
    ]
