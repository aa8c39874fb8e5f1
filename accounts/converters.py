"""The `username` path converter: the model's pattern, so `/@a/b` can never be one username."""

from .models import USERNAME_PATTERN


class UsernameConverter:
    regex = USERNAME_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
