from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import Block, Follow
from stories.models import Audience
from tests.factories import UserFactory
from tests.stories.factories import MEDIA_BYTES, ReadyStoryFactory

pytestmark = pytest.mark.django_db


def media_url(story):
    return reverse("stories:media", args=[story.pk])


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_anyone_gets_a_public_story_with_the_determined_type(client):
    story = ReadyStoryFactory(media_content_type="video/mp4")
    response = client.get(media_url(story), HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert body(response) == MEDIA_BYTES
    assert response["Content-Type"] == "video/mp4"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(len(MEDIA_BYTES))


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=100-199", 100, 199),
        ("bytes=10000-", 10000, len(MEDIA_BYTES) - 1),
        ("bytes=-40", len(MEDIA_BYTES) - 40, len(MEDIA_BYTES) - 1),
        ("bytes=0-999999", 0, len(MEDIA_BYTES) - 1),
    ],
)
def test_range_requests_get_exactly_the_bytes_asked(client, header, start, end):
    story = ReadyStoryFactory()
    response = client.get(media_url(story), HTTP_RANGE=header)
    assert response.status_code == 206
    assert body(response) == MEDIA_BYTES[start : end + 1]
    assert response["Content-Range"] == f"bytes {start}-{end}/{len(MEDIA_BYTES)}"
    assert response["Content-Length"] == str(end - start + 1)


def test_unsatisfiable_range_is_416(client):
    story = ReadyStoryFactory()
    response = client.get(media_url(story), HTTP_RANGE=f"bytes={len(MEDIA_BYTES) + 5}-")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(MEDIA_BYTES)}"


def test_expired_story_media_is_gone_at_once_even_before_the_expiry_task(client):
    story = ReadyStoryFactory()
    assert client.get(media_url(story)).status_code == 200
    story.expires_at = timezone.now() - timedelta(seconds=1)
    story.save(update_fields=["expires_at"])
    assert client.get(media_url(story)).status_code == 404
    assert client.get(reverse("stories:poster", args=[story.pk])).status_code == 404


def test_followers_only_story(client):
    author = UserFactory()
    follower = UserFactory()
    stranger = UserFactory()
    Follow.objects.create(follower=follower, followee=author)
    story = ReadyStoryFactory(author=author, audience=Audience.FOLLOWERS)
    assert client.get(media_url(story)).status_code == 404
    client.force_login(stranger)
    assert client.get(media_url(story)).status_code == 404
    client.force_login(follower)
    assert client.get(media_url(story)).status_code == 200
    client.force_login(author)
    assert client.get(media_url(story)).status_code == 200


def test_friends_only_story_needs_mutual_follows(client):
    author = UserFactory()
    fan = UserFactory()
    friend = UserFactory()
    Follow.objects.create(follower=fan, followee=author)
    Follow.objects.create(follower=friend, followee=author)
    Follow.objects.create(follower=author, followee=friend)
    story = ReadyStoryFactory(author=author, audience=Audience.FRIENDS)
    client.force_login(fan)
    assert client.get(media_url(story)).status_code == 404
    client.force_login(friend)
    assert client.get(media_url(story)).status_code == 200


def test_token_auth_works_for_media(client):
    author = UserFactory()
    follower = UserFactory()
    Follow.objects.create(follower=follower, followee=author)
    story = ReadyStoryFactory(author=author, audience=Audience.FOLLOWERS)
    token = Token.objects.create(user=follower)
    assert client.get(media_url(story), HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
    assert client.get(media_url(story), HTTP_AUTHORIZATION="Token not-a-token").status_code == 404


def test_blocked_people_cannot_fetch_each_others_media(client):
    author = UserFactory()
    blocked = UserFactory()
    Block.objects.create(blocker=author, blocked=blocked)
    story = ReadyStoryFactory(author=author)
    client.force_login(blocked)
    assert client.get(media_url(story)).status_code == 404


def test_suspended_authors_media_vanishes(client):
    story = ReadyStoryFactory()
    story.author.suspended_until = timezone.now() + timedelta(days=3)
    story.author.save()
    assert client.get(media_url(story)).status_code == 404


def test_media_urls_are_not_guessable(client):
    story = ReadyStoryFactory()
    assert len(story.media.name.rsplit("/", 1)[-1]) >= 32
    assert str(story.pk) not in story.media.name


def test_download_is_for_the_author_unless_allowed(client):
    story = ReadyStoryFactory(allow_downloads=False)
    url = reverse("stories:download", args=[story.pk])
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(story.author)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert body(response) == MEDIA_BYTES


def test_download_allowed_for_others_through_the_api(client):
    story = ReadyStoryFactory(allow_downloads=True)
    client.force_login(UserFactory())
    response = client.get(reverse("api:story-download", args=[story.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert body(response) == MEDIA_BYTES


def test_missing_file_is_404_not_500(client):
    story = ReadyStoryFactory()
    default_storage.delete(story.media.name)
    assert client.get(media_url(story)).status_code == 404
