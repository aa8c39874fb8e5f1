"""PostgreSQL only: `feed_hot` (migration 0002) rewritten so the planner inlines it.

The old body took `extract(epoch FROM <timestamptz>)`, which PostgreSQL marks STABLE (extract's
other fields depend on the time zone). An IMMUTABLE SQL function whose body calls a STABLE one
is never inlined, so every row For You scored ran a SQL-function call: about 7 µs against about
0.5 µs inlined, and the personal branch scores a couple of hundred rows a page (docs/benchmarks.md,
"Feed"). The epoch of the difference from the epoch is the same number, computed only from
IMMUTABLE parts. The values are equal for every story (checked on the bench's 50,000), so the
index stays valid; it is rebuilt anyway, because each server process keeps the index's
expression inlined as it was when it first read it, and only a rebuild makes every process read
it again: a process with the old form would no longer match the index and would scan.
"""

from django.db import migrations

BODY = """
CREATE OR REPLACE FUNCTION feed_hot(likes integer, comments integer, shares integer, published timestamptz)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT ln((1 + likes + 2 * comments + 3 * shares)::double precision)
       + (extract(epoch FROM {published})::double precision - 1700000000.0)
         / 14400.0
$$;
"""
INLINED = BODY.format(published="coalesce(published, 'epoch'::timestamptz) - 'epoch'::timestamptz")
CALLED = BODY.format(published="coalesce(published, 'epoch'::timestamptz)")  # migration 0002's


def _replace(body: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(body)
            schema_editor.execute("REINDEX INDEX feed_story_hot;")

    return run


class Migration(migrations.Migration):
    dependencies = [("feed", "0011_view_flush_ledger")]

    operations = [migrations.RunPython(_replace(INLINED), _replace(CALLED), elidable=False)]
