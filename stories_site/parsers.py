"""Bounded JSON in: request bodies and JSON fields in multipart forms. Kept apart from
stories_site/api.py because DRF imports the parser classes named in the settings while it builds
`APIView`, and api.py itself needs DRF's views."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, parsers, serializers, status

from . import safejson

__all__ = ["JSONParser", "JSONTextField", "PayloadTooLarge"]


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with limits: at most `safejson.MAX_BYTES` (else 413) and
    `safejson.MAX_DEPTH` levels deep (else 400), so a hostile body never reaches a RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", "utf-8")
        raw = stream.read(safejson.MAX_BYTES + 1)
        try:
            return safejson.loads(raw.decode(encoding))
        except safejson.JSONTooLarge:
            raise PayloadTooLarge() from None
        except (ValueError, LookupError) as exc:
            raise exceptions.ParseError(f"JSON parse error: {exc}") from None


class JSONTextField(serializers.JSONField):
    """A JSON value sent as text (a multipart field such as `stickers` or `overlays`), read with
    the limits of a JSON body."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["binary"] = True
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bytes | str):
            try:
                return safejson.loads(data)
            except ValueError as exc:
                raise serializers.ValidationError(str(exc)) from None
        try:
            return safejson.check_depth(data)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None
