"""Settings for the test suite: `stories_site.settings` plus test-only defaults.

The suite must run on a bare checkout without the developer exporting anything, so the few
variables that settings.py needs at import time get defaults here *before* importing it. Services
still come from the environment: DATABASE_URL and REDIS_URL are honoured when set (CI sets both),
otherwise the tests use SQLite and the local-memory cache.

Tests that start real processes (tests/platform) build their own environment from scratch and
never inherit these defaults; see tests/platform/processes.py.
"""

import atexit
import os
import shutil
import tempfile

# Every pytest process (each xdist worker too) gets its own throwaway VAR_DIR: media, broker
# folders and the like never land in the checkout and never clash between workers.
if not os.environ.get("STORIES_VAR_DIR"):
    _var_dir = tempfile.mkdtemp(prefix="stories-test-var-")
    os.environ["STORIES_VAR_DIR"] = _var_dir
    atexit.register(shutil.rmtree, _var_dir, ignore_errors=True)
# The suite never reads the developer's `.env` (DEBUG=1 there would change what is tested).
os.environ.setdefault("STORIES_ENV_FILE", "")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdef")
# Plain (non-manifest) static storage: templates can use {% static %} without collectstatic.
os.environ.setdefault("STORIES_TESTING", "1")
# The development tools (stories_site/dev): the suite runs `seed_demo` (tests/stories/test_demo.py).
os.environ.setdefault("STORIES_DEV_TOOLS", "1")

from .settings import *  # noqa: F403
from .settings import CACHES, REDIS_URL, REST_FRAMEWORK, STATIC_ROOT

# The suite talks plain HTTP to the test client and to live_server (browser tests): no HTTPS
# redirect and no secure-only cookies, whatever DEBUG is.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tasks run inline in the test process; tests that need a real worker use the embedded_worker
# fixture (tests/conftest.py), which starts one in a subprocess with the real settings.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True

# Throttling stays switched on (the classes are configured) but with rates no test reaches by
# accident; tests about throttling set their own rates.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": dict.fromkeys(REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "100000/minute"),
}

if REDIS_URL:
    # One Redis database per xdist worker (gw0 -> db 1, gw1 -> db 2, ...), so clearing the cache
    # between tests (tests/conftest.py) never wipes another worker's keys or the broker's db 0.
    _worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    _db = 1 + (int(_worker) if _worker.isdigit() else 0) % 15
    _base = REDIS_URL.split("?", 1)[0].rstrip("/")
    if _base.count("/") > 2:  # redis://host:port/N -> drop the db number
        _base = _base.rsplit("/", 1)[0]
    CACHES = {
        **CACHES,
        "default": {**CACHES["default"], "LOCATION": f"{_base}/{_db}", "KEY_PREFIX": "test"},
    }

# Views are counted as they come, whatever the machine has, so a test reads what it just did;
# the write-behind buffer's own tests (tests/feed/test_view_buffer.py) turn it on against Redis.
STORIES_VIEW_BUFFER = False

# WhiteNoise warns when STATIC_ROOT is missing; tests never run collectstatic into it.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
