"""Shared API plumbing: pagination and one error shape for every endpoint."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, pagination, serializers
from rest_framework.views import exception_handler as drf_exception_handler

# Every 4xx answer is {"detail": "..."} or DRF's {"field": ["..."]}: one schema component for all.
DetailSerializer = inline_serializer("Detail", {"detail": serializers.CharField()})


def error_response(description: str) -> OpenApiResponse:
    """An error answer for the OpenAPI schema, described in plain words."""
    return OpenApiResponse(DetailSerializer, description=description)


class CursorPagination(pagination.CursorPagination):
    """Cursor pagination everywhere: page 50 costs what page 1 costs (no OFFSET)."""

    ordering = "-created_at"
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        return response


def exception_handler(exc, context):
    """DRF's handler, plus Django's own validation errors turned into 400s instead of 500s."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"detail": " ".join(exc.messages)})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)
