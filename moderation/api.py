"""Report endpoints: a story (the v1 contract), a comment, a private message and an account
(extensions).

Thin: find the target, hand it to `services.report_create`, which decides what may be reported."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import NO_SUCH_PERSON
from stories_site.api import error_response

from . import selectors, services
from .models import TargetKind
from .serializers import ReportCreateSerializer, ReportSerializer

GONE = "This does not exist or is no longer available."
RESPONSES = {
    201: ReportSerializer,
    400: error_response("Unknown reason, details too long, your own content, or reported already."),
    404: error_response("No such target, or not one you may see."),
}


class ReportView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    kind: str

    def report(self, request: Request, target_id: object) -> Response:
        target = selectors.target_get(kind=self.kind, target_id=target_id)
        if target is None:
            raise NotFound(NO_SUCH_PERSON if self.kind == TargetKind.ACCOUNT else GONE)
        serializer = ReportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.report_create(reporter=request.user, target=target, **serializer.validated_data)
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)


class StoryReportView(ReportView):
    kind = TargetKind.STORY

    @extend_schema(
        request=ReportCreateSerializer, responses=RESPONSES, summary="Report a story", tags=["reports"]
    )
    def post(self, request: Request, story_id) -> Response:
        return self.report(request, story_id)


class CommentReportView(ReportView):
    kind = TargetKind.COMMENT

    @extend_schema(
        request=ReportCreateSerializer, responses=RESPONSES, summary="Report a comment", tags=["reports"]
    )
    def post(self, request: Request, comment_id: int) -> Response:
        return self.report(request, comment_id)


class MessageReportView(ReportView):
    kind = TargetKind.MESSAGE

    @extend_schema(
        request=ReportCreateSerializer,
        responses=RESPONSES,
        summary="Report a private message the other person in your conversation sent you",
        tags=["reports"],
    )
    def post(self, request: Request, message_id: int) -> Response:
        return self.report(request, message_id)


class UserReportView(ReportView):
    kind = TargetKind.ACCOUNT

    @extend_schema(
        request=ReportCreateSerializer, responses=RESPONSES, summary="Report an account", tags=["reports"]
    )
    def post(self, request: Request, username: str) -> Response:
        return self.report(request, username)
