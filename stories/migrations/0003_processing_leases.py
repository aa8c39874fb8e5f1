# Processing attempts hold a lease (stories/lifecycle.py); the story row records whether its
# processing message reached the broker (stories/services/processing.py).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('stories', '0002_archived_story_names'),
    ]

    operations = [
        migrations.AddField(
            model_name='story',
            name='lease_token',
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.AddField(
            model_name='story',
            name='lease_expires_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='story',
            name='dispatched_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
