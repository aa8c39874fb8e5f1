"""Shared API plumbing: the one error shape and the one cursor pagination (docs/api.md). Bounded
JSON parsing is in stories_site/parsers.py, the schema class in stories_site/schema.py.

Every error the API answers, whatever raised it, is

    {"detail": "What is wrong, in one plain sentence.", "errors": {"field": ["...", ...]}}

with `errors` present only when particular fields (or query parameters) are wrong; `detail` is
then the first of their messages. URLs under /api/ that match nothing answer it too (404),
never an HTML page, with DEBUG on or off.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import FieldDoesNotExist, PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model
from django.http import Http404, JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, pagination, serializers, status
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param

from . import cursors, errors
from .parsers import PayloadTooLarge

# --- The error shape -----------------------------------------------------------------------------

GENERAL_KEYS = {"detail", api_settings.NON_FIELD_ERRORS_KEY, "__all__"}


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx and 5xx answer (the schema's `Error` component)."""

    detail = serializers.CharField(help_text="What is wrong, in one plain sentence.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Only when particular fields or query parameters are wrong: their messages, by "
        'name (nested ones as "stickers.0").',
    )


def error_response(description: str) -> OpenApiResponse:
    """An error answer for the OpenAPI schema, described in plain words."""
    return OpenApiResponse(ErrorSerializer, description=description)


def _messages(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(dotted path, message) for every message in DRF's nested error detail."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _messages(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            nested = isinstance(item, dict | list | tuple)
            yield from _messages(item, f"{path}.{index}" if nested and path else path)
    else:
        yield path, str(value)


def error_body(detail: Any) -> dict[str, Any]:
    """The one error shape, from the `detail` of any DRF exception."""
    if not isinstance(detail, dict):
        return {"detail": " ".join(message for _, message in _messages(detail)) or "Error."}
    general: list[str] = []
    errors: dict[str, list[str]] = {}
    for key, value in detail.items():
        for path, message in _messages(value, "" if key in GENERAL_KEYS else str(key)):
            if path:
                errors.setdefault(path, []).append(message)
            else:
                general.append(message)
    first = general or [messages[0] for messages in errors.values()][:1]
    body: dict[str, Any] = {"detail": " ".join(first) or "Invalid input."}
    if errors:
        body["errors"] = errors
    return body


def _invalid(exc: DjangoValidationError) -> exceptions.ValidationError:
    """A refusal of the input: by field when it names fields, else one `detail` sentence."""
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return exceptions.ValidationError({"detail": " ".join(exc.messages)})


# The services' one family (stories_site/errors.py), member by member: the only place the API
# decides how a refusal answers. Invalid's `errors` are its fields; the others carry one sentence.
SERVICE_ERRORS: dict[type[errors.ServiceError], Any] = {
    errors.Invalid: _invalid,
    errors.NotAllowed: lambda exc: exceptions.PermissionDenied(exc.text or None),
    errors.NotFound: lambda exc: exceptions.NotFound(exc.text or None),
}


def _as_api_exception(exc: Exception) -> Exception:
    """The services' errors, and Django's own exceptions from elsewhere (forms, model
    validation, views), as the DRF ones the handler answers (never a 500 for them)."""
    if isinstance(exc, errors.ServiceError):
        for member, translate in SERVICE_ERRORS.items():
            if isinstance(exc, member):
                return translate(exc)
    if isinstance(exc, DjangoValidationError):
        return _invalid(exc)
    if isinstance(exc, Http404):
        return exceptions.NotFound(str(exc) or None)
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    if isinstance(exc, SuspiciousOperation):  # too many fields, a malformed multipart body...
        return exceptions.ParseError(str(exc) or None)
    if isinstance(exc, cursors.InvalidCursor):
        return invalid_cursor(exc)
    return exc


def exception_handler(exc: Exception, context: dict) -> Any:
    """DRF's handler, with Django's exceptions mapped to 4xx and every body in the one shape."""
    from rest_framework.views import exception_handler as drf_exception_handler  # DRF's, once loaded

    exc = _as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        response.data = error_body(exc.detail)
    return response


# --- Errors outside DRF's views: URLs that match nothing, Django's error handlers ---------------

_API_PREFIX = "/api/"


@csrf_exempt
def api_not_found(request, *args: Any, **kwargs: Any) -> JsonResponse:
    """Every path under /api/ that no route matches (an unknown URL, an id of the wrong form)."""
    return JsonResponse({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)


def json_for_api(page_handler: str, code: int, message: str, *, with_exception: bool = True):
    """A Django error handler (handler404 and friends): the one JSON error shape for paths under
    /api/, the site's HTML page from `page_handler` for everything else."""

    def for_api(request) -> JsonResponse | None:
        if request.path.startswith(_API_PREFIX):
            return JsonResponse({"detail": message}, status=code)
        return None

    if with_exception:

        def handler(request, exception=None):
            return for_api(request) or import_string(page_handler)(request, exception)

    else:

        def handler(request):
            return for_api(request) or import_string(page_handler)(request)

    handler.__doc__ = f"JSON under {_API_PREFIX}, else {page_handler}."
    return handler


# --- Pagination: one cursor codec, one meaning of page_size --------------------------------------

MAX_PAGE_SIZE = 100
PAGE_SIZE_MESSAGE = (
    f"page_size must be a whole number from 1 up (more than {MAX_PAGE_SIZE} reads as {MAX_PAGE_SIZE})."
)
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")

CURSOR_PARAMETER = OpenApiParameter(
    "cursor", str, description="From the previous page's `next`. Anything else answers 400."
)
PAGE_SIZE_PARAMETER = OpenApiParameter(
    "page_size",
    int,
    description=f"Items per page: a whole number from 1 (default 20; more than {MAX_PAGE_SIZE} reads as "
    f"{MAX_PAGE_SIZE}). 0, a negative number or not a number answers 400.",
)
PAGE_PARAMETERS = [CURSOR_PARAMETER, PAGE_SIZE_PARAMETER]


def page_size(request: Request, default: int | None = None) -> int | None:
    """The `page_size` query parameter, the same on every list: absent means `default`; a whole
    number from 1 (capped at MAX_PAGE_SIZE); anything else is a 400."""
    raw = request.query_params.get("page_size")
    if raw is None or raw == "":
        return default
    if not _WHOLE_NUMBER.fullmatch(raw) or int(raw) < 1:
        raise exceptions.ValidationError({"page_size": [PAGE_SIZE_MESSAGE]})
    return min(int(raw), MAX_PAGE_SIZE)


def invalid_cursor(exc: cursors.InvalidCursor | None = None) -> exceptions.ValidationError:
    return exceptions.ValidationError({"cursor": [str(exc or cursors.InvalidCursor())]})


class CursorPagination(pagination.CursorPagination):
    """Cursor pagination everywhere: page 50 costs what page 1 costs (no OFFSET). Cursors are
    made and checked by stories_site.cursors, like the feeds' own."""

    ordering: str | tuple[str, ...] = "-created_at"
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    MAX_POSITION_LENGTH = 200
    _model: type[Model] | None = None

    def get_page_size(self, request: Request) -> int:
        return page_size(request, self.page_size)

    def paginate_queryset(self, queryset, request, view=None):
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def _orderings(self) -> tuple[str, ...]:
        return (self.ordering,) if isinstance(self.ordering, str) else tuple(self.ordering)

    def _cursor_type(self) -> cursors.CursorType:
        """This list's cursor: DRF's (offset, reverse, position), named for the list's ordering."""
        return cursors.CursorType(
            "list:" + ",".join(self._orderings()),
            o=cursors.whole(0, self.offset_cutoff).optional(0),
            r=cursors.FLAG.optional(False),
            p=cursors.string(self.MAX_POSITION_LENGTH).optional(),
        )

    def decode_cursor(self, request: Request) -> pagination.Cursor | None:
        try:
            values = self._cursor_type().decode(request.query_params.get(self.cursor_query_param))
            if values is None:
                return None
            if values["p"] is not None:
                self._check_position(values["p"])
        except cursors.InvalidCursor as exc:
            raise invalid_cursor(exc) from None
        return pagination.Cursor(offset=values["o"], reverse=values["r"], position=values["p"])

    def _check_position(self, position: Any) -> None:
        """The position is compared with the first ordering field in SQL: it must be a value
        that field can hold (a datetime for created_at, a short string for username)."""
        if self._model is None:
            return
        try:
            field = self._model._meta.get_field(self._orderings()[0].lstrip("-"))
            value = field.to_python(position)
        except FieldDoesNotExist:
            return
        except (DjangoValidationError, ValueError, TypeError, OverflowError):
            raise cursors.InvalidCursor() from None
        if isinstance(value, int) and not -cursors.INT64 <= value <= cursors.INT64:
            raise cursors.InvalidCursor()

    def encode_cursor(self, cursor: pagination.Cursor) -> str:
        encoded = self._cursor_type().encode(o=cursor.offset, r=cursor.reverse, p=cursor.position)
        return replace_query_param(self.base_url, self.cursor_query_param, encoded)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.cursor_query_param:
                parameter["description"] = CURSOR_PARAMETER.description
            elif parameter["name"] == self.page_size_query_param:
                parameter["description"] = PAGE_SIZE_PARAMETER.description
        return parameters
