"""Search on PostgreSQL: near misses found through pg_trgm, on the GIN indexes of migration
stories/0004 (run with DATABASE_URL=postgres://...)."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import User
from feed.selectors import search as discovery

from .discovery import captioned, library_sound, person

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SEARCH = "/api/v1/search/"


def test_typos_find_people_sounds_and_hashtags(api_client):
    assert discovery.typo_tolerant()
    person(username="margaret", display_name="Margaret Hamilton")
    person(username="quinn", display_name="Sofia Papadopoulos")
    person(username="unrelated", display_name="Someone Else")
    library_sound("Chillwave sunset")
    captioned("#photography walk")

    def found(query, kind, key):
        return [row[key] for row in api_client.get(SEARCH, {"q": query}).json()[kind]]

    assert found("margret", "people", "username") == ["margaret"]  # a letter missing
    assert found("papadopolous", "people", "username") == ["quinn"]  # two swapped, in the display name
    assert found("chilwave", "sounds", "title") == ["Chillwave sunset"]
    assert found("fotography", "hashtags", "tag") == ["photography"]
    assert found("photografy", "hashtags", "tag") == ["photography"]
    # Far from everything: nothing.
    assert api_client.get(SEARCH, {"q": "harmonica"}).json() == {"people": [], "sounds": [], "hashtags": []}
    # An exact prefix still comes before a near miss.
    person(username="margret_fan")
    assert found("margret", "people", "username") == ["margret_fan", "margaret"]


def test_trigram_indexes_exist_and_serve_the_search():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE 'search_%%_trgm'")
        indexes = dict(cursor.fetchall())
    assert set(indexes) == {
        "search_user_username_trgm",
        "search_user_display_name_trgm",
        "search_sound_title_trgm",
        "search_hashtag_name_trgm",
    }
    assert all("gin" in definition and "gin_trgm_ops" in definition for definition in indexes.values())
    # The name match alone (the visibility filters bring their own indexes into the plan).
    rows = discovery._matching(User.objects.all(), ["username", "display_name"], "margret")
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "search_user_username_trgm" in plan, plan
    assert "search_user_display_name_trgm" in plan, plan
