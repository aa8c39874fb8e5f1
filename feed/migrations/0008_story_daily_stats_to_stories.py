"""StoryDailyStats now belongs to stories (stories 0011): removed from feed's state only. The
table (`feed_storydailystats`) and its rows stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("feed", "0007_conversations"),
        ("stories", "0011_story_daily_stats_from_feed"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="StoryDailyStats")],
        ),
    ]
