"""What a document check keeps (issue 14): the points reached and the day, instead of the types
(the types are dropped in 0007, once 0006 has counted their points)."""

from django.conf import settings
from django.db import migrations, models

import sanspeur.cards.models


class Migration(migrations.Migration):
    dependencies = [
        ("cards", "0004_document_type_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="documentcheck",
            name="identity_points",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="identity points"),
        ),
        migrations.AddField(
            model_name="documentcheck",
            name="residence_points",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="residence points"),
        ),
        migrations.AddField(
            model_name="documentcheck",
            name="photo_document",
            field=models.BooleanField(default=False, verbose_name="a photo document was seen"),
        ),
        migrations.AddField(
            model_name="documentcheck",
            name="birth_date_document",
            field=models.BooleanField(default=False, verbose_name="a date-of-birth document was seen"),
        ),
        migrations.AddField(
            model_name="documentcheck",
            name="checked_on",
            field=models.DateField(default=sanspeur.cards.models._today, verbose_name="checked on"),
        ),
    ]
