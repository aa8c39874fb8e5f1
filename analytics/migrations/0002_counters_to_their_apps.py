"""FollowerDaily and StickerStats now belong to accounts (0009) and stickers (0006): removed
from analytics' state only, which keeps no tables of its own and reads theirs. The tables
(`analytics_followerdaily`, `analytics_stickerstats`) and their rows stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
        ("accounts", "0009_follower_daily_from_analytics"),
        ("stickers", "0006_sticker_stats_from_analytics"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="FollowerDaily"),
                migrations.DeleteModel(name="StickerStats"),
            ],
        ),
    ]
