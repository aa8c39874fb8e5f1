"""Demo content and generated media are development tools (stories_site/dev, issue 15 item 8):
production never installs nor imports them, and `make run`'s DEBUG brings `seed_demo` back."""

from __future__ import annotations

import json

from tests.platform import processes

DEV_MODULES = ("stories_site.dev", "stories.demo", "stories.media.synth")

# What a production process loads: the WSGI application (settings, every app and the admin),
# the URL map it serves, and the Celery app with every app's tasks.
LOAD_PRODUCTION = """
import json, sys
from stories_site.wsgi import application
from django.urls import get_resolver
get_resolver().url_patterns
from stories_site.celery import app
app.loader.import_default_modules()
from django.conf import settings
from django.core.management import get_commands
print(json.dumps({
    "modules": sorted(name for name in sys.modules if name.startswith(DEV_MODULES)),
    "installed": [name for name in settings.INSTALLED_APPS if name.startswith("stories_site")],
    "seed_demo": "seed_demo" in get_commands(),
}))
""".replace("DEV_MODULES", repr(DEV_MODULES))


def _load(tmp_path, env: dict[str, str]) -> dict:
    env = {**env, "DJANGO_SETTINGS_MODULE": "stories_site.settings"}
    result = processes.run([processes.PYTHON, "-c", LOAD_PRODUCTION], env=env, cwd=tmp_path)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_never_imports_the_dev_tools(tmp_path):
    loaded = _load(tmp_path, processes.production_env(tmp_path))
    assert loaded == {"modules": [], "installed": [], "seed_demo": False}


def test_debug_installs_seed_demo(tmp_path):
    """`make run` (DEBUG=1 in its .env) has the command; the module itself loads only when run."""
    loaded = _load(tmp_path, processes.clean_env(DEBUG="1", STORIES_VAR_DIR=str(tmp_path)))
    assert loaded["installed"] == ["stories_site.dev"]
    assert loaded["seed_demo"]
    # The app is loaded (so the scan above would see it), its demo module only when run.
    assert "stories_site.dev.apps" in loaded["modules"]
    assert "stories_site.dev.demo" not in loaded["modules"]
