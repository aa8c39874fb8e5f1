"""The `username` path converter: the model's pattern, so `/@a/b` can never be one username."""

from django.urls import register_converter

from .models import USERNAME_PATTERN


class UsernameConverter:
    regex = USERNAME_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


# Registered on import, once: accounts/urls.py and feed/people_urls.py both route on it.
register_converter(UsernameConverter, "username")
