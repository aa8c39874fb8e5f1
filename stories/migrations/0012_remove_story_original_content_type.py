# Story.original_content_type was never written nor read (an upload is known by its
# bytes, stories.media.sniff_family and probe): the column goes (issue 15 item 8).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0011_story_daily_stats_from_feed"),
    ]

    operations = [
        migrations.RemoveField(model_name="story", name="original_content_type"),
    ]
