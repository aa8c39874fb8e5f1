"""StickerStats moves from analytics to stickers (issue 15, layers): a sticker's results are
counted by stickers' own vote, answer, ask and Add Yours, which may not import analytics above
them. State only: the table keeps its name (`analytics_stickerstats`) and no row moves. After
analytics' 0001, which made the table, so a later change to it here finds it on a fresh
database."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stickers", "0005_question_recipient_required"),
        ("analytics", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="StickerStats",
                    fields=[
                        ("sticker_id", models.UUIDField(primary_key=True, serialize=False)),
                        ("story_id", models.UUIDField()),
                        ("type", models.CharField(max_length=12)),
                        ("label", models.CharField(blank=True, max_length=300)),
                        ("options", models.JSONField(blank=True, default=list)),
                        ("correct_option", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("responses", models.PositiveIntegerField(db_default=0, default=0)),
                        ("correct", models.PositiveIntegerField(db_default=0, default=0)),
                        ("option_0", models.PositiveIntegerField(db_default=0, default=0)),
                        ("option_1", models.PositiveIntegerField(db_default=0, default=0)),
                        ("option_2", models.PositiveIntegerField(db_default=0, default=0)),
                        ("option_3", models.PositiveIntegerField(db_default=0, default=0)),
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
                        "verbose_name_plural": "sticker stats",
                        "db_table": "analytics_stickerstats",
                        "indexes": [models.Index(fields=["story_id"], name="sticker_stats_story")],
                    },
                ),
            ],
        ),
    ]
