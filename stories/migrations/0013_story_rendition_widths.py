# Sized WebP renditions of each story's poster (issue 18, goal 4: a lighter home page): which
# ones are stored, by the width of the 9:16 box they cover. Existing stories start with none
# (their pages get the poster itself) until `manage.py make_renditions` makes theirs.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0012_remove_story_original_content_type"),
    ]

    operations = [
        migrations.AddField(
            model_name="story",
            name="rendition_widths",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
