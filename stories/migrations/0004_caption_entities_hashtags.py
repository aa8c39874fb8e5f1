# Captions keep the hashtags, mentions and links found at upload (stories/captions.py), hashtags
# get rows of their own for their pages, and search (feed/selectors/search.py) gets trigram
# indexes on PostgreSQL. SQLite has no pg_trgm: the index steps do nothing there, and search
# falls back to plain prefix and substring matches.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models
from django.db.models.functions import Lower

# Search compares UPPER(column) (what Django's istartswith/icontains write on PostgreSQL) and
# the trigram similarity of the same expression, so one GIN index per column serves both.
TRIGRAM_INDEXES = {
    "search_user_username_trgm": ("accounts_user", "username"),
    "search_user_display_name_trgm": ("accounts_user", "display_name"),
    "search_sound_title_trgm": ("stories_sound", "title"),
    "search_hashtag_name_trgm": ("stories_hashtag", "name"),
}


def add_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    # The extension stays: other databases objects may use it, and it costs nothing idle.


def parse_existing_captions(apps, schema_editor):
    """Stories posted before this migration get their entities and tags as if just posted."""
    from stories import captions

    Story = apps.get_model("stories", "Story")
    User = apps.get_model("accounts", "User")
    Hashtag = apps.get_model("stories", "Hashtag")
    StoryHashtag = apps.get_model("stories", "StoryHashtag")

    def resolve(lowered):
        rows = User.objects.filter(is_active=True).annotate(lowered=Lower("username"))
        return dict(rows.filter(lowered__in=lowered).values_list("lowered", "username"))

    stories = Story.objects.exclude(caption="").filter(state__in=["processing", "ready"])
    for story in stories.iterator():
        entities = captions.parse(story.caption, resolve_mentions=resolve)
        Story.objects.filter(pk=story.pk).update(caption_entities=entities)
        for tag in captions.hashtags(entities):
            hashtag, _ = Hashtag.objects.get_or_create(name=tag)
            StoryHashtag.objects.get_or_create(story_id=story.pk, hashtag=hashtag)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_api_tokens_comment_notifications"),
        ("stories", "0003_processing_leases"),
    ]

    operations = [
        migrations.AddField(
            model_name="story",
            name="caption_entities",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.CreateModel(
            name="Hashtag",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.CreateModel(
            name="StoryHashtag",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "hashtag",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="story_hashtags",
                        to="stories.hashtag",
                    ),
                ),
                (
                    "story",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="story_hashtags",
                        to="stories.story",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("hashtag", "story"), name="story_hashtag_once")
                ],
            },
        ),
        migrations.RunPython(parse_existing_captions, migrations.RunPython.noop),
        migrations.RunPython(add_trigram_indexes, drop_trigram_indexes),
    ]
