"""The event's title becomes multilingual ({"fr": ...}, as the directory's texts), and a
multilingual "where exactly" joins the address. Added, copied, then swapped: a text column cannot
be cast to JSON in place on every database."""

from django.db import migrations, models


def titles_to_texts(apps, schema_editor):
    Event = apps.get_model("clinics", "Event")
    for event in Event.objects.only("pk", "title").iterator():
        Event.objects.filter(pk=event.pk).update(title_texts={"fr": event.title} if event.title else {})


def texts_to_titles(apps, schema_editor):
    Event = apps.get_model("clinics", "Event")
    for event in Event.objects.only("pk", "title_texts").iterator():
        Event.objects.filter(pk=event.pk).update(title=(event.title_texts or {}).get("fr", "")[:200])


class Migration(migrations.Migration):
    dependencies = [("clinics", "0003_booking_without_times")]

    operations = [
        migrations.AddField(
            model_name="event",
            name="title_texts",
            field=models.JSONField(default=dict, verbose_name="title"),
        ),
        migrations.RunPython(titles_to_texts, texts_to_titles),
        migrations.RemoveField(model_name="event", name="title"),
        migrations.RenameField(model_name="event", old_name="title_texts", new_name="title"),
        migrations.AddField(
            model_name="event",
            name="place",
            field=models.JSONField(blank=True, default=dict, verbose_name="where exactly"),
        ),
    ]
