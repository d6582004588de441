from django.db import migrations


def forwards(apps, schema_editor):
    from sanspeur.directory.reference import sync_reference

    sync_reference(
        apps.get_model("directory", "Borough"),
        apps.get_model("directory", "Taxonomy"),
        apps.get_model("directory", "TaxonomyTerm"),
    )


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
