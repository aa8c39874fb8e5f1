"""The naming rule of docs/conventions.md holds for every service and selector: keyword-only
arguments, and the thing first (`story_create`, not `create_story`).

Keyword-only arguments are what make a call read on its own and keep two arguments of the same
type from being swapped; a name that starts with its verb is how the older, unsorted names
looked. Both are read from the source with `ast`, so a new function that breaks the rule fails the
suite with its file and line."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["accounts", "stories", "stickers", "feed", "analytics", "moderation", "privacy"]

# Called positionally by something other than our code, so they cannot be keyword-only.
POSITIONAL_BY_CONTRACT = {
    # Registered as an SQLite function: SQLite passes the columns positionally.
    ("feed/selectors/ranking.py", "sqlite_hot"),
}

# Verbs the older names began with; a service or selector names its entity first.
VERB_FIRST = {
    "add", "build", "can", "check", "clean", "create", "delete", "ensure", "find", "get", "has",
    "is", "make", "mark", "record", "remove", "send", "set", "unlike", "update", "vote", "with",
}  # fmt: skip
# Entities whose name begins with one of those verbs. ("like", "share" and "search" are not in
# the list: `like_create`, `share_create` and `search_people` name the thing first.)
VERB_NAMED_ENTITIES = ("add_yours_",)


def rule_modules() -> list[Path]:
    """Every module that holds services or selectors: `services.py`, `selectors.py`,
    `*_selectors.py`, and the modules of `services/` and `selectors/` packages."""
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "migrations" in parts or path.name == "__init__.py":
                continue
            if (
                path.name in ("services.py", "selectors.py")
                or path.name.endswith("_selectors.py")
                or parts[-2] in ("services", "selectors")
            ):
                found.append(path)
    return found


def breaches(source: str, where: str) -> list[str]:
    """The public module-level functions of `source` that take a positional argument or start
    with a verb, as `where:line name: why`."""
    found = []
    for node in ast.parse(source).body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.name.startswith("_"):
            continue
        positional = [a.arg for a in node.args.posonlyargs + node.args.args]
        if positional and (where, node.name) not in POSITIONAL_BY_CONTRACT:
            found.append(f"{where}:{node.lineno} {node.name}: positional {', '.join(positional)}")
        if node.name.split("_")[0] in VERB_FIRST and not node.name.startswith(VERB_NAMED_ENTITIES):
            found.append(f"{where}:{node.lineno} {node.name}: starts with a verb")
    return found


def test_the_check_sees_a_breach():
    source = "def create_story(author, caption=''):\n    pass\n\ndef story_create(*, author):\n    pass\n"
    assert breaches(source, "x.py") == [
        "x.py:1 create_story: positional author, caption",
        "x.py:1 create_story: starts with a verb",
    ]


def test_it_reads_every_app():
    seen = {path.relative_to(ROOT).parts[0] for path in rule_modules()}
    assert seen == set(APPS)


def test_services_and_selectors_take_keyword_arguments_and_name_the_thing_first():
    found = []
    for path in rule_modules():
        found += breaches(path.read_text(), path.relative_to(ROOT).as_posix())
    assert not found, "\n".join(found)
