"""Questions outlive the story they were asked on: they belong to the person asked and keep the
sticker's prompt, and the sticker's purge leaves them (SET_NULL) instead of deleting them.

Filled here; made required in 0005, in its own transaction (PostgreSQL refuses to alter a table
with the deferred foreign-key checks of these updates still pending)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_recipient_and_prompt(apps, schema_editor):
    Question = apps.get_model("stickers", "Question")
    for question in Question.objects.select_related("sticker__story").iterator():
        question.recipient_id = question.sticker.story.author_id
        question.prompt = (question.sticker.data or {}).get("prompt", "")[:120]
        question.save(update_fields=["recipient", "prompt"])


class Migration(migrations.Migration):
    dependencies = [
        ("stickers", "0003_drop_unused_response_index"),
        ("stories", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="question",
            name="prompt",
            field=models.CharField(blank=True, help_text="The sticker's prompt when asked.", max_length=120),
        ),
        migrations.AddField(
            model_name="question",
            name="recipient",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="questions_received",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(fill_recipient_and_prompt, migrations.RunPython.noop),
    ]
