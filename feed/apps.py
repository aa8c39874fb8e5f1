from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _register_sqlite_functions(sender, connection, **kwargs) -> None:
    """SQLite has no `feed_hot` (PostgreSQL gets it from migration 0002): give it the Python one."""
    if connection.vendor == "sqlite":
        from .selectors import sqlite_hot

        connection.connection.create_function("feed_hot", 4, sqlite_hot, deterministic=True)


class FeedConfig(AppConfig):
    name = "feed"

    def ready(self) -> None:
        from accounts import notices
        from stories import page_parts

        from .notifications import INBOX
        from .selectors import stories_with_viewer_state

        connection_created.connect(_register_sqlite_functions, dispatch_uid="feed_sqlite_functions")
        # The inbox behind accounts' notice_send door (accounts/notices.py, the declared extension point).
        notices.inbox_register(inbox=INBOX)
        # The viewer's liked/seen state and comment count in every story query of stories' pages
        # and API (stories/page_parts.py, the extension point stories declares for the apps above).
        page_parts.row_part_register(name="viewer_state", part=stories_with_viewer_state)
