import sanspeur.core.models
from django.db import migrations, models


def _days_only(apps, schema_editor):
    DataKey = apps.get_model("core", "DataKey")
    for row in DataKey.objects.only("pk", "created_at", "shredded_at").iterator():
        DataKey.objects.filter(pk=row.pk).update(
            created_on=row.created_at.date(), shredded_on=row.shredded_at.date() if row.shredded_at else None
        )


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_audit_append_only'),
    ]

    operations = [
        migrations.CreateModel(
            name='KeyBucket',
            fields=[
                ('name', models.CharField(max_length=80, primary_key=True, serialize=False)),
                ('generation', models.PositiveIntegerField(default=1)),
            ],
            options={
                'verbose_name': 'key bucket',
                'verbose_name_plural': 'key buckets',
            },
        ),
        migrations.AddField(
            model_name='datakey',
            name='bucket',
            field=models.CharField(blank=True, default='', max_length=80),
        ),
        migrations.AddField(
            model_name='datakey',
            name='created_on',
            field=models.DateField(default=sanspeur.core.models._today),
        ),
        migrations.AddField(
            model_name='datakey',
            name='generation',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='datakey',
            name='shredded_on',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='datakey',
            name='master_key_id',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.AddIndex(
            model_name='datakey',
            index=models.Index(fields=['bucket'], name='core_datake_bucket_7012df_idx'),
        ),
        # Keep the day only (issue 14): an anonymous report's key must not date it to the
        # microsecond. PostgreSQL keeps a dropped column's old values in the table's pages until
        # they are rewritten: docs/deploy.md's upgrade notes ask for VACUUM FULL core_datakey.
        migrations.RunPython(_days_only, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='datakey',
            name='created_at',
        ),
        migrations.RemoveField(
            model_name='datakey',
            name='shredded_at',
        ),
    ]
