"""Discovery API (docs/api.md, "Discovery"): search, a hashtag's stories, a sound's stories.
Shapes, pagination, errors, and that nothing the viewer may not see shows up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from feed.selectors import search as discovery
from stories.models import Audience, Sound
from tests.factories import BlockFactory, FollowFactory, LiveStoryFactory

from .conftest import client_for
from .discovery import captioned, library_sound, person

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/search/"


@pytest.fixture
def viewer():
    return person(username="viewer")


def tags(body):
    return {(row["tag"], row["story_count"]) for row in body["hashtags"]}


def usernames(body):
    return [row["username"] for row in body["people"]]


class TestSearch:
    def test_people_sounds_and_hashtags(self, api_client):
        ann = person(username="annika", display_name="Annika Berg")
        person(username="zed", display_name="Zed Annberg")
        person(username="bob", display_name="Bob")
        library_sound("Annual parade drums", owner=ann)
        library_sound("Rain")
        captioned("#Annecy lake", author=ann)
        captioned("back in #annecy")
        captioned("#rainy day")

        body = api_client.get(SEARCH, {"q": "ann"}).json()
        assert set(body) == {"people", "sounds", "hashtags"}
        # Prefix matches first (username or display name), then substring ones.
        assert usernames(body) == ["annika", "zed"]
        assert body["people"][0] == {
            "id": ann.pk,
            "username": "annika",
            "display_name": "Annika Berg",
            "avatar_url": None,
        }
        assert [row["title"] for row in body["sounds"]] == ["Annual parade drums"]
        assert body["sounds"][0]["owner"] == "annika"
        assert tags(body) == {("annecy", 2)}

    def test_a_leading_hash_or_at_means_the_name(self, api_client):
        person(username="rainer")
        captioned("#rainy")
        assert tags(api_client.get(SEARCH, {"q": "#rain"}).json()) == {("rainy", 1)}
        assert usernames(api_client.get(SEARCH, {"q": "@rain"}).json()) == ["rainer"]

    @pytest.mark.parametrize(
        ("query", "message"),
        [
            (None, discovery.QUERY_REQUIRED),
            ("   ", discovery.QUERY_REQUIRED),
            ("#", discovery.QUERY_REQUIRED),
            ("a\x00b", discovery.QUERY_REQUIRED),
            ("x" * 101, discovery.QUERY_TOO_LONG),
        ],
    )
    def test_bad_queries_answer_400(self, api_client, query, message):
        response = api_client.get(SEARCH, {} if query is None else {"q": query})
        assert response.status_code == 400
        assert response.json() == {"detail": message, "errors": {"q": [message]}}

    def test_blocked_and_suspended_people_are_not_found(self, as_viewer, viewer):
        person(username="sam_visible")
        blocked = person(username="sam_blocked")
        blocker = person(username="sam_blocker")
        person(username="sam_suspended", suspended_until=timezone.now() + timedelta(days=1))
        BlockFactory(blocker=viewer, blocked=blocked)
        BlockFactory(blocker=blocker, blocked=viewer)
        assert usernames(as_viewer.get(SEARCH, {"q": "sam"}).json()) == ["sam_visible"]
        # Someone without those blocks finds the blocked ones; suspension hides from everyone.
        assert sorted(usernames(client_for(person()).get(SEARCH, {"q": "sam"}).json())) == [
            "sam_blocked",
            "sam_blocker",
            "sam_visible",
        ]

    def test_hashtags_count_only_stories_the_viewer_may_see(self, as_viewer, viewer):
        friend, stranger, blocked = person(), person(), person()
        FollowFactory(follower=viewer, followee=friend)
        BlockFactory(blocker=viewer, blocked=blocked)
        captioned("#secretplace", author=stranger, audience=Audience.FOLLOWERS)
        captioned("#secretplace", author=friend, audience=Audience.FOLLOWERS)
        captioned("#secretplace", author=blocked)
        captioned("#onlyfans_of_x", author=stranger, audience=Audience.FOLLOWERS)
        captioned("#secretplace", author=person(suspended_until=timezone.now() + timedelta(days=1)))
        expired = captioned("#secretplace")
        expired.expires_at = timezone.now() - timedelta(minutes=1)
        expired.save()

        assert tags(as_viewer.get(SEARCH, {"q": "secret"}).json()) == {("secretplace", 1)}
        # A tag used only where the viewer cannot look does not exist for them.
        assert tags(as_viewer.get(SEARCH, {"q": "onlyfans"}).json()) == set()
        assert tags(client_for(person()).get(SEARCH, {"q": "secret"}).json()) == {("secretplace", 1)}
        FollowFactory(follower=viewer, followee=stranger)
        assert tags(as_viewer.get(SEARCH, {"q": "secret"}).json()) == {("secretplace", 2)}

    def test_sounds_hidden_when_removed_or_their_owner_is_out_of_sight(self, as_viewer, viewer):
        blocked = person()
        BlockFactory(blocker=blocked, blocked=viewer)
        library_sound("Ocean waves")
        library_sound("Ocean removed", is_removed=True)
        library_sound("Ocean by a blocker", owner=blocked)
        library_sound(
            "Ocean by the suspended", owner=person(suspended_until=timezone.now() + timedelta(days=1))
        )
        Sound.objects.create(title="Ocean processing", file="")
        body = as_viewer.get(SEARCH, {"q": "ocean"}).json()
        assert [row["title"] for row in body["sounds"]] == ["Ocean waves"]

    def test_plain_fallback_without_trigrams(self, api_client, monkeypatch):
        """What SQLite does (and PostgreSQL without pg_trgm would): prefix and substring only."""
        monkeypatch.setattr(discovery, "typo_tolerant", lambda: False)
        person(username="margaret", display_name="Margaret Hamilton")
        captioned("#summertime")
        assert usernames(api_client.get(SEARCH, {"q": "MARG"}).json()) == ["margaret"]
        assert usernames(api_client.get(SEARCH, {"q": "hamil"}).json()) == ["margaret"]
        assert usernames(api_client.get(SEARCH, {"q": "margret"}).json()) == []
        assert tags(api_client.get(SEARCH, {"q": "mertim"}).json()) == {("summertime", 1)}
        assert tags(api_client.get(SEARCH, {"q": "sumertime"}).json()) == set()


class TestHashtagStories:
    def url(self, tag: str) -> str:
        return f"/api/v1/hashtags/{tag}/stories/"

    def test_newest_first_paginated_with_the_cursor(self, api_client):
        now = timezone.now()
        made = [captioned(f"#Sunset {n}", published_at=now - timedelta(minutes=n)) for n in range(5)]
        captioned("#sunrise only")
        first = api_client.get(self.url("sunset"), {"page_size": 2}).json()
        assert [row["id"] for row in first["results"]] == [str(made[0].pk), str(made[1].pk)]
        assert first["results"][0]["hashtags"] == ["sunset"]
        assert first["results"][0]["caption_entities"] == [
            {"type": "hashtag", "start": 0, "end": 7, "value": "sunset"}
        ]
        second = api_client.get(first["next"]).json()
        third = api_client.get(second["next"]).json()
        assert [row["id"] for row in second["results"] + third["results"]] == [str(s.pk) for s in made[2:]]
        assert third["next"] is None

    def test_same_tag_whatever_the_case_in_the_url(self, api_client):
        story = captioned("#Sunset")
        assert [row["id"] for row in api_client.get(self.url("SunSet")).json()["results"]] == [str(story.pk)]

    def test_only_stories_the_viewer_may_see(self, as_viewer, viewer):
        open_story = captioned("#mine")
        captioned("#mine", audience=Audience.FOLLOWERS)
        captioned("#mine", audience=Audience.FRIENDS)
        blocked = captioned("#mine")
        BlockFactory(blocker=blocked.author, blocked=viewer)
        captioned("#mine", author=person(suspended_until=timezone.now() + timedelta(days=1)))
        LiveStoryFactory(author=person(), caption="#mine")  # a caption nobody parsed is not tagged
        ids = [row["id"] for row in as_viewer.get(self.url("mine")).json()["results"]]
        assert ids == [str(open_story.pk)]

    def test_errors(self, api_client):
        captioned("#ok")
        assert api_client.get(self.url("123")).status_code == 404
        assert api_client.get(self.url("a" * 65)).json() == {
            "detail": "No such hashtag: a tag is letters, digits and underscores, up to 64."
        }
        assert api_client.get(self.url("nobody_uses_this")).json() == {"results": [], "next": None}
        bad = api_client.get(self.url("ok"), {"cursor": "garbage"})
        assert bad.status_code == 400
        assert bad.json()["errors"] == {"cursor": ["Invalid cursor: start again from the first page."]}
        assert api_client.get(self.url("ok"), {"page_size": "0"}).status_code == 400


class TestSoundStories:
    def test_live_stories_using_the_sound_and_story_json_names_it(self, as_viewer, viewer):
        owner = person(username="dj")
        sound = library_sound("Original sound - @dj", owner=owner)
        using = LiveStoryFactory(author=person(), sound=sound)
        LiveStoryFactory(author=person(), sound=sound, audience=Audience.FOLLOWERS)
        LiveStoryFactory(author=person())
        body = as_viewer.get(f"/api/v1/sounds/{sound.pk}/stories/").json()
        assert [row["id"] for row in body["results"]] == [str(using.pk)]
        named = body["results"][0]["sound"]
        assert (named["id"], named["title"], named["owner"]) == (str(sound.pk), "Original sound - @dj", "dj")

    def test_unknown_removed_or_out_of_sight_sounds_are_404(self, as_viewer, viewer):
        blocker = person()
        BlockFactory(blocker=blocker, blocked=viewer)
        for sound_id in [
            "00000000-0000-4000-8000-000000000000",
            library_sound("gone", is_removed=True).pk,
            library_sound("theirs", owner=blocker).pk,
        ]:
            response = as_viewer.get(f"/api/v1/sounds/{sound_id}/stories/")
            assert response.status_code == 404
            assert response.json() == {"detail": "This sound does not exist or is not available."}
