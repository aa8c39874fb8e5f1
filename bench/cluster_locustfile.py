"""Locust users for the cluster bench (bench/cluster_bench.py), run headless in a process of its
own: `locust -f bench/cluster_locustfile.py --headless ...` with BENCH_CLUSTER_CONFIG naming a JSON
file (hosts, tokens, media files to upload, where to log).

Each user signs in with a token of its own and does what a person with the app open does:
browse For You, Following and the tray, open stories and report the view, now and then like,
comment or vote on a poll, and rarely post a photo or a short clip. Half the users talk to each
gunicorn. Every request is logged as a JSON line (end time, name, status, milliseconds), so the
bench can leave out the outage windows and count the uploads that were accepted."""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from pathlib import Path

from locust import HttpUser, between, events, task

CONFIG = json.loads(Path(os.environ["BENCH_CLUSTER_CONFIG"]).read_text())
_TOKENS = itertools.cycle(CONFIG["tokens"])
_LOG = open(CONFIG["log"], "a", buffering=1)  # noqa: SIM115 (open for the process's life)
UPLOAD_CHANCE = float(CONFIG.get("upload_chance", 0.2))  # of the upload task's turns
CLIP_SHARE = 0.3  # of uploads


@events.request.add_listener
def _log(request_type, name, response_time, response_length, response=None, exception=None, **_):
    status = getattr(response, "status_code", 0) or 0
    record = {"t": time.time(), "name": f"{request_type} {name}", "ms": response_time, "status": status}
    if exception is not None and not status:
        record["error"] = type(exception).__name__
    story = getattr(response, "bench_story", None)
    if story:
        record["story"] = story
    _LOG.write(json.dumps(record) + "\n")


def _stories(payload) -> list[dict]:
    """Every story object in a feed answer (tray entries nest theirs)."""
    found = []
    if isinstance(payload, dict):
        if "stickers" in payload and "id" in payload:
            found.append(payload)
        for value in payload.values():
            if isinstance(value, list | dict):
                found.extend(_stories(value))
    elif isinstance(payload, list):
        for value in payload:
            found.extend(_stories(value))
    return found


class _Person(HttpUser):
    abstract = True
    wait_time = between(1, 4)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Token {next(_TOKENS)}"
        self.seen: dict[str, dict] = {}
        self.voted: set[str] = set()
        self.liked: set[str] = set()

    def _browse(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code == 200:
                for story in _stories(response.json()):
                    self.seen[story["id"]] = story
                while len(self.seen) > 60:
                    self.seen.pop(next(iter(self.seen)))

    def _pick(self) -> dict | None:
        return random.choice(list(self.seen.values())) if self.seen else None

    @task(6)
    def for_you(self) -> None:
        self._browse("/api/v1/feed/for-you/", "/api/v1/feed/for-you/")

    @task(4)
    def following(self) -> None:
        self._browse("/api/v1/feed/following/", "/api/v1/feed/following/")

    @task(4)
    def tray(self) -> None:
        self._browse("/api/v1/feed/tray/", "/api/v1/feed/tray/")

    @task(8)
    def watch(self) -> None:
        story = self._pick()
        if story is None:
            return
        self.client.get(f"/api/v1/stories/{story['id']}/", name="/api/v1/stories/[id]/")
        self.client.post(
            f"/api/v1/stories/{story['id']}/views/",
            json={"completed": random.random() < 0.6},
            name="/api/v1/stories/[id]/views/",
        )

    @task(2)
    def like(self) -> None:
        story = self._pick()
        if story is None or story["id"] in self.liked:
            return
        self.liked.add(story["id"])
        self.client.post(f"/api/v1/stories/{story['id']}/like/", name="/api/v1/stories/[id]/like/")

    @task(1)
    def comment(self) -> None:
        story = self._pick()
        if story is None or not story.get("allow_comments", True):
            return
        self.client.post(
            f"/api/v1/stories/{story['id']}/comments/",
            json={"text": random.choice(["nice", "love this", "where is this?", "haha"])},
            name="/api/v1/stories/[id]/comments/",
        )

    @task(1)
    def vote(self) -> None:
        for story in list(self.seen.values()):
            for sticker in story.get("stickers") or []:
                if sticker.get("type") == "poll" and sticker["id"] not in self.voted:
                    self.voted.add(sticker["id"])
                    self.client.post(
                        f"/api/v1/stickers/{sticker['id']}/vote/",
                        json={"option": random.randrange(2)},
                        name="/api/v1/stickers/[id]/vote/",
                    )
                    return

    @task(1)
    def upload(self) -> None:
        if random.random() >= UPLOAD_CHANCE:
            return
        kind = "clip" if random.random() < CLIP_SHARE else "photo"
        path = random.choice(CONFIG["media"][kind])
        data = {"caption": f"bench {kind}"}
        if random.random() < 0.5:
            data["stickers"] = json.dumps(
                [{"type": "poll", "question": "Tea or coffee?", "options": ["Tea", "Coffee"], "y": 0.4}]
            )
        with (
            open(path, "rb") as handle,
            self.client.post(
                "/api/v1/stories/",
                data=data,
                files={"media": (os.path.basename(path), handle)},
                name=f"/api/v1/stories/ (upload {kind})",
                catch_response=True,
            ) as response,
        ):
            if response.status_code in (201, 202):
                response.bench_story = response.json()["id"]


def _user_class(index: int, host: str) -> type[_Person]:
    return type(f"PersonOnWeb{index + 1}", (_Person,), {"host": host, "abstract": False})


for _index, _host in enumerate(CONFIG["hosts"]):
    globals()[f"PersonOnWeb{_index + 1}"] = _user_class(_index, _host)
