# Scheduled stories (issue 17 item 1): the `scheduled` state, and publish_at.

from django.db import migrations, models

STATES = [
    ("processing", "Processing"),
    ("scheduled", "Scheduled"),
    ("ready", "Ready"),
    ("failed", "Failed"),
    ("expired", "Expired"),
    ("deleted", "Deleted"),
    ("removed", "Removed"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0009_story_archived_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="story",
            name="publish_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="story",
            name="state",
            field=models.CharField(choices=STATES, default="processing", max_length=12),
        ),
        migrations.AlterField(
            model_name="archivedstory",
            name="final_state",
            field=models.CharField(choices=STATES, max_length=12),
        ),
        migrations.AddIndex(
            model_name="story",
            index=models.Index(
                condition=models.Q(("state", "scheduled")), fields=["publish_at"], name="story_scheduled"
            ),
        ),
    ]
