"""The apps' layers hold (docs/architecture.md, "Layers"): no app imports an app above it.

import-linter checks the imports, function-level ones included, against the contract in
pyproject.toml; `make lint` runs it too, and this test makes a new upward import fail the suite.
Foreign keys named by app-label strings ("feed.Comment") are no imports, so the model graph is
checked here against the same order."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]


def _layers() -> list[str]:
    """The apps, lowest first, as the contract lists them (highest first)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = (c for c in config["contracts"] if c["id"] == "layers")
    return list(reversed(contract["layers"]))


def test_no_app_imports_an_app_above_it():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_app_of_the_project_is_in_the_layers():
    ours = {config.name for config in apps.get_app_configs() if Path(config.path).parent == ROOT}
    assert ours - {"stories_site"} == set(_layers())


def test_no_model_points_at_a_model_of_a_higher_app():
    order = _layers()
    upward = set()
    for model in apps.get_models():
        low = model._meta.app_label
        for field in model._meta.get_fields():
            if not field.is_relation or field.auto_created or field.related_model is None:
                continue
            high = field.related_model._meta.app_label
            if low in order and high in order and order.index(high) > order.index(low):
                upward.add(f"{model._meta.label}.{field.name} -> {field.related_model._meta.label}")
    assert not upward, sorted(upward)
