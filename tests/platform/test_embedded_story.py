"""A real upload through `make run`'s embedded stack: the web request queues the task on the
filesystem broker after commit, a separate worker process transcodes it, the story turns ready."""

import json
import time

import pytest

pytestmark = pytest.mark.slow

UPLOAD = """
import json, sys
from django.test import Client
from accounts.models import User
user = User.objects.create_user("smoke", password="x")
client = Client()
client.force_login(user)
with open(sys.argv[1], "rb") as handle:
    response = client.post("/api/v1/stories/", {"media": handle}, HTTP_HOST="127.0.0.1")
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""

STATE = """
import json, sys
from stories.models import Story
story = Story.objects.get(pk=sys.argv[1])
print(json.dumps({"state": story.state, "reason": story.failure_reason, "duration": story.duration}))
"""


def run_python(stack, code: str, *args: str) -> dict:
    script = stack.var_dir / "script.py"
    script.write_text("import django; django.setup()\n" + code)
    from tests.platform import processes

    done = processes.run(
        [processes.PYTHON, str(script), *args], env=stack.env, cwd=stack.var_dir, timeout=120
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_upload_goes_through_the_filesystem_broker_to_ready(embedded_worker, h264_clip):
    posted = run_python(embedded_worker, UPLOAD, str(h264_clip))
    assert posted["status"] == 202, posted  # not eager: the worker does the work
    assert posted["body"]["state"] == "processing"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        state = run_python(embedded_worker, STATE, posted["body"]["id"])
        if state["state"] != "processing":
            break
        time.sleep(1)
    assert state["state"] == "ready", (state, embedded_worker.worker.log()[-3000:])
    assert 0 < state["duration"] <= 15.0
    assert "stories.tasks.process_story" in embedded_worker.worker.log()
