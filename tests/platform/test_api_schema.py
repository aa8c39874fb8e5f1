"""The OpenAPI schema generates without warnings, validates, and is served."""

import json

import pytest
from openapi_spec_validator import validate

from tests.platform import processes


@pytest.mark.slow
def test_schema_generates_without_warnings_and_validates(tmp_path):
    schema_file = tmp_path / "schema.json"
    env = processes.clean_env(DEBUG="1", STORIES_VAR_DIR=str(tmp_path))
    result = processes.manage(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--format",
        "openapi-json",
        "--file",
        schema_file,
        env=env,
        cwd=tmp_path,
    )
    assert "Warning" not in result.stderr, result.stderr
    schema = json.loads(schema_file.read_text())
    validate(schema)  # openapi-spec-validator, on top of drf-spectacular's own --validate
    assert schema["info"]["title"] == "Stories API"
    # Every operation sits under a named group of the docs, none under the URL's "v1".
    tags = {
        tag
        for operations in schema["paths"].values()
        for operation in operations.values()
        for tag in operation["tags"]
    }
    assert tags == {
        "analytics",
        "auth",
        "engagement",
        "feeds",
        "notifications",
        "people",
        "reports",
        "sounds",
        "stickers",
        "stories",
    }


@pytest.mark.django_db
def test_schema_endpoint_answers(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert json.loads(response.content)["openapi"].startswith("3.")


@pytest.mark.django_db
def test_swagger_ui_answers(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
