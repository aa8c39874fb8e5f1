"""The view row's foreign keys lose their own indexes: the unique (story, viewer) constraint and
the (viewer, story) index lead with each, so every lookup and cascade they served still has an
index, and each view writes two index entries fewer (feed/view_counting.py). Only the indexes are
dropped (the same names on PostgreSQL and SQLite): AlterField would also drop and re-add both
foreign keys, re-checking the whole table under a lock that holds up views."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = {"story_id": "feed_storyview_story_id_42312544", "viewer_id": "feed_storyview_viewer_id_373634aa"}


class Migration(migrations.Migration):
    dependencies = [
        ("feed", "0009_notification_from_accounts"),
        ("stories", "0012_remove_story_original_content_type"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="storyview",
                    name="story",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="views",
                        to="stories.story",
                    ),
                ),
                migrations.AlterField(
                    model_name="storyview",
                    name="viewer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "feed_storyview" ("{column}")',
                )
                for column, name in INDEXES.items()
            ],
        ),
    ]
