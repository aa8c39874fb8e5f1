"""The API answers exactly what its OpenAPI schema says: Schemathesis against the live server.

Schemathesis (its CLI, in a subprocess) reads `/api/schema/` from pytest-django's `live_server`
and sends generated requests to every operation but logout (which would end the token), once
signed out and once signed in with a token, with three checks:

* not_a_server_error: no 5xx, whatever the input;
* status_code_conformance: every status code answered is one the operation documents;
* response_schema_conformance: every body matches the schema documented for its status.

The database holds a small world (people who follow each other, live stories with stickers, a
sound, comments, a question, a notification) and some path parameters are drawn from its real
ids, so the 200 bodies are checked as well as the 404s. Generation is derandomized and bounded
(`MAX_EXAMPLES` per operation): the run is the same every time and takes about a minute.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIRequestHandler
from rest_framework.authtoken.models import Token

from stickers.models import Question, Sticker, StickerType
from stories.models import Sound
from tests.factories import CommentFactory, FollowFactory, UserFactory
from tests.stories.factories import ReadyStoryFactory

MAX_EXAMPLES = 12
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance"


def _world() -> dict:
    """A few people, live stories with every kind of sticker, a sound and some engagement."""
    viewer = UserFactory(username="viewer")
    ada = UserFactory(username="ada")
    FollowFactory(follower=viewer, followee=ada)
    FollowFactory(follower=ada, followee=viewer)
    own = ReadyStoryFactory(author=viewer, caption="mine")
    story = ReadyStoryFactory(author=ada, caption="hello", overlays=[{"text": "hi", "x": 0.5, "y": 0.5}])
    sound = Sound.objects.create(owner=ada, title="Beat", duration=5.0, file="sounds/beat.m4a")
    ReadyStoryFactory(author=ada, kind="photo", sound=sound)
    stickers = {
        StickerType.POLL: {"question": "Tea or coffee?", "options": ["Tea", "Coffee"]},
        StickerType.QUIZ: {"question": "Capital?", "options": ["Lyon", "Paris"], "correct": 1},
        StickerType.QUESTION: {"prompt": "Ask me"},
        StickerType.ADD_YOURS: {"prompt": "Show your desk"},
    }
    made = {
        kind: Sticker.objects.create(story=story, type=kind, position=n, data=data)
        for n, (kind, data) in enumerate(stickers.items())
    }
    own_question = Sticker.objects.create(
        story=own, type=StickerType.QUESTION, position=0, data={"prompt": "Ask me too"}
    )
    Question.objects.create(sticker=own_question, author=ada, text="Why?")
    comment = CommentFactory(story=story, author=viewer)
    CommentFactory(story=own, author=ada)
    return {
        "viewer": viewer,
        "story_ids": [str(story.pk), str(own.pk)],
        "sticker_ids": [str(s.pk) for s in (*made.values(), own_question)],
        "usernames": ["ada", "viewer"],
        "comment_ids": [comment.pk],
        "sound_ids": [str(sound.pk)],
    }


def _config(tmp_path: Path, world: dict) -> Path:
    """schemathesis.toml: real ids for half of the generated path parameters."""
    dictionaries = {
        "story_id": world["story_ids"],
        "sticker_id": world["sticker_ids"],
        "username": world["usernames"],
        "comment_id": world["comment_ids"],
        "sound_id": world["sound_ids"],
    }
    # Requests with methods an operation does not have only feed the unsupported_method check,
    # which this test does not run (the 405s are tested in test_api_errors.py).
    lines = ["[phases.coverage]", "unexpected-methods = []", ""]
    for name, values in dictionaries.items():
        lines.append(f"[dictionaries.{name}]\nvalues = {json.dumps(values)}\n")
    lines.append("[parameters]")
    for name in dictionaries:
        lines.append(f'"path.{name}" = {{ dictionary = "{name}", probability = 0.5 }}')
    path = tmp_path / "schemathesis.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _run_schemathesis(live_server, tmp_path: Path, world: dict, headers: list[str]) -> dict:
    report = tmp_path / "report.json"
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(_config(tmp_path, world)),
        "run",
        f"{live_server.url}/api/schema/",
        "--checks",
        CHECKS,
        "--exclude-path",
        "/api/v1/auth/logout/",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--phases",
        "examples,coverage,fuzzing",
        "--generation-deterministic",
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        *[arg for header in headers for arg in ("-H", header)],
    ]
    # cwd: no schemathesis.toml or Hypothesis database of the checkout is picked up.
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    return json.loads(report.read_text())


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ["anonymous", "signed_in"])
def test_every_answer_is_one_the_schema_documents(
    live_server, one_request_at_a_time, monkeypatch, tmp_path, who
):
    # The live server writes headers and body separately; with Nagle on, each answer then waits
    # for the client's delayed ACK (40 ms). Off, a case costs about 3 ms instead of 50.
    monkeypatch.setattr(WSGIRequestHandler, "disable_nagle_algorithm", True)
    world = _world()
    headers = []
    if who == "signed_in":
        token, _ = Token.objects.get_or_create(user=world["viewer"])
        headers.append(f"Authorization: Token {token.key}")
    report = _run_schemathesis(live_server, tmp_path, world, headers)

    # A run that tested nothing, or not as the person it claims, would pass vacuously.
    operations, cases = report["operations"], report["test_cases"]
    print(
        f"schemathesis {who}: {operations['tested']} operations, {cases['generated']} cases, "
        f"{cases['with_failures']} failing"
    )
    assert operations["tested"] == operations["selected"] == operations["total"] - 1  # all but logout
    assert cases["generated"] >= 20 * operations["tested"]
    assert cases["with_failures"] == cases["errored"] == 0
    assert report["failures"] == []
    # Signed in, no operation answered only 401/403; signed out, those needing a person did.
    assert bool(report["warnings"]["missing_auth"]) is (who == "anonymous")
