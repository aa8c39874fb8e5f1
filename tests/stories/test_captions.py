"""Captions: hashtags, mentions and links found once at upload, stored, shown as links, and the
caption's own text always escaped (stories/captions.py, stories/services/hashtags.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from stories import captions
from stories.models import Hashtag, StoryHashtag
from stories.services.hashtags import caption_entities
from tests.factories import LiveStoryFactory, UserFactory


def kinds(entities):
    return [(entity["type"], entity["value"]) for entity in entities]


def names(*usernames):
    """A resolver that knows these accounts (as `caption_entities` does with the database)."""
    return lambda lowered: {name.lower(): name for name in usernames if name.lower() in lowered}


class TestParse:
    def test_hashtags_mentions_and_links_with_offsets(self):
        caption = "Sunset with @Maya_R at the beach #Summer #sun2026 https://example.com/a?b=1."
        entities = captions.parse(caption, resolve_mentions=names("maya_r"))
        assert kinds(entities) == [
            ("mention", "maya_r"),
            ("hashtag", "summer"),
            ("hashtag", "sun2026"),
            ("link", "https://example.com/a?b=1"),
        ]
        assert [caption[e["start"] : e["end"]] for e in entities] == [
            "@Maya_R",
            "#Summer",
            "#sun2026",
            "https://example.com/a?b=1",
        ]

    def test_what_is_not_an_entity(self):
        caption = (
            "mail ann@example.com, a#b, &#39; #123 #_ ##double javascript:alert(1) "
            "ftp://x.org www.example.com @x https://example.com/page#anchor"
        )
        entities = captions.parse(caption, resolve_mentions=names("ann", "example"))
        assert kinds(entities) == [("link", "https://example.com/page#anchor")]

    def test_mentions_only_of_people_who_exist(self):
        caption = "thanks @ann and @ghost."
        assert kinds(captions.parse(caption, resolve_mentions=names("ann"))) == [("mention", "ann")]
        assert captions.parse(caption) == []

    def test_trailing_punctuation_and_balanced_parentheses(self):
        caption = "see (https://en.wikipedia.org/wiki/Foo_(bar)), and https://example.com!"
        entities = captions.parse(caption)
        assert [entity["value"] for entity in entities] == [
            "https://en.wikipedia.org/wiki/Foo_(bar)",
            "https://example.com",
        ]

    def test_unicode_tags_and_code_point_offsets(self):
        caption = "🎉🎉 #Café #日本 done"
        entities = captions.parse(caption)
        assert kinds(entities) == [("hashtag", "café"), ("hashtag", "日本")]
        assert [caption[e["start"] : e["end"]] for e in entities] == ["#Café", "#日本"]
        assert entities[0]["start"] == 3  # code points: each emoji is one, not two UTF-16 units

    def test_duplicate_tags_listed_once(self):
        assert captions.hashtags(captions.parse("#Cats and #cats and #dogs")) == ["cats", "dogs"]

    def test_a_tag_longer_than_the_limit_is_not_one(self):
        assert captions.parse("#" + "a" * 65) == []
        assert kinds(captions.parse("#" + "a" * 64)) == [("hashtag", "a" * 64)]


class TestRender:
    def test_links_and_escaping(self):
        caption = 'Hi @ann <b>bold</b> & "quotes" #Tag https://example.com/?a=1&b=<2>'
        html = str(captions.caption_html(caption, captions.parse(caption, resolve_mentions=names("ann"))))
        assert '<a class="caption-mention" href="/@ann">@ann</a>' in html
        assert '<a class="caption-hashtag" href="/tags/tag">#Tag</a>' in html
        assert (
            '<a class="caption-link" href="https://example.com/?a=1&amp;b=" rel="nofollow ugc noopener">'
            "https://example.com/?a=1&amp;b=</a>&lt;2&gt;" in html
        )
        assert "&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quotes&quot;" in html
        assert "<b>" not in html

    def test_hostile_caption_stays_text(self):
        caption = (
            '<script>alert(1)</script> "><img src=x onerror=alert(1)> #x<svg/onload=alert(1)> '
            'https://evil.example/"onmouseover="alert(1) @ann\'><iframe>'
        )
        html = str(captions.caption_html(caption, captions.parse(caption, resolve_mentions=names("ann"))))
        for tag in ("<script", "<img", "<svg", "<iframe", 'onmouseover="'):
            assert tag not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert html.count("<a ") == 3  # the tag, the link, the mention; nothing else became one

    def test_tampered_entities_are_not_drawn(self):
        caption = "click me please #ok"
        entities = [
            {"type": "link", "start": 0, "end": 8, "value": "javascript:alert(1)"},
            {"type": "mention", "start": 9, "end": 11, "value": "a/../../admin"},
            {"type": "hashtag", "start": 16, "end": 19, "value": "ok"},
            {"type": "hashtag", "start": 16, "end": 99, "value": "ok"},
            "not an entity",
        ]
        html = str(captions.caption_html(caption, entities))
        assert html == 'click me please <a class="caption-hashtag" href="/tags/ok">#ok</a>'
        assert str(captions.caption_html("<i>", "not a list")) == "&lt;i&gt;"

    def test_marked_spans_for_captions_inside_links(self):
        caption = "#Tag https://example.com"
        html = str(captions.caption_html(caption, captions.parse(caption), links=False))
        assert (
            html
            == '<span class="caption-hashtag">#Tag</span> <span class="caption-link">https://example.com</span>'
        )


@pytest.mark.django_db
def test_caption_entities_resolve_mentions_against_accounts():
    UserFactory(username="Maya.R")
    gone = UserFactory(username="gone")
    gone.is_active = False
    gone.save()
    entities = caption_entities(caption="hi @maya.r and @gone and @nobody")
    assert kinds(entities) == [("mention", "Maya.R")]


@pytest.mark.django_db(transaction=True)
def test_upload_stores_entities_and_tags_once(rotated_photo_with_gps):
    author = UserFactory()
    UserFactory(username="maya")
    client = APIClient()
    client.force_authenticate(author)
    caption = "Beach day with @maya #Summer #summer #beach <script>x</script> https://example.com/x"
    with rotated_photo_with_gps.open("rb") as handle:
        response = client.post(
            reverse("api:story-list"), {"media": handle, "caption": caption}, format="multipart"
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["hashtags"] == ["summer", "beach"]
    assert kinds(body["caption_entities"]) == [
        ("mention", "maya"),
        ("hashtag", "summer"),
        ("hashtag", "summer"),
        ("hashtag", "beach"),
        ("link", "https://example.com/x"),
    ]
    story_id = body["id"]
    assert sorted(StoryHashtag.objects.filter(story_id=story_id).values_list("hashtag__name", flat=True)) == [
        "beach",
        "summer",
    ]
    # The next story with a known tag reuses its row.
    with rotated_photo_with_gps.open("rb") as handle:
        client.post(
            reverse("api:story-list"), {"media": handle, "caption": "#BEACH again"}, format="multipart"
        )
    assert Hashtag.objects.filter(name="beach").count() == 1
    assert StoryHashtag.objects.filter(hashtag__name="beach").count() == 2

    page = client.get(reverse("stories:detail", args=[story_id])).content.decode()
    assert '<a class="caption-mention" href="/@maya">@maya</a>' in page
    assert '<a class="caption-hashtag" href="/tags/summer">#Summer</a>' in page
    assert 'href="https://example.com/x" rel="nofollow ugc noopener"' in page
    assert "<script>x</script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page


@pytest.mark.django_db
def test_cards_mark_entities_without_nesting_links(client):
    story = LiveStoryFactory(caption="#Cats <b>x</b>")
    story.caption_entities = captions.parse(story.caption)
    story.save()
    page = client.get("/").content.decode()
    assert '<span class="caption-hashtag">#Cats</span> &lt;b&gt;x&lt;/b&gt;' in page


@pytest.mark.django_db(transaction=True)
def test_the_migration_parses_captions_of_stories_posted_before_it():
    """Stories live when the migration runs get their entities and tags as if just posted."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("stories", "0003_processing_leases")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        OldStory = old.get_model("stories", "Story")
        author = UserFactory(username="maya")
        live = OldStory.objects.create(author_id=author.pk, state="ready", caption="Hi @Maya #Old_Tag")
        OldStory.objects.create(author_id=author.pk, state="expired", caption="#gone")
    finally:  # back to the latest state for the tests that follow
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    from stories.models import Story

    assert kinds(Story.objects.get(pk=live.pk).caption_entities) == [
        ("mention", "maya"),
        ("hashtag", "old_tag"),
    ]
    assert list(StoryHashtag.objects.values_list("story_id", "hashtag__name")) == [(live.pk, "old_tag")]
