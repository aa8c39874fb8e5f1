"""StoryDailyStats moves from feed to stories (issue 15, layers): a story's day figures live with
the story, and feed, stickers and the follow counter write them from above. State only: the
table keeps its name (`feed_storydailystats`) and no row moves. After feed's 0004, the last
migration that shaped the table, so a later change to it here finds it on a fresh database."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0010_story_scheduled"),
        ("feed", "0004_follows_from_story_net"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="StoryDailyStats",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("story_id", models.UUIDField()),
                        ("day", models.DateField()),
                        ("impressions", models.PositiveIntegerField(db_default=0, default=0)),
                        ("reach", models.PositiveIntegerField(db_default=0, default=0)),
                        ("completions", models.PositiveIntegerField(db_default=0, default=0)),
                        ("likes", models.IntegerField(db_default=0, default=0)),
                        ("comments", models.IntegerField(db_default=0, default=0)),
                        ("shares", models.PositiveIntegerField(db_default=0, default=0)),
                        ("day_reach", models.PositiveIntegerField(db_default=0, default=0)),
                        ("sticker_responses", models.PositiveIntegerField(db_default=0, default=0)),
                        ("follows_from_story", models.IntegerField(db_default=0, default=0)),
                        (
                            "author",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "story daily stats",
                        "db_table": "feed_storydailystats",
                        "indexes": [models.Index(fields=["author", "day"], name="stats_author_day")],
                        "constraints": [
                            models.UniqueConstraint(fields=("story_id", "day"), name="stats_story_day")
                        ],
                    },
                ),
            ],
        ),
    ]
