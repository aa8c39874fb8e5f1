"""PostgreSQL only: the time-independent "hot" part of the For You score as an immutable SQL
function, and an index on it over ready stories, so a For You page walks the index from the
cursor and stops after a page instead of scoring every live story. See docs/ranking.md; the
formula must match feed.selectors.hot_score() (tests/feed/test_ranking.py checks they agree).

Other databases compute the same expression inline (without an index)."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION feed_hot(likes integer, comments integer, shares integer, published timestamptz)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT ln((1 + likes + 2 * comments + 3 * shares)::double precision)
       + (extract(epoch FROM coalesce(published, 'epoch'::timestamptz))::double precision - 1700000000.0)
         / 14400.0
$$;
"""
INDEX = """
CREATE INDEX IF NOT EXISTS feed_story_hot ON stories_story
  (feed_hot(like_count, comment_count, share_count, published_at) DESC, id DESC)
  WHERE state = 'ready';
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)
        schema_editor.execute(INDEX)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS feed_story_hot;")
        schema_editor.execute("DROP FUNCTION IF EXISTS feed_hot(integer, integer, integer, timestamptz);")


class Migration(migrations.Migration):
    dependencies = [("feed", "0001_initial"), ("stories", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
