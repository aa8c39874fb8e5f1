"""Notification moves to feed (feed/migrations/0009_notification_from_accounts.py): its rows point
at stories, comments and messages, and accounts is the lowest layer. State only: the table
(`accounts_notification`), its columns, foreign keys and index stay exactly as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_follower_daily_from_analytics"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Notification")],
            database_operations=[],
        ),
    ]
