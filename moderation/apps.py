from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        # A story with an open report is evidence: the purge and its author's deletion keep its
        # row and files until the case is resolved (stories/purge_holds.py, the extension point
        # stories declares for the apps above it).
        from stories import purge_holds

        from .selectors import stories_under_review

        purge_holds.purge_hold_register(name="open_reports", hold=stories_under_review)
