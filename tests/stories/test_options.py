"""A story's options are declared once (stories/options.py, issue 15 item 2): the upload's fields
and schema, the one check, the saved row, the edit, the story JSON and the pages' limits all read
that declaration; other apps add theirs through stories/attachments.py."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from stories import attachments, options, services
from stories.attachments import Attachment
from stories.lifecycle import State
from stories.models import Story
from stories.options import Option
from stories.serializers import STORY_FIELDS, StoryCreateSerializer
from stories.services.editing import EDITABLE_FIELDS, PUBLISH_AT
from tests.clients import api_for, page_for
from tests.factories import UserFactory
from tests.stories.factories import ReadyStoryFactory

pytestmark = pytest.mark.django_db


def photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (90, 160), (40, 90, 200)).save(buffer, format="JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def json_script(html: str, element_id: str):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, element_id
    return json.loads(match.group(1))


def test_the_upload_takes_the_declared_options_in_order():
    names = [option.name for option in options.story_options()]
    assert list(StoryCreateSerializer().fields) == ["media", *names]
    # The stickers app plugs its own in between the story's look and its settings.
    assert names.index("overlays") < names.index("stickers") < names.index("allow_comments")


def test_the_serializer_reads_types_and_the_declaration_checks_values_once():
    """Caption, alt text, audience, filter and trim were checked by both, in different words."""
    data = {
        "media": photo(),
        "caption": "x" * 501,
        "audience": "nobody",
        "filter": "nope",
        "trim_start": "-1",
    }
    assert StoryCreateSerializer(data=data).is_valid(), "no value check in the serializer"
    data["media"] = photo()
    answer = api_for(UserFactory()).post("/api/v1/stories/", data, format="multipart")
    assert answer.status_code == 400
    errors = answer.json()["errors"]
    assert errors["caption"] == ["The caption can be at most 500 characters."]
    assert errors["audience"] == ["Audience must be everyone, followers or friends."]
    assert errors["filter"][0].startswith("Unknown filter.")
    assert errors["trim_start"] == ["Trim start must be a number of seconds, 0 or more."]
    assert not Story.objects.exists()


def test_a_type_the_serializer_cannot_read_is_still_refused_there():
    answer = api_for(UserFactory()).post(
        "/api/v1/stories/", {"media": photo(), "trim_start": "soon"}, format="multipart"
    )
    assert answer.status_code == 400
    assert set(answer.json()["errors"]) == {"trim_start"}


def test_editable_and_json_options_come_from_the_declaration():
    assert EDITABLE_FIELDS == (
        "caption",
        "alt_text",
        "audience",
        "allow_comments",
        "allow_downloads",
        "allow_replies",
    )
    assert PUBLISH_AT == "publish_at"
    # The edit reads and writes an editable option under its own name (the page, PATCH, the row).
    editable = options.options_named(names=[*EDITABLE_FIELDS, PUBLISH_AT])
    assert all(option.story_field == option.name for option in editable)
    shown = {option.name for option in options.options_in_json()}
    assert shown <= set(STORY_FIELDS)
    story = ReadyStoryFactory(filter_name="mono", lifetime_hours=6)
    body = api_for(story.author).get(f"/api/v1/stories/{story.pk}/").json()
    assert list(body) == STORY_FIELDS
    assert (body["filter"], body["lifetime_hours"]) == ("mono", 6)


def test_unknown_options_are_a_programming_error():
    with pytest.raises(TypeError, match="filter_name"):
        services.story_options_clean(author=UserFactory(), filter_name="mono")


def test_the_pages_get_the_declared_limits_as_json():
    author = UserFactory()
    create = json_script(page_for(author).get("/stories/create/").text, "editor-context")
    assert create["option_limits"] == {
        "caption": {"max_length": options.MAX_CAPTION_LENGTH},
        "alt_text": {"max_length": options.MAX_ALT_TEXT_LENGTH},
        "trim_start": {"min": 0},
    }
    story = ReadyStoryFactory(author=author)
    edit = json_script(page_for(author).get(f"/stories/{story.pk}/edit/").text, "edit-context")
    assert edit["option_limits"] == {name: create["option_limits"][name] for name in ("caption", "alt_text")}
    assert edit["schedule"]["max_ahead_seconds"] == 7 * 24 * 3600


# --- The extension point -------------------------------------------------------------------------


@pytest.fixture
def tagged():
    """A throwaway attachment with one option, registered as an app's ready() would."""
    calls: dict[str, list] = {"create": [], "announce": []}

    def clean(value, author):
        if value not in ("", "red", "blue"):
            raise ValidationError("Pick red or blue.")
        return value

    attachment = Attachment(
        name="tag",
        options=(Option("tag", "text", "", clean),),
        create=lambda story, cleaned: calls["create"].append((story.pk, dict(cleaned))),
        announce=lambda story: calls["announce"].append(story.pk) or 1,
    )
    before = dict(attachments._registered)
    attachments.attachment_register(attachment)
    yield calls
    attachments._registered.clear()
    attachments._registered.update(before)


def test_an_attachment_adds_an_option_checked_with_the_rest(tagged):
    author = UserFactory()
    assert "tag" in StoryCreateSerializer().fields
    with pytest.raises(ValidationError) as refused:
        services.story_options_clean(author=author, caption="x" * 501, tag="green")
    assert refused.value.message_dict == {
        "caption": ["The caption can be at most 500 characters."],
        "tag": ["Pick red or blue."],
    }
    cleaned = services.story_options_clean(author=author, tag="red")
    story = services.story_create(author=author, upload=photo(), options=cleaned, enqueue=False)
    assert tagged["create"] == [(story.pk, {"tag": "red"})]


def test_an_attachment_is_announced_once_when_the_story_goes_live(tagged):
    from datetime import timedelta

    from django.utils import timezone

    author = UserFactory()
    cleaned = services.story_options_clean(author=author, publish_at=timezone.now() + timedelta(hours=1))
    story = services.story_create(author=author, upload=photo(), options=cleaned, enqueue=False)
    services.story_process(story_id=story.pk)
    story.refresh_from_db()
    assert story.state == State.SCHEDULED
    assert tagged["announce"] == []
    later = timezone.now() + timedelta(hours=2)
    assert services.story_publish_due(story_id=story.pk, now=later)
    assert not services.story_publish_due(story_id=story.pk, now=later)  # the other racer: nothing twice
    assert tagged["announce"] == [story.pk]
