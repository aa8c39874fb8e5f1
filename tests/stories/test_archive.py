"""The private archive (issue 17 item 4): off by default; with it on, expiry keeps a story, media
and all, for its author alone (GET /api/v1/me/archive/, the media endpoints), and the purge skips
it; deleting an archived item removes its files at once; switching the archive off keeps what it
holds unless the person deletes the archive; account deletion and moderation still take it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from moderation import services as moderation
from privacy import services as privacy
from stories import services
from stories.lifecycle import State
from stories.models import ArchivedStory, Story
from stories.services.archive import archive_switch
from tests.clients import api_for, page_for
from tests.factories import FollowFactory, UserFactory
from tests.stories.factories import ReadyStoryFactory
from tests.stories.storage import stored_files

pytestmark = pytest.mark.django_db


def run_out(*stories: Story, ago: timedelta = timedelta(minutes=1)) -> None:
    """The stories' time is up; expiry runs, as beat runs it every minute."""
    Story.objects.filter(pk__in=[story.pk for story in stories]).update(expires_at=timezone.now() - ago)
    services.stories_expire_due()
    for story in stories:
        story.refresh_from_db()


def archiving_author(**fields):
    return UserFactory(archive_stories=True, **fields)


def test_the_archive_is_off_by_default_and_expired_stories_are_purged():
    story = ReadyStoryFactory()
    assert story.author.archive_stories is False
    run_out(story)
    assert story.state == State.EXPIRED
    assert story.archived_at is None
    assert services.stories_purge() == 1
    assert not Story.objects.filter(pk=story.pk).exists()
    assert stored_files() == set()


def test_purge_skips_archived_items_and_purges_the_rest():
    keeper, other = archiving_author(), UserFactory()
    kept = ReadyStoryFactory(author=keeper)
    purged = ReadyStoryFactory(author=other)
    live = ReadyStoryFactory(author=keeper)
    run_out(kept, purged)
    assert kept.archived_at is not None
    assert purged.archived_at is None

    assert services.stories_purge() == 1

    assert set(Story.objects.values_list("pk", flat=True)) == {kept.pk, live.pk}
    assert stored_files() == {kept.media.name, kept.poster.name, live.media.name, live.poster.name}
    assert ArchivedStory.objects.filter(story_id=purged.pk).exists()
    assert services.stories_purgeable().count() == 0


def test_other_people_get_404_on_archived_media_and_the_author_plays_it():
    author = archiving_author()
    follower = UserFactory()
    FollowFactory(follower=follower, followee=author)
    story = ReadyStoryFactory(author=author)
    run_out(story)
    for path in (
        f"/stories/{story.pk}/media",
        f"/stories/{story.pk}/poster",
        f"/stories/{story.pk}/download",
    ):
        assert page_for(author).get(path).status_code == 200, path
        assert page_for(follower).get(path).status_code == 404, path
        assert Client().get(path).status_code == 404, path
    assert api_for(follower).get(f"/api/v1/stories/{story.pk}/").status_code == 404
    assert api_for(author).get(f"/api/v1/stories/{story.pk}/").json()["state"] == "expired"
    assert api_for(follower).get("/api/v1/me/archive/").json()["results"] == []
    # Never in anyone's feed, the author's included.
    for viewer in (author, follower):
        ids = [item["id"] for item in api_for(viewer).get("/api/v1/feed/for-you/").json()["results"]]
        assert str(story.pk) not in ids


def test_the_archive_api_lists_newest_first_page_by_page_with_playable_media():
    author = archiving_author()
    now = timezone.now()
    stories = []
    for days in range(5):
        story = ReadyStoryFactory(
            author=author, caption=f"{days} days ago", published_at=now - timedelta(days=days, hours=1)
        )
        stories.append(story)
    run_out(*stories)
    ReadyStoryFactory(author=author)  # live: not in the archive

    first = api_for(author).get("/api/v1/me/archive/?page_size=2").json()
    assert [item["caption"] for item in first["results"]] == ["0 days ago", "1 days ago"]
    second = api_for(author).get(first["next"]).json()
    third = api_for(author).get(second["next"]).json()
    assert [item["caption"] for item in second["results"] + third["results"]] == [
        "2 days ago",
        "3 days ago",
        "4 days ago",
    ]
    assert third["next"] is None
    media_url = first["results"][0]["media_url"]
    assert page_for(author).get(media_url).status_code == 200
    assert api_for().get("/api/v1/me/archive/").status_code in (401, 403)


def test_deleting_an_archived_item_removes_its_files_at_once():
    author = archiving_author()
    story = ReadyStoryFactory(author=author)
    other = ReadyStoryFactory(author=author)
    run_out(story, other)
    files = {story.media.name, story.poster.name}
    assert files <= stored_files()

    assert api_for(author).delete(f"/api/v1/stories/{story.pk}/").status_code == 204

    assert not files & stored_files()
    story.refresh_from_db()
    assert story.state == State.DELETED
    assert [item["id"] for item in api_for(author).get("/api/v1/me/archive/").json()["results"]] == [
        str(other.pk)
    ]
    # The page's delete button does the same.
    assert page_for(author).post(f"/archive/{other.pk}/delete").status_code == 302
    assert stored_files() == set()


def test_someone_else_cannot_delete_an_archived_item():
    story = ReadyStoryFactory(author=archiving_author())
    run_out(story)
    intruder = UserFactory()
    assert api_for(intruder).delete(f"/api/v1/stories/{story.pk}/").status_code == 404
    assert page_for(intruder).post(f"/archive/{story.pk}/delete").status_code == 404
    assert {story.media.name, story.poster.name} <= stored_files()


def test_users_me_switches_the_archive_on_and_off():
    person = UserFactory()
    me = api_for(person)
    assert me.get("/api/v1/users/me/").json()["archive_stories"] is False
    answer = me.patch("/api/v1/users/me/", {"archive_stories": True}, format="json")
    assert answer.status_code == 200
    assert answer.json()["archive_stories"] is True
    person.refresh_from_db()
    assert person.archive_stories is True
    # A multipart PATCH without the field leaves it as it is.
    assert (
        me.patch("/api/v1/users/me/", {"bio": "hello"}, format="multipart").json()["archive_stories"] is True
    )
    bad = me.patch("/api/v1/users/me/", {"archive_stories": "sometimes"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"]["archive_stories"]
    assert (
        me.patch("/api/v1/users/me/", {"archive_stories": False}, format="json").json()["archive_stories"]
        is False
    )


def test_switching_off_keeps_what_is_archived_and_stops_archiving_new_ones():
    author = archiving_author()
    kept = ReadyStoryFactory(author=author)
    run_out(kept)
    later = ReadyStoryFactory(author=author)
    archive_switch(viewer=author, enabled=False)

    run_out(later)
    services.stories_purge()

    assert Story.objects.filter(pk=kept.pk, archived_at__isnull=False).exists()
    assert not Story.objects.filter(pk=later.pk).exists()
    assert [item["id"] for item in api_for(author).get("/api/v1/me/archive/").json()["results"]] == [
        str(kept.pk)
    ]


def test_delete_the_archive_removes_every_item_and_its_files():
    author = archiving_author()
    stories = [ReadyStoryFactory(author=author) for _ in range(3)]
    run_out(*stories)
    answer = api_for(author).delete("/api/v1/me/archive/")
    assert answer.status_code == 200
    assert answer.json() == {"deleted": 3}
    assert stored_files() == set()
    assert api_for(author).get("/api/v1/me/archive/").json()["results"] == []


def test_the_settings_page_asks_before_switching_off_and_can_delete_the_archive():
    author = archiving_author()
    story = ReadyStoryFactory(author=author)
    run_out(story)
    page = page_for(author)
    settings_page = page.get("/accounts/profile/")
    assert b"Keep my expired stories in a private archive" in settings_page.content

    asked = page.post("/archive/settings", {})
    assert asked.status_code == 200
    assert b"Delete the archive" in asked.content
    author.refresh_from_db()
    assert author.archive_stories is True  # nothing changed until they choose

    kept = page.post("/archive/settings", {"then": "keep"}, follow=True)
    assert b"stay until you delete them" in kept.content
    author.refresh_from_db()
    assert author.archive_stories is False
    assert Story.objects.filter(pk=story.pk, state=State.EXPIRED).exists()

    page.post("/archive/settings", {"then": "delete"})
    assert stored_files() == set()
    assert not Story.objects.filter(pk=story.pk, state=State.EXPIRED).exists()
    page.post("/archive/settings", {"archive_stories": "on"})
    author.refresh_from_db()
    assert author.archive_stories is True


def test_account_deletion_removes_archived_items_and_their_files():
    author = archiving_author()
    story = ReadyStoryFactory(author=author)
    run_out(story)
    assert privacy.account_purge(user_id=author.pk) is True
    assert not Story.objects.filter(pk=story.pk).exists()
    assert stored_files() == set()


def test_a_moderators_removal_takes_an_archived_item_out_and_the_purge_then_deletes_it():
    author = archiving_author()
    story = ReadyStoryFactory(author=author)
    run_out(story)
    moderator = UserFactory()
    moderation.moderator_add(person=moderator)
    Story.objects.filter(pk=story.pk).update(
        state=State.READY, expires_at=timezone.now() + timedelta(hours=1)
    )
    moderation.report_create(reporter=UserFactory(), target=story, reason="spam")
    Story.objects.filter(pk=story.pk).update(
        state=State.EXPIRED, expires_at=timezone.now() - timedelta(hours=1)
    )
    moderation.story_remove(story=story, by=moderator, reason="Spam")

    story.refresh_from_db()
    assert story.state == State.REMOVED
    assert api_for(author).get("/api/v1/me/archive/").json()["results"] == []
    assert page_for(author).get(f"/stories/{story.pk}/media").status_code == 404
    services.stories_purge()
    assert not Story.objects.filter(pk=story.pk).exists()
    assert stored_files() == set()


def test_on_s3_the_author_gets_a_link_that_lasts_minutes_not_the_expired_stories_second(s3_storage):
    """A presigned link never outlives a live story; an archived one has no expiry left, so its
    author's link lasts STORIES_MEDIA_URL_TTL, and nobody else gets one."""
    from tests.stories.test_s3_pipeline import presigned_lifetime

    author = archiving_author()
    story = ReadyStoryFactory(author=author)
    run_out(story)
    answer = page_for(author).get(f"/stories/{story.pk}/media")
    assert answer.status_code == 302
    assert 250 < presigned_lifetime(answer["Location"]) <= 300
    assert page_for(UserFactory()).get(f"/stories/{story.pk}/media").status_code == 404
