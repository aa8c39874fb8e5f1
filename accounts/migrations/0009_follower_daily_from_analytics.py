"""FollowerDaily moves from analytics to accounts (issue 15, layers): follower growth is counted
by accounts' own follow, unfollow and block, which may not import analytics above them. State
only: the table keeps its name (`analytics_followerdaily`) and no row moves. After analytics'
0001, which made the table, so a later change to it here finds it on a fresh database."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_notification_kinds_and_messages"),
        ("analytics", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="FollowerDaily",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("day", models.DateField()),
                        ("gained", models.PositiveIntegerField(db_default=0, default=0)),
                        ("lost", models.PositiveIntegerField(db_default=0, default=0)),
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
                        "verbose_name_plural": "follower daily counts",
                        "db_table": "analytics_followerdaily",
                        "constraints": [
                            models.UniqueConstraint(fields=("author", "day"), name="follower_daily_once")
                        ],
                    },
                ),
            ],
        ),
    ]
