"""Development tools, never part of the product: media generated on the spot (`synth`, for the
tests, the benches and the demo) and `make run`'s demo content (`demo`, `manage.py seed_demo`).

It sits above every app, as stories_site/urls.py does (the demo posts stories, follows and likes
through the apps' services). Production never imports it: settings.py installs this app (and so
its `seed_demo` command) only with DEBUG on or STORIES_DEV_TOOLS=1, and
tests/platform/test_dev_tools.py checks that the production web and Celery apps load without it.
"""
