"""Staff sign-in metadata minimised (issue 14): browsers' ids only as keyed hashes in the lockout
counters, and no time of last sign-in."""

from django.db import migrations, models


def hash_browser_ids(apps, schema_editor):
    from sanspeur.accounts.lockout import device_key

    Throttle = apps.get_model("accounts", "SignInThrottle")
    for row in Throttle.objects.exclude(device="").only("pk", "device"):
        if len(row.device) == 32:  # a browser's id as its cookie holds it
            Throttle.objects.filter(pk=row.pk).update(device=device_key(row.device))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_sealed_totp_devices")]

    operations = [
        migrations.AlterField(
            model_name="signinthrottle",
            name="device",
            field=models.CharField(blank=True, max_length=64),
        ),
        # Irreversible on purpose: the ids are not kept anywhere to be put back.
        migrations.RunPython(hash_browser_ids, migrations.RunPython.noop),
        migrations.RemoveField(model_name="user", name="last_login"),
    ]
