"""Highlights through the API (issue 17 item 5): made from the author's own live stories in the
order given, renamed and reordered, deleted; and each item shown with its story's audience and
blocks: a follower sees followers-only items, a stranger does not, a blocked person sees none."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from stories import services
from stories.lifecycle import State
from stories.models import Audience, Highlight, HighlightItem, Story
from tests.clients import api_for as client_for
from tests.factories import BlockFactory, FollowFactory, UserFactory
from tests.stories.factories import ReadyStoryFactory

pytestmark = pytest.mark.django_db


def ids(body) -> list[str]:
    return [story["id"] for story in body["stories"]]


@pytest.fixture
def ada():
    return UserFactory(username="ada")


@pytest.fixture
def three(ada):
    """Three live items of Ada's, oldest first."""
    now = timezone.now()
    return [
        ReadyStoryFactory(
            author=ada, published_at=now - timedelta(hours=3 - i), created_at=now - timedelta(hours=3 - i)
        )
        for i in range(3)
    ]


def create(user, title, stories):
    return client_for(user).post(
        "/api/v1/highlights/", {"title": title, "stories": [str(s.pk) for s in stories]}, format="json"
    )


# --- Making one -----------------------------------------------------------------------------


def test_create_from_own_live_stories_keeps_the_order_given(ada, three):
    order = [three[2], three[0], three[1]]
    answer = create(ada, "  Summer   trip ", order)
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["title"] == "Summer trip"
    assert ids(body) == [str(s.pk) for s in order]
    assert body["cover_url"].endswith(f"/stories/{order[0].pk}/poster")
    highlight = Highlight.objects.get(pk=body["id"])
    assert highlight.owner == ada
    assert list(highlight.items.order_by("position").values_list("story_id", flat=True)) == [
        s.pk for s in order
    ]


def test_a_second_highlight_comes_after_the_first(ada, three):
    first = create(ada, "One", three[:1]).json()
    second = create(ada, "Two", three[1:]).json()
    listed = client_for(ada).get("/api/v1/users/ada/highlights/").json()["results"]
    assert [h["id"] for h in listed] == [first["id"], second["id"]]


def test_someone_elses_story_is_refused_and_nothing_is_made(ada, three):
    other = ReadyStoryFactory()
    answer = create(ada, "Mixed", [three[0], other])
    assert answer.status_code == 400
    assert answer.json()["errors"]["stories"] == [services.highlights.NOT_YOURS]
    assert not Highlight.objects.exists()


@pytest.mark.parametrize("how", ["past expiry", "expired state", "deleted", "processing"])
def test_a_story_that_is_neither_live_nor_archived_is_refused(ada, how):
    now = timezone.now()
    if how == "past expiry":
        story = ReadyStoryFactory(author=ada, published_at=now - timedelta(hours=30))
    elif how == "expired state":
        story = ReadyStoryFactory(author=ada, state=State.EXPIRED, published_at=now - timedelta(hours=30))
    elif how == "deleted":
        story = ReadyStoryFactory(author=ada, state=State.DELETED)
    else:
        story = ReadyStoryFactory(author=ada, state=State.PROCESSING)
    answer = create(ada, "Old", [story])
    assert answer.status_code == 400
    assert "stories" in answer.json()["errors"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"stories": "FIRST"}, "title"),
        ({"title": "", "stories": "FIRST"}, "title"),
        ({"title": "x" * 41, "stories": "FIRST"}, "title"),
        ({"title": "Empty", "stories": []}, "stories"),
        ({"title": "None"}, "stories"),
        ({"title": "Twice", "stories": "TWICE"}, "stories"),
        ({"title": "Not a list", "stories": "abc"}, "stories"),
        ({"title": "Not ids", "stories": ["not-a-uuid"]}, "stories"),
        ({"title": "Numbers", "stories": [1, 2]}, "stories"),
        ({"title": 7, "stories": "FIRST"}, "title"),
    ],
)
def test_bad_input_is_a_plain_400(ada, three, body, field):
    first = str(three[0].pk)
    body = dict(body)
    if body.get("stories") == "FIRST":
        body["stories"] = [first]
    elif body.get("stories") == "TWICE":
        body["stories"] = [first, first]
    answer = client_for(ada).post("/api/v1/highlights/", body, format="json")
    assert answer.status_code == 400, answer.content
    assert field in answer.json()["errors"]
    assert answer.json()["detail"]


def test_a_body_that_is_not_an_object_is_a_400(ada):
    answer = client_for(ada).post("/api/v1/highlights/", [1, 2], format="json")
    assert answer.status_code == 400
    assert answer.json()["detail"]


def test_signed_out_cannot_make_one(three):
    answer = client_for().post(
        "/api/v1/highlights/", {"title": "x", "stories": [str(three[0].pk)]}, format="json"
    )
    assert answer.status_code in (401, 403)
    assert not Highlight.objects.exists()


# --- Changing one ---------------------------------------------------------------------------


def test_patch_reorders_and_renames(ada, three):
    made = create(ada, "Trip", three).json()
    new_order = [str(three[1].pk), str(three[2].pk), str(three[0].pk)]
    answer = client_for(ada).patch(
        f"/api/v1/highlights/{made['id']}/", {"title": "Road trip", "stories": new_order}, format="json"
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["title"] == "Road trip"
    assert ids(answer.json()) == new_order
    listed = client_for().get("/api/v1/users/ada/highlights/").json()["results"]
    assert [h["title"] for h in listed] == ["Road trip"]
    assert ids(listed[0]) == new_order


def test_patch_only_the_title_keeps_the_stories(ada, three):
    made = create(ada, "Trip", three).json()
    answer = client_for(ada).patch(f"/api/v1/highlights/{made['id']}/", {"title": "Renamed"}, format="json")
    assert answer.status_code == 200
    assert ids(answer.json()) == ids(made)


def test_patch_refuses_another_persons_story(ada, three):
    made = create(ada, "Trip", three[:1]).json()
    answer = client_for(ada).patch(
        f"/api/v1/highlights/{made['id']}/", {"stories": [str(ReadyStoryFactory().pk)]}, format="json"
    )
    assert answer.status_code == 400
    assert ids(client_for(ada).get("/api/v1/users/ada/highlights/").json()["results"][0]) == [
        str(three[0].pk)
    ]


def test_the_cover_item_must_be_in_the_highlight(ada, three):
    made = create(ada, "Trip", three[:2]).json()
    url = f"/api/v1/highlights/{made['id']}/"
    answer = client_for(ada).patch(url, {"cover_story": str(three[1].pk)}, format="json")
    assert answer.status_code == 200
    assert answer.json()["cover_url"].endswith(f"/stories/{three[1].pk}/poster")
    assert answer.json()["cover_story"] == str(three[1].pk)
    outside = client_for(ada).patch(url, {"cover_story": str(three[2].pk)}, format="json")
    assert outside.status_code == 400
    assert "cover_story" in outside.json()["errors"]
    # Leaving the cover item out of the highlight puts the first item's poster back.
    answer = client_for(ada).patch(url, {"stories": [str(three[0].pk)]}, format="json")
    assert answer.json()["cover_story"] is None
    assert answer.json()["cover_url"].endswith(f"/stories/{three[0].pk}/poster")


def test_someone_else_cannot_change_or_delete_it(ada, three):
    made = create(ada, "Trip", three).json()
    mallory = client_for(UserFactory())
    assert (
        mallory.patch(f"/api/v1/highlights/{made['id']}/", {"title": "Mine"}, format="json").status_code
        == 404
    )
    assert mallory.delete(f"/api/v1/highlights/{made['id']}/").status_code == 404
    assert Highlight.objects.get(pk=made["id"]).title == "Trip"


def test_delete_is_204_and_the_stories_stay(ada, three):
    made = create(ada, "Trip", three).json()
    answer = client_for(ada).delete(f"/api/v1/highlights/{made['id']}/")
    assert answer.status_code == 204
    assert not Highlight.objects.exists()
    assert not HighlightItem.objects.exists()
    assert Story.objects.filter(author=ada, state=State.READY).count() == 3
    assert client_for(ada).delete(f"/api/v1/highlights/{made['id']}/").status_code == 404


def test_a_deleted_story_leaves_the_highlight(ada, three):
    made = create(ada, "Trip", three).json()
    services.story_delete(story=three[1], by=ada)
    listed = client_for().get("/api/v1/users/ada/highlights/").json()["results"]
    assert ids(listed[0]) == [str(three[0].pk), str(three[2].pk)]
    services.stories_purge()
    assert list(HighlightItem.objects.filter(highlight_id=made["id"]).values_list("story_id", flat=True)) == [
        three[0].pk,
        three[2].pk,
    ]


def test_highlights_can_be_put_in_a_new_order(ada, three):
    first = create(ada, "One", three[:1]).json()["id"]
    second = create(ada, "Two", three[1:2]).json()["id"]
    api = client_for(ada)
    answer = api.put("/api/v1/highlights/order/", {"highlights": [second, first]}, format="json")
    assert answer.status_code == 200
    listed = api.get("/api/v1/users/ada/highlights/").json()["results"]
    assert [h["id"] for h in listed] == [second, first]
    # Not all of them, or someone else's: refused.
    assert api.put("/api/v1/highlights/order/", {"highlights": [second]}, format="json").status_code == 400
    assert api.put("/api/v1/highlights/order/", {"highlights": "x"}, format="json").status_code == 400


# --- Who sees what --------------------------------------------------------------------------


@pytest.fixture
def audiences(ada):
    """One highlight of Ada's with an item for everyone, one for followers, one for friends."""
    stories = {
        audience: ReadyStoryFactory(author=ada, audience=audience)
        for audience in (Audience.EVERYONE, Audience.FOLLOWERS, Audience.FRIENDS)
    }
    made = create(ada, "Mixed", list(stories.values())).json()
    return made["id"], stories


def seen(viewer=None) -> list[str]:
    answer = client_for(viewer).get("/api/v1/users/ada/highlights/")
    assert answer.status_code == 200, answer.content
    results = answer.json()["results"]
    return ids(results[0]) if results else []


def test_a_follower_sees_followers_only_items(ada, audiences):
    _, stories = audiences
    follower = UserFactory()
    FollowFactory(follower=follower, followee=ada)
    assert seen(follower) == [str(stories[Audience.EVERYONE].pk), str(stories[Audience.FOLLOWERS].pk)]


def test_a_friend_sees_every_item(ada, audiences):
    _, stories = audiences
    friend = UserFactory()
    FollowFactory(follower=friend, followee=ada)
    FollowFactory(follower=ada, followee=friend)
    assert seen(friend) == [str(s.pk) for s in stories.values()]


def test_a_stranger_and_the_signed_out_see_only_public_items(ada, audiences):
    _, stories = audiences
    assert seen(UserFactory()) == [str(stories[Audience.EVERYONE].pk)]
    assert seen(None) == [str(stories[Audience.EVERYONE].pk)]


def test_the_owner_sees_every_item(ada, audiences):
    _, stories = audiences
    assert seen(ada) == [str(s.pk) for s in stories.values()]


@pytest.mark.parametrize("who_blocked", ["owner blocked them", "they blocked the owner"])
def test_a_blocked_person_sees_none(ada, audiences, who_blocked):
    highlight_id, stories = audiences
    other = UserFactory()
    FollowFactory(follower=other, followee=ada)
    if who_blocked == "owner blocked them":
        BlockFactory(blocker=ada, blocked=other)
    else:
        BlockFactory(blocker=other, blocked=ada)
    assert client_for(other).get("/api/v1/users/ada/highlights/").status_code == 404
    pages = Client()
    pages.force_login(other)
    assert pages.get(f"/stories/highlights/{highlight_id}/").status_code == 404
    assert pages.get(f"/stories/{stories[Audience.EVERYONE].pk}/media").status_code == 404


def test_a_highlight_with_nothing_for_the_viewer_is_left_out(ada):
    private = ReadyStoryFactory(author=ada, audience=Audience.FOLLOWERS)
    public = ReadyStoryFactory(author=ada)
    hidden = create(ada, "Followers", [private]).json()["id"]
    create(ada, "Public", [public])
    stranger = UserFactory()
    listed = client_for(stranger).get("/api/v1/users/ada/highlights/").json()["results"]
    assert [h["title"] for h in listed] == ["Public"]
    pages = Client()
    pages.force_login(stranger)
    assert pages.get(f"/stories/highlights/{hidden}/").status_code == 404


def test_a_suspended_owners_highlights_are_gone(ada, audiences):
    ada.suspended_until = timezone.now() + timedelta(days=3)
    ada.save()
    assert client_for(UserFactory()).get("/api/v1/users/ada/highlights/").status_code == 404


def test_expired_items_leave_a_highlight_without_the_archive(ada, three):
    create(ada, "Trip", three)
    Story.objects.filter(pk=three[0].pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert seen(None) == [str(three[1].pk), str(three[2].pk)]


# --- Pages ----------------------------------------------------------------------------------


def test_the_profile_shows_the_circles_the_viewer_may_open(ada, audiences):
    highlight_id, _ = audiences
    page = Client().get("/@ada")
    assert page.status_code == 200
    assert f'href="/stories/highlights/{highlight_id}/"'.encode() in page.content
    assert b"Mixed" in page.content


def test_the_player_page_plays_the_items_the_viewer_may_see(ada, audiences):
    highlight_id, stories = audiences
    page = Client().get(f"/stories/highlights/{highlight_id}/")
    assert page.status_code == 200
    items = page.context["items"]
    assert [item["id"] for item in items] == [str(stories[Audience.EVERYONE].pk)]
    assert f'data-highlight="{highlight_id}"'.encode() in page.content


def test_the_management_page_lists_own_highlights_and_stories(ada, three):
    create(ada, "Trip", three[:2])
    pages = Client()
    pages.force_login(ada)
    page = pages.get("/stories/highlights/")
    assert page.status_code == 200
    data = page.context["highlight_data"]
    assert [h["title"] for h in data["highlights"]] == ["Trip"]
    assert {s["id"] for s in data["stories"]} == {str(s.pk) for s in three}
    assert Client().get("/stories/highlights/").status_code == 302  # to the log-in page


# --- An uploaded cover ----------------------------------------------------------------------


def png(size=(64, 64), *, noise: bool = False) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    picture = Image.effect_noise(size, 80).convert("RGB") if noise else Image.new("RGB", size, (20, 160, 90))
    picture.save(buffer, format="PNG")
    return SimpleUploadedFile("cover.png", buffer.getvalue(), content_type="image/png")


def test_an_uploaded_cover_is_cleaned_by_the_worker_and_served_to_viewers(
    ada, three, django_capture_on_commit_callbacks
):
    made = create(ada, "Trip", three).json()
    api = client_for(ada)
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post(f"/api/v1/highlights/{made['id']}/cover/", {"image": png()}, format="multipart")
    assert answer.status_code == 202, answer.content
    highlight = Highlight.objects.get(pk=made["id"])
    assert highlight.cover_image
    assert not highlight.cover_pending
    body = api.get("/api/v1/users/ada/highlights/").json()["results"][0]
    assert body["cover_state"] == "ready"
    assert body["cover_url"].endswith(f"/stories/highlights/{made['id']}/cover")
    served = Client().get(f"/stories/highlights/{made['id']}/cover")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    content = b"".join(served.streaming_content)
    cover = Image.open(io.BytesIO(content))
    assert cover.format == "JPEG"
    assert cover.size == (64, 64)
    blocked = UserFactory()
    BlockFactory(blocker=ada, blocked=blocked)
    pages = Client()
    pages.force_login(blocked)
    assert pages.get(f"/stories/highlights/{made['id']}/cover").status_code == 404


def test_a_cover_that_is_not_a_photo_is_a_400(ada, three):
    made = create(ada, "Trip", three).json()
    text = SimpleUploadedFile("cover.png", b"not a picture at all", content_type="image/png")
    answer = client_for(ada).post(
        f"/api/v1/highlights/{made['id']}/cover/", {"image": text}, format="multipart"
    )
    assert answer.status_code == 400
    assert answer.json()["errors"]["image"]
    missing = client_for(ada).post(f"/api/v1/highlights/{made['id']}/cover/", {}, format="multipart")
    assert missing.status_code == 400


def test_a_cover_over_the_avatar_cap_is_a_413(ada, three, settings):
    settings.STORIES_MAX_AVATAR_BYTES = 1000
    made = create(ada, "Trip", three).json()
    answer = client_for(ada).post(
        f"/api/v1/highlights/{made['id']}/cover/", {"image": png((400, 400), noise=True)}, format="multipart"
    )
    assert answer.status_code == 413


# --- Archived items -------------------------------------------------------------------------


def archived(author, **fields):
    """An item that expired while its author's archive was on: kept, media and all."""
    past = timezone.now() - timedelta(days=3)
    return ReadyStoryFactory(
        author=author,
        state=State.EXPIRED,
        published_at=past,
        archived_at=past + timedelta(hours=24),
        **fields,
    )


def test_create_from_own_archived_and_live_stories(ada, three):
    old = archived(ada)
    answer = create(ada, "Then and now", [old, three[0]])
    assert answer.status_code == 201, answer.content
    assert ids(answer.json()) == [str(old.pk), str(three[0].pk)]


def test_someone_elses_archived_story_is_refused(ada):
    answer = create(ada, "Theirs", [archived(UserFactory())])
    assert answer.status_code == 400
    assert answer.json()["errors"]["stories"] == [services.highlights.NOT_YOURS]


def test_an_archived_item_plays_for_its_audience_only_while_a_highlight_holds_it(ada):
    kept = archived(ada, audience=Audience.FOLLOWERS)
    outside = archived(ada)
    follower = UserFactory()
    FollowFactory(follower=follower, followee=ada)
    pages = Client()
    pages.force_login(follower)
    # In no highlight, an archived item is its author's alone.
    assert pages.get(f"/stories/{kept.pk}/media").status_code == 404
    made = create(ada, "Kept", [kept]).json()
    assert seen(follower) == [str(kept.pk)]
    assert pages.get(f"/stories/{kept.pk}/media").status_code == 200
    assert pages.get(f"/stories/{outside.pk}/media").status_code == 404
    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.get(f"/stories/{kept.pk}/media").status_code == 404
    assert seen(None) == []
    # Out of the highlight again, it is private again.
    client_for(ada).delete(f"/api/v1/highlights/{made['id']}/")
    assert pages.get(f"/stories/{kept.pk}/media").status_code == 404


def test_the_purge_keeps_an_archived_item_and_its_place_in_the_highlight(ada, three):
    kept = archived(ada)
    create(ada, "Kept", [kept, three[0]])
    services.stories_purge()
    assert seen(None) == [str(kept.pk), str(three[0].pk)]
