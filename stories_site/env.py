"""Reading settings from the environment: the helpers settings.py uses, kept apart so the
settings module is the list of settings and nothing else. Imports no app."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url


def load_env_file(path: Path) -> None:
    """Fill unset variables from a local `KEY=value` file.

    `make run` writes a git-ignored `.env` (DEBUG=1 and a generated SECRET_KEY) so that every
    `manage.py` command the README shows works in that checkout without exporting anything.
    Variables already set (non-empty) in the environment win, and without the file nothing changes: production
    still fails loudly when SECRET_KEY is missing."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith("#") and not os.environ.get(key.strip()):
            os.environ[key.strip()] = value.strip().strip("'\"")


def env_bool(name: str, default: bool = False) -> bool:
    """An on/off variable: 1, true, yes or on (any case) is on; unset or empty is `default`."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_env(*, var_dir: Path) -> dict:
    """The default database: DATABASE_URL, or SQLite under `var_dir`, with the options each
    engine needs here."""
    database = dj_database_url.config(
        default=f"sqlite:///{var_dir / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
    if database["ENGINE"] == "django.db.backends.sqlite3":
        Path(database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        # The web server and the Celery worker write to the same file: WAL lets readers go on
        # while one writes, and IMMEDIATE transactions wait for the lock instead of failing mid-way.
        database["CONN_MAX_AGE"] = 0
        database["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    if database["ENGINE"] == "django.db.backends.postgresql":
        # Prepared statements, for the cursors that ask for them: the counters'
        # (stories_site/counters.py, a view is the busiest write) and the feed pages' compiled
        # queries (stories_site/compiled.py). Django's own cursors bind on the client and never
        # prepare, so nothing else changes. Off (DB_PREPARED_STATEMENTS=0) behind a pooler that
        # cannot keep them, such as PgBouncer before 1.21 in transaction mode (1.21+ needs
        # max_prepared_statements).
        database.setdefault("OPTIONS", {})["prepare_threshold"] = (
            5 if env_bool("DB_PREPARED_STATEMENTS", True) else None
        )
    return database
