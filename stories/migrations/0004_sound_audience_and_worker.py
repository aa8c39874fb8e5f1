from django.db import migrations, models


def lifted_sounds_follow_their_story(apps, schema_editor):
    """Sounds lifted before this change were public by accident: from now on they keep their
    story's audience until the author publishes them (docs/security.md)."""
    Sound = apps.get_model("stories", "Sound")
    Sound.objects.filter(source_story__isnull=False).update(published=False)


class Migration(migrations.Migration):
    dependencies = [("stories", "0003_processing_leases")]

    operations = [
        migrations.AddField(model_name="sound", name="published", field=models.BooleanField(default=True)),
        migrations.AddField(
            model_name="sound",
            name="original",
            field=models.FileField(blank=True, max_length=255, upload_to=""),
        ),
        migrations.AddField(
            model_name="sound",
            name="failure_reason",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.RunPython(lifted_sounds_follow_their_story, migrations.RunPython.noop),
    ]
