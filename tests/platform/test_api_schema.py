"""The OpenAPI schema generates without warnings, validates, and is served."""

import json
from pathlib import Path

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
        "discovery",
        "engagement",
        "feeds",
        "messages",
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


# --- The contract the schema states (in-process, no subprocess) -----------------------------------


@pytest.fixture(scope="module")
def schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema: dict):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield method.upper(), path, operation


def test_every_error_answer_is_the_one_documented_shape(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["detail"]
    assert error["properties"]["detail"]["type"] == "string"
    assert error["properties"]["errors"]["additionalProperties"]["items"]["type"] == "string"
    for method, path, operation in _operations(schema):
        for code, response in operation["responses"].items():
            if code.startswith(("4", "5")) and "content" in response:
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/Error", (method, path, code)


def test_every_operation_documents_what_it_can_answer(schema):
    """The answers any request may get, whatever the operation does (stories_site/schema.py)."""
    signed_out_only = {
        "/api/v1/auth/register/",
        "/api/v1/auth/token/",
        "/api/v1/auth/password-reset/",
        "/api/v1/auth/password-reset/confirm/",
    }
    for method, path, operation in _operations(schema):
        codes = set(operation["responses"])
        where = (method, path, sorted(codes))
        assert {"429", "503"} <= codes, where
        assert ("401" in codes) is (path not in signed_out_only), where
        if "{" in path:
            assert "404" in codes, where
        if "requestBody" in operation:
            assert {"400", "413"} <= codes, where
        if any(p["in"] == "query" for p in operation.get("parameters", [])):
            assert "400" in codes, where
        assert operation["responses"]["429"]["headers"]["Retry-After"]["schema"]["type"] == "integer"


def test_every_list_documents_cursor_and_page_size(schema):
    components = schema["components"]["schemas"]
    lists = []
    for method, path, operation in _operations(schema):
        body = operation["responses"].get("200", {}).get("content", {}).get("application/json", {})
        ref = body.get("schema", {}).get("$ref", "")
        if method == "GET" and "next" in components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}):
            lists.append((path, operation))
    listed = {path for path, _ in lists}
    assert "/api/v1/users/{username}/stories/" in listed  # one page: `next` is always null
    lists = [(p, o) for p, o in lists if p != "/api/v1/users/{username}/stories/"]
    # auth/tokens/ (issue 13) is the 13th; a hashtag's and a sound's stories (discovery) make 15;
    # conversations and a conversation's messages (replies) make 17; your scheduled stories and
    # your archive (creator controls) make 19.
    assert len(lists) == 19, sorted(listed)
    for path, operation in lists:
        names = {p["name"] for p in operation.get("parameters", [])}
        assert {"cursor", "page_size"} <= names, path


def test_urls_that_may_be_missing_are_nullable(schema):
    components = schema["components"]["schemas"]
    for name in ("Person", "Profile", "FollowRow", "RingPerson", "Author"):
        assert components[name]["properties"]["avatar_url"].get("nullable") is True, name
    assert components["Story"]["properties"]["sound"].get("nullable") is True


def test_no_file_refers_to_paths_outside_the_repository():
    """docs/api.md and the schema are the published contract: nothing cites the shared folder
    beside the checkout, which the project's users do not have."""
    import re

    from django.conf import settings

    outside = re.compile(r"[.][.]/shared|/work[/]shared")
    skip = {".git", ".venv", "var", "node_modules", "__pycache__", ".ruff_cache", ".pytest_cache"}
    suffixes = {".py", ".md", ".html", ".js", ".css", ".txt", ".toml", ".cfg", ".sh", ".yml", ".json"}
    found = []
    for path in Path(settings.BASE_DIR).rglob("*"):
        if skip & set(path.relative_to(settings.BASE_DIR).parts) or not path.is_file():
            continue
        if path.suffix in suffixes or path.name in {"Makefile", "run", "Procfile.dev"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            found += [f"{path}:{m.group()}" for m in outside.finditer(text)]
    assert found == []
