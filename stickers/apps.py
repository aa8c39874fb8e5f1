from django.apps import AppConfig


class StickersConfig(AppConfig):
    name = "stickers"

    def ready(self) -> None:
        """Plug stickers into posting a story (stories/attachments.py): the one way stories
        reaches stickers, which sits above it."""
        from stories.attachments import attachment_register

        from .attachment import STICKERS

        attachment_register(STICKERS)
