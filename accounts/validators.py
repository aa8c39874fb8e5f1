"""Username rules beyond the characters allowed (`models.USERNAME_PATTERN`, which URLs share).

A name must read as a name: at least one letter or digit, and dots only between other
characters, one at a time ("..", ".dot.", "a..b" are refused; "ann.lee", "_ann_" are fine)."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def validate_username_shape(value: str) -> None:
    if not any(char.isascii() and char.isalnum() for char in value):
        raise ValidationError("A username needs at least one letter or digit.", code="invalid")
    if value.startswith(".") or value.endswith("."):
        raise ValidationError("A username cannot start or end with a dot.", code="invalid")
    if ".." in value:
        raise ValidationError("A username cannot have two dots in a row.", code="invalid")
