# Two branches made in parallel: caption entities and hashtags, and the sound library's audience
# and worker. They touch different tables.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0004_caption_entities_hashtags"),
        ("stories", "0004_sound_audience_and_worker"),
    ]

    operations = []
