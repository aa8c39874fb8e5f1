"""Poster renditions (issue #18, goal 4): sized WebP copies of each story's poster or photo, made
by real ffmpeg and Pillow on generated media, served behind the poster's gate, and deleted with
the story. stories/renditions.py says what they are; stories/services/renditions.py makes them."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from stories import services
from stories.media import make_renditions
from stories.models import Story
from stories.renditions import rendition_name
from stories_site.dev import synth
from tests.browser import post_story
from tests.factories import UserFactory
from tests.media_fixtures import _video
from tests.stories.storage import stored_files

pytestmark = pytest.mark.django_db

# A full-size portrait phone clip, short and silent so it stays cheap.
tall_clip = _video("tall.mp4", seconds=0.5, width=1080, height=1920, audio=False)

FULL_SIZES = {240: (240, 427), 360: (360, 640), 540: (540, 960), 810: (810, 1440), 1080: (1080, 1920)}


def read_image(name: str) -> Image.Image:
    with default_storage.open(name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


@pytest.fixture
def author():
    return UserFactory()


def test_media_makes_webp_renditions_of_each_box_width(tmp_path):
    source = synth.make_photo(tmp_path / "poster.jpg", width=1080, height=1920, colour="#336699")
    made = make_renditions(source, tmp_path)
    assert [(r.box_width, r.width, r.height) for r in made] == [(w, *FULL_SIZES[w]) for w in FULL_SIZES]
    for rendition in made:
        with Image.open(rendition.path) as image:
            assert image.format == "WEBP"
            assert image.size == (rendition.width, rendition.height)
        assert rendition.content_type == "image/webp"
    # Each is smaller than the JPEG it was made from, the largest too (same size, WebP).
    assert all(r.path.stat().st_size < source.stat().st_size for r in made)


def test_media_covers_the_box_for_landscape_pictures_and_never_enlarges(tmp_path):
    landscape = synth.make_photo(tmp_path / "wide.jpg", width=1920, height=1080)
    made = {r.box_width: (r.width, r.height) for r in make_renditions(landscape, tmp_path)}
    # Filling a 9:16 box 240 wide takes 427 pixels of height: the width follows the shape. The
    # 810 box would need 1440: the picture comes at its own size for it, and 1080 is not made.
    assert made == {240: (759, 427), 360: (1138, 640), 540: (1707, 960), 810: (1920, 1080)}
    small = synth.make_photo(tmp_path / "small.jpg", width=300, height=533)
    made = {r.box_width: (r.width, r.height) for r in make_renditions(small, tmp_path)}
    assert made == {240: (240, 427), 360: (300, 533)}


def test_a_processed_clip_gets_renditions_beside_its_poster(author, tall_clip):
    story = post_story(author, tall_clip)
    assert story.rendition_widths == list(FULL_SIZES)
    for width, size in FULL_SIZES.items():
        name = rendition_name(story.poster.name, width)
        image = read_image(name)
        assert (image.format, image.size) == ("WEBP", size)
    expected = {story.media.name, story.poster.name}
    expected |= {rendition_name(story.poster.name, w) for w in FULL_SIZES}
    assert stored_files() == expected


def test_a_photo_story_gets_renditions_of_the_photo(author, tmp_path):
    photo = synth.make_photo(tmp_path / "photo.jpg", width=720, height=1280, colour="#aa3344")
    story = post_story(author, photo)
    assert not story.poster
    assert story.rendition_widths == [240, 360, 540, 810]  # 810: the 720x1280 photo as it is
    assert read_image(rendition_name(story.media.name, 540)).size == (540, 960)
    assert read_image(rendition_name(story.media.name, 810)).size == (720, 1280)


def test_the_poster_endpoint_serves_the_rendition_that_covers_the_width(author, tall_clip):
    story = post_story(author, tall_clip)
    client = APIClient()
    client.force_authenticate(author)
    url = reverse("stories:poster", args=[story.pk])
    for wanted, size in ((360, (360, 640)), (300, (360, 640)), (700, (810, 1440)), (5000, (1080, 1920))):
        response = client.get(f"{url}?w={wanted}")
        body = b"".join(response.streaming_content)
        assert (response.status_code, response["Content-Type"]) == (200, "image/webp"), wanted
        assert Image.open(io.BytesIO(body)).size == size
    # No width, or nonsense: the poster itself, as before renditions.
    for query in ("", "?w=", "?w=abc", "?w=-5", "?w=" + "9" * 5000):
        response = client.get(url + query)
        assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg"), query


def test_a_story_without_renditions_answers_every_width_with_its_poster(author, tall_clip):
    story = post_story(author, tall_clip)
    Story.objects.filter(pk=story.pk).update(rendition_widths=[])  # as a story made before them
    client = APIClient()
    client.force_authenticate(author)
    response = client.get(reverse("stories:poster", args=[story.pk]) + "?w=360")
    assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")


def test_renditions_are_behind_the_same_gate_as_the_poster(author, tall_clip):
    story = post_story(author, tall_clip, audience="followers")
    stranger = APIClient()
    stranger.force_authenticate(UserFactory())
    url = reverse("stories:poster", args=[story.pk])
    assert stranger.get(url).status_code == 404
    assert stranger.get(url + "?w=360").status_code == 404
    Story.objects.filter(pk=story.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    owner = APIClient()
    owner.force_authenticate(author)
    assert owner.get(url + "?w=360").status_code == 404


def test_renditions_go_with_the_story_when_deleted_and_when_purged(author, tall_clip):
    deleted = post_story(author, tall_clip)
    expired = post_story(author, tall_clip)
    assert len(stored_files()) == 2 * (2 + len(FULL_SIZES))
    services.story_delete(story=deleted, by=author)
    Story.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    services.stories_expire_due()
    services.stories_purge()
    assert stored_files() == set()


def test_the_reconciler_keeps_renditions_of_a_live_poster_and_takes_orphaned_ones(author, tall_clip):
    story = post_story(author, tall_clip)
    orphan = rendition_name("posters/2020/01/01/gone.jpg", 360)
    default_storage.save(orphan, io.BytesIO(b"RIFF"))
    report = services.storage_reconcile(delete=True, grace=timedelta(0))
    assert [item.name for item in report.orphans] == [orphan]
    assert rendition_name(story.poster.name, 360) in stored_files()


def test_the_backfill_command_makes_renditions_for_older_stories(author, tall_clip):
    story = post_story(author, tall_clip)
    for width in FULL_SIZES:
        default_storage.delete(rendition_name(story.poster.name, width))
    Story.objects.filter(pk=story.pk).update(rendition_widths=[])
    out = io.StringIO()
    call_command("make_renditions", stdout=out)
    assert "Renditions made for 1 stories" in out.getvalue()
    story.refresh_from_db()
    assert story.rendition_widths == list(FULL_SIZES)
    assert read_image(rendition_name(story.poster.name, 240)).size == (240, 427)
    call_command("make_renditions", stdout=out)  # nothing left to do
    assert "Renditions made for 0 stories" in out.getvalue()


def test_home_cards_name_the_renditions_and_load_lazily_below_the_fold(author, tall_clip, client):
    stories = [post_story(author, tall_clip) for _ in range(3)]
    html = client.get(reverse("feed:home")).content.decode()
    images = re.findall(r"<img [^>]*srcset=[^>]*>", html)
    assert len(images) == len(stories)
    for position, tag in enumerate(images):
        assert "?w=240 240w" in tag
        assert "?w=1080 1080w" in tag
        assert 'sizes="' in tag
        assert 'width="1080" height="1920"' in tag
        assert ('loading="lazy"' in tag) == (position >= 2), tag
        assert ('decoding="async"' in tag) == (position >= 2), tag
        assert ('fetchpriority="high"' in tag) == (position == 0), tag
