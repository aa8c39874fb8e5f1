"""Engagement endpoints per docs/api.md: shapes, statuses, visibility."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from feed import services
from feed.models import Comment, Like, StoryView
from stories.models import Audience
from tests.factories import BlockFactory, CommentFactory, FollowFactory, LiveStoryFactory, UserFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db


def url(story, action: str) -> str:
    return f"/api/v1/stories/{story.pk}/{action}/"


class TestLike:
    def test_like_201_then_200_and_unlike_204(self, as_viewer):
        story = LiveStoryFactory()
        response = as_viewer.post(url(story, "like"))
        assert response.status_code == 201
        assert response.json() == {"liked": True, "like_count": 1}
        assert as_viewer.post(url(story, "like")).json() == {"liked": True, "like_count": 1}
        assert as_viewer.delete(url(story, "like")).status_code == 204
        assert not Like.objects.exists()

    def test_liked_and_seen_by_me_on_the_story(self, as_viewer, viewer):
        story = LiveStoryFactory()
        detail = f"/api/v1/stories/{story.pk}/"
        assert as_viewer.get(detail).json()["liked_by_me"] is False
        assert as_viewer.get(detail).json()["seen_by_me"] is False
        as_viewer.post(url(story, "like"))
        as_viewer.post(url(story, "views"), {"completed": False}, format="json")
        body = as_viewer.get(detail).json()
        assert (body["liked_by_me"], body["seen_by_me"], body["like_count"]) == (True, True, 1)
        # Someone else's state is their own.
        other = client_for(UserFactory()).get(detail).json()
        assert (other["liked_by_me"], other["seen_by_me"]) == (False, False)
        listed = as_viewer.get(f"/api/v1/users/{story.author.username}/stories/").json()["results"]
        assert (listed[0]["liked_by_me"], listed[0]["seen_by_me"]) == (True, True)

    def test_signed_out_cannot_like(self, api_client):
        assert api_client.post(url(LiveStoryFactory(), "like")).status_code in (401, 403)


class TestComments:
    def test_list_oldest_first_with_the_documented_shape(self, as_viewer, viewer):
        story = LiveStoryFactory()
        first = CommentFactory(story=story, text="first")
        CommentFactory(story=story, author=viewer, text="second", created_at=first.created_at + timedelta(1))
        body = as_viewer.get(url(story, "comments")).json()
        assert body["next"] is None
        assert body["allow_comments"] is True
        assert [c["text"] for c in body["results"]] == ["first", "second"]
        assert [c["can_delete"] for c in body["results"]] == [False, True]
        assert set(body["results"][0]) == {"id", "author", "text", "created_at", "can_delete"}
        assert set(body["results"][0]["author"]) == {
            "id",
            "username",
            "display_name",
            "avatar_url",
            "has_active_story",
        }
        assert body["results"][0]["author"]["has_active_story"] is False
        assert body["results"][1]["author"]["has_active_story"] is False

    def test_the_story_author_may_delete_any(self):
        story = LiveStoryFactory()
        CommentFactory(story=story)
        body = client_for(story.author).get(url(story, "comments")).json()
        assert body["results"][0]["can_delete"] is True

    def test_post_and_bad_text(self, as_viewer):
        story = LiveStoryFactory()
        response = as_viewer.post(url(story, "comments"), {"text": "  nice <script>  "}, format="json")
        assert response.status_code == 201
        assert response.json()["text"] == "nice <script>"
        for bad in ({"text": "   "}, {"text": "y" * 501}, {}, {"text": ["a"]}):
            response = as_viewer.post(url(story, "comments"), bad, format="json")
            assert response.status_code == 400, bad
            assert isinstance(response.json()["errors"]["text"][0], str)
        assert Comment.objects.count() == 1

    def test_comments_off_hides_and_refuses(self, as_viewer):
        story = LiveStoryFactory(allow_comments=False)
        CommentFactory(story=story)
        body = as_viewer.get(url(story, "comments")).json()
        assert body == {"results": [], "next": None, "allow_comments": False}
        response = as_viewer.post(url(story, "comments"), {"text": "hi"}, format="json")
        assert response.status_code == 403
        assert response.json()["detail"] == "Comments are off for this story."

    def test_delete(self, as_viewer, viewer):
        story = LiveStoryFactory()
        mine = CommentFactory(story=story, author=viewer)
        theirs = CommentFactory(story=story)
        assert as_viewer.delete(f"/api/v1/comments/{theirs.pk}/").status_code == 403
        assert as_viewer.delete(f"/api/v1/comments/{mine.pk}/").status_code == 204
        assert as_viewer.delete(f"/api/v1/comments/{mine.pk}/").status_code == 404
        assert client_for(story.author).delete(f"/api/v1/comments/{theirs.pk}/").status_code == 204

    def test_comments_by_blocked_people_are_left_out(self, as_viewer, viewer):
        story = LiveStoryFactory()
        troll = UserFactory()
        CommentFactory(story=story, author=troll)
        BlockFactory(blocker=viewer, blocked=troll)
        assert as_viewer.get(url(story, "comments")).json()["results"] == []

    def test_pages_do_not_overlap(self, as_viewer):
        story = LiveStoryFactory()
        comments = [CommentFactory(story=story) for _ in range(5)]
        seen, link = [], url(story, "comments") + "?page_size=2"
        while link:
            body = as_viewer.get(link).json()
            seen += [c["id"] for c in body["results"]]
            link = body["next"]
        assert seen == [c.pk for c in comments]


class TestViewsAndShare:
    def test_views_204_idempotent_row(self, as_viewer, viewer):
        story = LiveStoryFactory()
        for completed in (False, True, False):
            assert (
                as_viewer.post(url(story, "views"), {"completed": completed}, format="json").status_code
                == 204
            )
        row = StoryView.objects.get(viewer=viewer)
        assert row.impressions == 1  # repeats within STORIES_VIEW_REPEAT_SECONDS: answered, not counted
        assert row.completed_at is not None

    def test_views_signed_out_and_bad_input(self, api_client):
        story = LiveStoryFactory()
        assert api_client.post(url(story, "views"), {}, format="json").status_code == 204
        assert api_client.post(url(story, "views"), {"completed": "maybe"}, format="json").status_code == 400

    def test_share(self, as_viewer):
        story = LiveStoryFactory()
        body = as_viewer.post(url(story, "share")).json()
        assert body == {"url": f"http://testserver/stories/{story.pk}/", "share_count": 1}
        assert as_viewer.post(url(story, "share")).json()["share_count"] == 1  # once per person

    def test_who_viewed_is_not_in_any_answer(self, as_viewer):
        story = LiveStoryFactory()
        as_viewer.post(url(story, "views"), {"completed": True}, format="json")
        body = client_for(story.author).get(f"/api/v1/stories/{story.pk}/").json()
        assert "viewer" not in str(body)
        assert "views" not in body


def _hidden_stories(viewer):
    """Stories the viewer may not see, one per reason."""
    blocked_author = UserFactory()
    BlockFactory(blocker=blocked_author, blocked=viewer)
    blocker_of_author = UserFactory()
    BlockFactory(blocker=viewer, blocked=blocker_of_author)
    suspended = UserFactory(suspended_until=timezone.now() + timedelta(days=1))
    expired_at = timezone.now() - timedelta(hours=25)
    return {
        "they blocked you": LiveStoryFactory(author=blocked_author),
        "you blocked them": LiveStoryFactory(author=blocker_of_author),
        "followers only": LiveStoryFactory(audience=Audience.FOLLOWERS),
        "friends only": LiveStoryFactory(audience=Audience.FRIENDS),
        "expired": LiveStoryFactory(published_at=expired_at),
        "not ready": LiveStoryFactory(state="processing"),
        "author suspended": LiveStoryFactory(author=suspended),
    }


def test_every_endpoint_answers_404_for_stories_you_may_not_see(as_viewer, viewer):
    hidden = _hidden_stories(viewer)
    # A one-way follow is not friendship: the friends-only story stays hidden.
    FollowFactory(follower=viewer, followee=hidden["friends only"].author)
    for reason, story in hidden.items():
        comment = Comment.objects.create(story=story, author=story.author, text="hidden")
        calls = {
            "like": as_viewer.post(url(story, "like")),
            "unlike": as_viewer.delete(url(story, "like")),
            "comments": as_viewer.get(url(story, "comments")),
            "comment": as_viewer.post(url(story, "comments"), {"text": "x"}, format="json"),
            "views": as_viewer.post(url(story, "views"), {"completed": True}, format="json"),
            "share": as_viewer.post(url(story, "share")),
            "delete comment": as_viewer.delete(f"/api/v1/comments/{comment.pk}/"),
        }
        assert {name: r.status_code for name, r in calls.items()} == dict.fromkeys(calls, 404), reason
    assert not Like.objects.exists()
    assert not StoryView.objects.exists()
    assert Comment.objects.count() == len(hidden)


def test_followers_only_story_opens_once_you_follow(as_viewer, viewer):
    story = LiveStoryFactory(audience=Audience.FOLLOWERS)
    assert as_viewer.post(url(story, "like")).status_code == 404
    FollowFactory(follower=viewer, followee=story.author)
    assert as_viewer.post(url(story, "like")).status_code == 201


def test_suspended_session_gets_a_plain_403(viewer):
    story = LiveStoryFactory()
    client = client_for(viewer)
    viewer.suspended_until = timezone.now() + timedelta(days=1)
    viewer.save()
    response = client.post(url(story, "comments"), {"text": "hi"}, format="json")
    assert response.status_code in (401, 403)
    assert not services.Comment.objects.exists()
