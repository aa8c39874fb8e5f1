from django.apps import AppConfig


class DevToolsConfig(AppConfig):
    """Installed only in development (settings.py, STORIES_DEV_TOOLS): brings `seed_demo`."""

    name = "stories_site.dev"
    label = "dev_tools"
    verbose_name = "Development tools"
