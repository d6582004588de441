# The grants app's one accounts migration: a kind of organisation for applicants to the city's
# community funding (docs/grants.md). Only the choices change; no row is touched.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_new_capabilities"),
    ]

    operations = [
        migrations.AlterField(
            model_name="organisation",
            name="kind",
            field=models.CharField(
                choices=[
                    ("city", "City office"),
                    ("partner", "Partner community organisation"),
                    ("service_point", "Service point"),
                    ("applicant", "Applicant organisation (funding)"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
    ]
