"""Every API error is JSON in the one documented shape (docs/api.md, "Errors"), whatever raised
it: a serializer, a service, the URL router, Django's own handlers, a hostile body. Each test
here answered a 500 or an HTML page, or a different shape, before the shape was made one."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from stories_site import safejson
from tests.factories import LiveStoryFactory, UserFactory

pytestmark = pytest.mark.django_db

NESTED = "[" * 100_000 + "]" * 100_000  # a RecursionError (500) in json.loads before the limit


def signed_in(user=None) -> APIClient:
    client = APIClient()
    client.force_authenticate(user or UserFactory())
    return client


def assert_error(response, status: int, detail: str | None = None, fields: set[str] | None = None) -> dict:
    """The one shape: JSON {"detail": str} plus {"errors": {name: [str]}} for field errors."""
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert set(body) <= {"detail", "errors"}
    if detail is not None:
        assert body["detail"] == detail
    if fields is not None:
        assert set(body["errors"]) == fields
        assert all(isinstance(m, str) for messages in body["errors"].values() for m in messages)
        assert body["detail"] == next(iter(body["errors"].values()))[0]
    else:
        assert "errors" not in body
    return body


# --- Field errors and plain refusals --------------------------------------------------------------


def test_field_errors_name_each_field_and_detail_says_the_first():
    response = APIClient().post("/api/v1/auth/register/", {}, format="json")
    body = assert_error(response, 400, fields={"username", "password"})
    assert body["errors"]["username"] == ["This field is required."]


def test_a_service_refusal_is_a_plain_string_detail(tmp_path, settings):
    """use-sound on a photo answered {"detail": ["..."]}, a list."""
    settings.MEDIA_ROOT = tmp_path
    photo = LiveStoryFactory(kind="photo")
    response = signed_in().post(f"/api/v1/stories/{photo.pk}/use-sound/")
    assert_error(response, 400, "Only clips have a sound to use.")


def test_no_such_person_reads_the_same_everywhere():
    """The profile said "No such person.", the person's stories "No User matches the given query."."""
    client = signed_in()
    for path in ("users/nobody/", "users/nobody/stories/", "users/nobody/followers/"):
        assert_error(client.get(f"/api/v1/{path}"), 404, "No such person.")
    for path in ("users/nobody/follow/", "users/nobody/block/", "users/nobody/report/"):
        assert_error(client.post(f"/api/v1/{path}", {"reason": "spam"}), 404, "No such person.")


# --- The router: unknown paths, malformed ids, methods --------------------------------------------


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/analytics/stories/not-a-uuid/"),
        ("post", "/api/v1/stickers/not-a-uuid/vote/"),
        ("delete", "/api/v1/comments/-1/"),
        ("get", "/api/v1/no-such-thing/"),
        ("get", "/api/"),
    ],
)
def test_malformed_ids_and_unknown_paths_are_a_json_404(settings, debug, method, path):
    settings.DEBUG = debug
    response = getattr(signed_in(), method)(path)
    assert_error(response, 404, "Not found.")


def test_pages_keep_their_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_method_an_endpoint_does_not_have_is_a_json_405():
    response = signed_in().put("/api/v1/feed/for-you/", {}, format="json")
    assert_error(response, 405, 'Method "PUT" not allowed.')


@pytest.mark.parametrize(
    ("handler", "status"), [("handler400", 400), ("handler403", 403), ("handler404", 404)]
)
def test_djangos_error_handlers_answer_json_under_api_and_html_elsewhere(handler, status):
    from stories_site import urls

    answer = getattr(urls, handler)
    api = answer(RequestFactory().get("/api/v1/feed/for-you/"), Exception("x"))
    assert api.status_code == status
    assert set(json.loads(api.content)) == {"detail"}
    page = answer(RequestFactory().get("/somewhere/"), Exception("x"))
    assert page.status_code == status
    assert page["Content-Type"].startswith("text/html")


def test_a_server_error_under_api_is_json():
    from stories_site.urls import handler500

    response = handler500(RequestFactory().get("/api/v1/feed/for-you/"))
    assert response.status_code == 500
    assert json.loads(response.content) == {"detail": "Server error."}


# --- Hostile JSON ---------------------------------------------------------------------------------


def test_deeply_nested_json_is_a_400_signed_out():
    response = APIClient().post("/api/v1/auth/token/", NESTED, content_type="application/json")
    body = assert_error(response, 400)
    assert "nested" in body["detail"]


def test_deeply_nested_json_is_a_400_on_comments():
    story = LiveStoryFactory()
    response = signed_in().post(
        f"/api/v1/stories/{story.pk}/comments/", '{"text": ' + NESTED + "}", content_type="application/json"
    )
    assert_error(response, 400)
    assert not story.comments.exists()


def test_nested_just_within_the_limit_is_read():
    inner = "[" * (safejson.MAX_DEPTH - 1) + "]" * (safejson.MAX_DEPTH - 1)
    story = LiveStoryFactory()
    response = signed_in().post(
        f"/api/v1/stories/{story.pk}/comments/", '{"text": ' + inner + "}", content_type="application/json"
    )
    # Parsed, then refused by the serializer for what it is (a list, not text): not a parse error.
    assert_error(response, 400, fields={"text"})


def test_a_json_body_over_the_size_limit_is_a_413():
    body = json.dumps({"username": "x" * safejson.MAX_BYTES, "password": "y"})
    response = APIClient().post("/api/v1/auth/token/", body, content_type="application/json")
    assert_error(response, 413, "The request body is too large.")


def test_nan_is_not_json():
    story = LiveStoryFactory()
    response = signed_in().post(
        f"/api/v1/stories/{story.pk}/views/", '{"completed": NaN}', content_type="application/json"
    )
    assert_error(response, 400)


@pytest.mark.parametrize("field", ["stickers", "overlays"])
def test_deeply_nested_json_fields_in_the_upload_are_a_400(field, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("clip.mp4", b"\x00" * 64, content_type="video/mp4")
    response = signed_in().post("/api/v1/stories/", {"media": upload, field: NESTED}, format="multipart")
    body = assert_error(response, 400, fields={field})
    assert "nested" in body["detail"]


@pytest.mark.parametrize("font", [{"a": 1}, [1]])
def test_an_overlay_font_that_is_not_a_name_is_a_400(font, tmp_path, settings):
    """A dict or a list as the font: TypeError unhashable type, a 500, before."""
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    overlays = json.dumps([{"text": "hi", "font": font}])
    upload = SimpleUploadedFile("clip.mp4", b"\x00" * 64, content_type="video/mp4")
    response = signed_in().post(
        "/api/v1/stories/", {"media": upload, "overlays": overlays}, format="multipart"
    )
    body = assert_error(response, 400, fields={"overlays"})
    assert "font" in body["detail"].lower()
