"""The S3 path for real: a story processed with default_storage on a moto server on loopback."""

import time
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from stories.models import Story
from stories.renditions import rendition_name
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def presigned_lifetime(url: str) -> float:
    """Seconds a presigned URL stays valid, for SigV4 (X-Amz-Expires) or SigV2 (Expires=epoch)."""
    query = parse_qs(urlsplit(url).query)
    if "X-Amz-Expires" in query:
        return int(query["X-Amz-Expires"][0])
    return int(query["Expires"][0]) - time.time()


def bucket_keys(s3) -> set[str]:
    listed = s3.client.list_objects_v2(Bucket=s3.bucket)
    return {item["Key"] for item in listed.get("Contents", [])}


def test_story_on_s3_is_private_presigned_and_deleted(s3_storage, h264_clip):
    author = UserFactory()
    api = APIClient()
    api.force_authenticate(author)
    with h264_clip.open("rb") as handle:
        response = api.post(reverse("api:story-list"), {"media": handle}, format="multipart")
    assert response.status_code == 201, response.content
    story = Story.objects.get(pk=response.json()["id"])
    # The clip, its poster and the poster's sized copies for the pages (made once it is ready).
    assert story.rendition_widths, "the poster's renditions were made"
    renditions = {rendition_name(story.poster.name, width) for width in story.rendition_widths}
    assert bucket_keys(s3_storage) == {story.media.name, story.poster.name, *renditions}
    head = s3_storage.client.head_object(Bucket=s3_storage.bucket, Key=story.media.name)
    assert head["ContentType"] == "video/mp4"

    # The media endpoint checks the viewer, then redirects to a short-lived presigned URL.
    redirect = api.get(reverse("stories:media", args=[story.pk]))
    assert redirect.status_code == 302
    assert 0 < presigned_lifetime(redirect["Location"]) <= 300
    with urllib.request.urlopen(redirect["Location"], timeout=10) as fetched:
        assert fetched.read(12)[4:8] == b"ftyp"
    # Without a signature the object is refused.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(
            f"{s3_storage.endpoint_url}/{s3_storage.bucket}/{story.media.name}", timeout=10
        )
    assert refused.value.code == 403

    assert api.delete(reverse("api:story-detail", args=[story.pk])).status_code == 204
    assert bucket_keys(s3_storage) == set()
    assert api.get(reverse("stories:media", args=[story.pk])).status_code == 404


def test_presigned_url_never_outlives_the_story(s3_storage, h264_clip):
    from datetime import timedelta

    from django.utils import timezone

    author = UserFactory()
    api = APIClient()
    api.force_authenticate(author)
    with h264_clip.open("rb") as handle:
        story_id = api.post(reverse("api:story-list"), {"media": handle}, format="multipart").json()["id"]
    Story.objects.filter(pk=story_id).update(expires_at=timezone.now() + timedelta(seconds=42))
    redirect = api.get(reverse("stories:media", args=[story_id]))
    assert 0 < presigned_lifetime(redirect["Location"]) <= 42
