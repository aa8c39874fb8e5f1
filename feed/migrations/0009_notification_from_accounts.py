"""Notification, moved from accounts (accounts/migrations/0010_notification_to_feed.py). State only:
the model keeps its table (`db_table = "accounts_notification"`), columns, foreign keys and index,
so no row moves. The content type follows the model, so admin log entries and permissions that
named it keep pointing at it."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def content_type_to_feed(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="feed", model="notification").exists():
        ContentType.objects.filter(app_label="accounts", model="notification").update(app_label="feed")


def content_type_to_accounts(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="accounts", model="notification").exists():
        ContentType.objects.filter(app_label="feed", model="notification").update(app_label="accounts")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_notification_to_feed"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("feed", "0008_story_daily_stats_to_stories"),
        ("stories", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("like", "Like"),
                                    ("comment", "Comment"),
                                    ("follow", "Follow"),
                                    ("mention", "Mention"),
                                    ("moderation", "Moderation notice"),
                                    ("question", "Question"),
                                    ("add_yours", "Add Yours"),
                                    ("reply", "Reply to a story"),
                                    ("reaction", "Reaction to a story"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("text", models.CharField(blank=True, max_length=500)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "comment",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="feed.comment",
                            ),
                        ),
                        (
                            "message",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="feed.message",
                            ),
                        ),
                        (
                            "recipient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "story",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="stories.story",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "accounts_notification",
                        "indexes": [models.Index(fields=["recipient", "-created_at"], name="notification_inbox")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_feed, content_type_to_accounts),
    ]
