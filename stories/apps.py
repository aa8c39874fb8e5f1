from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "stories"

    def ready(self) -> None:
        # accounts' one declared extension point: a follow made from a story is counted on that
        # story's day figures, and taken back when it ends (accounts/follow_sources.py).
        from accounts import follow_sources

        from .daily_stats import follows_from_story_count

        follow_sources.source_counter_register(follows_from_story_count)

        # The metrics plumbing's scrape-time gauges (stories_site/observability.py).
        from stories_site.observability import site_gauges_register

        from .metrics import stories_gauges

        site_gauges_register(stories_gauges)
