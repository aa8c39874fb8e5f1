"""Fuzzing (Hypothesis) of the inputs that used to answer 500: cursors and JSON.

Any cursor on any list, any JSON body, any JSON in the upload's `stickers` and `overlays`
fields, however deep, big or oddly typed: the answer is a 2xx or a 4xx in the one error shape,
never a 5xx. Derandomized (the same examples on every run) and bounded, so it takes seconds.
"""

from __future__ import annotations

import base64
import contextlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from stickers.models import Sticker, StickerType
from stories_site import cursors, safejson
from tests.factories import CommentFactory, FollowFactory, LiveStoryFactory, UserFactory

pytestmark = pytest.mark.django_db

FUZZ = hypothesis_settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

EXTREMES = st.sampled_from([10**30, -(10**30), 2**63, 2**63 - 1, -(2**63), 1e30, -1e308, 0.5, "1e400", "NaN"])
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40) | EXTREMES
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=8), inner, max_size=6),
    max_leaves=25,
)


def _encode(payload: object) -> str:
    raw = json.dumps(payload, allow_nan=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@st.composite
def feed_cursors(draw) -> str:
    """Cursors shaped like the feeds' and the lists' own, with any values in them."""
    kind = draw(st.sampled_from(["for-you", "following", "tray", "list:-created_at", "list:username", "x"]))
    payload = {"k": kind}
    for key in draw(st.sets(st.sampled_from(["t", "p", "x", "a", "r", "o"]))):
        if key == "p":
            payload[key] = draw(st.lists(SCALARS, min_size=1, max_size=6) | JSON)
        elif key == "t":
            payload[key] = draw(st.integers(-(2**70), 2**70) | SCALARS)
        else:
            payload[key] = draw(JSON)
    return _encode(payload)


ANY_CURSOR = feed_cursors() | st.text(max_size=200) | JSON.map(_encode)


def nested(depth: int, opener: str) -> str:
    closer = {"[": "]", '{"a":': "}"}[opener]
    return opener * depth + "1" + closer * depth


DEEP = st.builds(nested, st.integers(1, 60_000), st.sampled_from(["[", '{"a":']))


def assert_not_a_server_error(response) -> None:
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        body = json.loads(response.content)
        assert isinstance(body["detail"], str), body
        assert set(body) <= {"detail", "errors"}, body


@pytest.fixture
def world():
    viewer = UserFactory(username="viewer")
    ada = UserFactory(username="ada")
    FollowFactory(follower=viewer, followee=ada)
    story = LiveStoryFactory(author=ada)
    CommentFactory(story=story)
    poll = Sticker.objects.create(
        story=story, type=StickerType.POLL, data={"question": "Tea?", "options": ["Tea", "Coffee"]}
    )
    client = APIClient()
    client.force_authenticate(viewer)
    return {"client": client, "story": story, "poll": poll}


LISTS = [
    "/api/v1/feed/for-you/",
    "/api/v1/feed/following/",
    "/api/v1/feed/tray/",
    "/api/v1/stories/{story}/comments/",
    "/api/v1/notifications/",
    "/api/v1/users/ada/followers/",
    "/api/v1/users/?search=a",
    "/api/v1/me/stories/",
    "/api/v1/sounds/",
]


@pytest.mark.parametrize("path", LISTS)
def test_any_cursor_on_any_list_is_never_a_server_error(world, path):
    path = path.format(story=world["story"].pk)

    @FUZZ
    @given(cursor=ANY_CURSOR, anonymous=st.booleans())
    def check(cursor: str, anonymous: bool) -> None:
        client = APIClient() if anonymous else world["client"]
        response = client.get(path, {"cursor": cursor})
        assert_not_a_server_error(response)

    check()


@FUZZ
@given(data=st.data())
def test_cursor_readers_refuse_with_invalid_cursor_only(data):
    """The codec's readers raise InvalidCursor (400) or return the checked value, nothing else."""
    reader = data.draw(
        st.sampled_from(
            [
                lambda v: cursors.integer(v),
                lambda v: cursors.number(v),
                lambda v: cursors.uuid_hex(v),
                lambda v: cursors.moment(v),
                lambda v: cursors.uuid_list(v, 60),
                lambda v: cursors.items(v, 3),
                lambda v: cursors.decode(v, "tray") if isinstance(v, str) else None,
            ]
        )
    )
    value = data.draw(JSON | st.text())
    with contextlib.suppress(cursors.InvalidCursor):  # anything else fails the test
        reader(value)


@FUZZ
@given(text=st.text() | DEEP | JSON.map(lambda v: json.dumps(v, allow_nan=True)))
def test_safejson_refuses_with_invalid_json_only(text):
    try:
        value = safejson.loads(text)
    except safejson.InvalidJSON:
        return
    assert safejson.depth(value) <= safejson.MAX_DEPTH


@FUZZ
@given(body=DEEP | JSON.map(lambda v: json.dumps(v, allow_nan=True)), anonymous=st.booleans())
def test_any_json_body_is_never_a_server_error(world, body, anonymous):
    client = APIClient() if anonymous else world["client"]
    for path in (
        "/api/v1/auth/token/",
        f"/api/v1/stories/{world['story'].pk}/comments/",
        f"/api/v1/stories/{world['story'].pk}/views/",
        f"/api/v1/stickers/{world['poll'].pk}/vote/",
        "/api/v1/users/ada/follow/",
    ):
        assert_not_a_server_error(client.post(path, body, content_type="application/json"))


@FUZZ
@given(
    field=st.sampled_from(["stickers", "overlays"]),
    value=DEEP | JSON.map(lambda v: json.dumps(v, allow_nan=True)) | st.text(max_size=50),
)
def test_any_json_in_the_upload_fields_is_never_a_server_error(world, settings, tmp_path, field, value):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("clip.mp4", b"\x00" * 64, content_type="video/mp4")
    response = world["client"].post("/api/v1/stories/", {"media": upload, field: value}, format="multipart")
    assert_not_a_server_error(response)
    assert response.status_code == 400  # the bytes are no video, whatever the field held
