"""Reading settings from the environment: the helpers settings.py uses, kept apart so the
settings module is the list of settings and nothing else. Imports no app."""

from __future__ import annotations

import os
from pathlib import Path


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
