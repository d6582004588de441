"""The link between a person's document check and document types is gone (issue 14), and the
database refuses a second valid card for one holder."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cards", "0006_forget_document_types")]

    operations = [
        migrations.RemoveField(model_name="documentcheck", name="document_types"),
        migrations.RemoveField(model_name="documentcheck", name="checked_at"),
        migrations.AddConstraint(
            model_name="card",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "active")), fields=("holder",), name="cards_one_active_card_per_holder"
            ),
        ),
    ]
