"""The backup and restore of docs/operations.md ("Backups"), performed for real: a site with a
processed story, `pg_dump --format=custom` and a copy of the media folder, the database dropped
and the media gone, a fresh database, `pg_restore` and the copy put back; then the rows, the
files and the site serving them are checked. A backup nobody has restored is a hope."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from stories_site.dev import synth
from tests.platform import processes

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

CREATE = """
import json, sys
from django.test import Client
from accounts.models import User
user = User.objects.create_user("keeper", password="x")
client = Client()
client.force_login(user)
with open(sys.argv[1], "rb") as handle:
    response = client.post("/api/v1/stories/", {"media": handle, "caption": "kept"}, HTTP_HOST="127.0.0.1")
print(json.dumps({"status": response.status_code, "id": response.json().get("id")}))
"""

CHECK = """
import json, sys
from django.core.files.storage import default_storage
from django.test import Client
from accounts.models import User
from stories.models import Story
story = Story.objects.get(pk=sys.argv[1])
client = Client()
client.force_login(User.objects.get(username="keeper"))
page = client.get(f"/api/v1/stories/{story.pk}/", HTTP_HOST="127.0.0.1")
media = client.get(f"/stories/{story.pk}/media", HTTP_HOST="127.0.0.1")
served = b"".join(media.streaming_content) if media.streaming else media.content
with default_storage.open(story.media.name) as handle:
    stored = handle.read()
print(json.dumps({
    "users": User.objects.count(), "stories": Story.objects.count(), "state": story.state,
    "caption": story.caption, "media": story.media.name, "poster": story.poster.name,
    "api": page.status_code, "media_status": media.status_code,
    "served_equals_stored": served == stored, "served_bytes": len(served),
}))
"""


def pg_tool(name: str) -> str:
    """The newest server's client tool (CI installs the server), else the one on PATH."""
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    found = str(candidates[-1]) if candidates else shutil.which(name)
    assert found, f"{name} is needed to back up PostgreSQL"
    return found


def url_for(database: str) -> str:
    """The test server's URL (DATABASE_URL) with another database name."""
    db = settings.DATABASES["default"]
    credentials = f"{quote(db['USER'], safe='')}:{quote(db['PASSWORD'], safe='')}"
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{database}"


def script(env: dict[str, str], cwd: Path, code: str, *args: str) -> dict:
    path = cwd / f"script-{uuid.uuid4().hex[:8]}.py"
    path.write_text("import django; django.setup()\n" + code)
    done = processes.run([processes.PYTHON, str(path), *args], env=env, cwd=cwd, timeout=180)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_backup_restores_into_a_fresh_database(tmp_path):
    name = f"stories_restore_{uuid.uuid4().hex[:10]}"
    maintenance_url, database_url = url_for("postgres"), url_for(name)
    var_dir, backup = tmp_path / "var", tmp_path / "backup"
    backup.mkdir()
    processes.embedded_dirs(var_dir)
    env = processes.clean_env(
        DEBUG="1",
        STORIES_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="stories_site.settings",
        DATABASE_URL=database_url,
        CELERY_TASK_ALWAYS_EAGER="1",  # the upload is processed inline: media files on disk
    )
    psql = pg_tool("psql")

    def sql(statement: str) -> None:
        processes.run(
            [psql, maintenance_url, "-v", "ON_ERROR_STOP=1", "-qc", statement], env=env, cwd=tmp_path
        )

    sql(f"CREATE DATABASE {name}")
    try:
        processes.manage("migrate", "--noinput", env=env, cwd=var_dir)
        photo = synth.make_photo(tmp_path / "photo.jpg", width=320, height=480)
        posted = script(env, var_dir, CREATE, str(photo))
        assert posted["status"] == 201, posted  # processed inline: ready at once
        before = script(env, var_dir, CHECK, posted["id"])
        assert before["state"] == "ready", before
        assert before["media_status"] == 200
        assert before["served_equals_stored"]

        # The backup, as docs/operations.md has it: the database first, then the media.
        processes.run(
            [
                pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                f"--file={backup / 'stories.dump'}",
                database_url,
            ],
            env=env,
            cwd=tmp_path,
        )
        processes.run(
            ["tar", "-C", str(var_dir), "-cf", str(backup / "media.tar"), "media"], env=env, cwd=tmp_path
        )

        # The disaster: the database and the media are gone.
        sql(f"DROP DATABASE {name}")
        shutil.rmtree(var_dir / "media")
        lost = processes.run(
            [
                processes.PYTHON,
                "-c",
                "import django; django.setup(); from stories.models import Story; Story.objects.count()",
            ],
            env=env,
            cwd=var_dir,
            check=False,
        )
        assert lost.returncode != 0
        assert "does not exist" in lost.stderr

        # The restore: a fresh, empty database, pg_restore, the media put back, migrate (a no-op
        # with the same code).
        sql(f"CREATE DATABASE {name}")
        processes.run(
            [
                pg_tool("pg_restore"),
                "--no-owner",
                "--exit-on-error",
                f"--dbname={database_url}",
                str(backup / "stories.dump"),
            ],
            env=env,
            cwd=tmp_path,
        )
        processes.run(["tar", "-C", str(var_dir), "-xf", str(backup / "media.tar")], env=env, cwd=tmp_path)
        migrated = processes.manage("migrate", "--noinput", env=env, cwd=var_dir)
        assert "No migrations to apply" in migrated.stdout

        after = script(env, var_dir, CHECK, posted["id"])
        assert after == before
        assert after["users"] == 1
        assert after["stories"] == 1
        assert after["caption"] == "kept"
        assert (var_dir / "media" / after["media"]).is_file()
        assert (var_dir / "media" / after["poster"]).is_file() or not after["poster"]
        assert after["api"] == 200
        assert after["media_status"] == 200
        assert after["served_bytes"] > 1000
    finally:
        sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
