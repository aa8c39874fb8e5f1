"""Sticker endpoints of /api/v1/ (docs/api.md, "Stickers"). Thin: find the sticker, call
one service or selector, shape the answer. An unknown sticker, or one on a story the viewer may
not see, is a 404; bad input and an expired story are plain 400s."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from stories import page_parts
from stories.serializers import StorySerializer
from stories_site.api import PAGE_PARAMETERS, CursorPagination, error_response

from . import selectors, services
from .models import Sticker, StickerType
from .serializers import (
    OptionSerializer,
    PollResultsSerializer,
    QuestionCreateSerializer,
    QuestionPageSerializer,
    QuestionSerializer,
    QuizResultsSerializer,
    ResponsesPageSerializer,
)

STICKER_GONE = services.STICKER_GONE
ERRORS = {
    400: error_response("Bad input or an expired story, in plain words."),
    403: error_response("Only the sticker's author may do this."),
    404: error_response("No such sticker, or not one you may see."),
}


def sticker_or_404(sticker_id, kind: str | None = None) -> Sticker:
    sticker = selectors.sticker_by_id(sticker_id=sticker_id)
    if sticker is None or (kind and sticker.type != kind):
        raise NotFound(STICKER_GONE)
    return sticker


def reachable_sticker_or_404(sticker_id, request: Request) -> Sticker:
    """The sticker through the visibility gate before the body is read: a sticker on a story the
    person may not see is a 404 whatever they sent, never a 400 about its type or options."""
    sticker = sticker_or_404(sticker_id)
    services.sticker_ensure_reachable(sticker=sticker, viewer=request.user)
    return sticker


class ChoiceView(APIView):
    """A poll vote or a quiz answer: one option, once a person, answered with the results."""

    permission_classes = [permissions.IsAuthenticated]
    choose = staticmethod(services.poll_vote)

    def post(self, request: Request, sticker_id) -> Response:
        sticker = reachable_sticker_or_404(sticker_id, request)
        incoming = OptionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        choice = self.choose(sticker=sticker, viewer=request.user, option=incoming.validated_data["option"])
        return Response(selectors.sticker_results(sticker=sticker, choice=choice.option))


class VoteView(ChoiceView):
    @extend_schema(
        request=OptionSerializer,
        responses={200: PollResultsSerializer, **ERRORS},
        summary="Vote on a poll (once); answers the results",
        tags=["stickers"],
    )
    def post(self, request: Request, sticker_id) -> Response:
        return super().post(request, sticker_id)


class AnswerView(ChoiceView):
    choose = staticmethod(services.quiz_answer)

    @extend_schema(
        request=OptionSerializer,
        responses={200: QuizResultsSerializer, **ERRORS},
        summary="Answer a quiz (once); answers right or wrong, the correct option and the counts",
        tags=["stickers"],
    )
    def post(self, request: Request, sticker_id) -> Response:
        return super().post(request, sticker_id)


class QuestionPagination(CursorPagination):
    ordering = ("-created_at", "-id")


class QuestionsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses={200: QuestionPageSerializer, 403: ERRORS[403], 404: ERRORS[404]},
        summary="The questions sent to your Q&A sticker, newest first (the author only)",
        tags=["stickers"],
    )
    def get(self, request: Request, sticker_id) -> Response:
        sticker = sticker_or_404(sticker_id, StickerType.QUESTION)
        if not selectors.questions_readable(sticker=sticker, viewer=request.user):
            if selectors.sticker_access(sticker=sticker, viewer=request.user) == selectors.GONE:
                raise NotFound(STICKER_GONE)
            raise PermissionDenied("Only the sticker's author can read its questions.")
        paginator = QuestionPagination()
        page = paginator.paginate_queryset(
            selectors.questions_for_author(sticker=sticker), request, view=self
        )
        results = QuestionSerializer(page, many=True, context={"request": request}).data
        return Response({"results": results, "next": paginator.get_next_link()})

    @extend_schema(
        request=QuestionCreateSerializer,
        responses={201: QuestionSerializer, **ERRORS},
        summary="Send a question to a Q&A sticker",
        tags=["stickers"],
    )
    def post(self, request: Request, sticker_id) -> Response:
        sticker = reachable_sticker_or_404(sticker_id, request)
        incoming = QuestionCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        question = services.question_ask(
            sticker=sticker, viewer=request.user, text=incoming.validated_data["text"]
        )
        data = QuestionSerializer(question, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


class ResponsePagination(CursorPagination):
    ordering = ("-published_at", "-id")


class ResponsesView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses={200: ResponsesPageSerializer, 400: ERRORS[400], 404: ERRORS[404]},
        summary=(
            "Add Yours: the live stories that answered this prompt or any other in its chain, "
            "newest first, and their count"
        ),
        tags=["stickers"],
    )
    def get(self, request: Request, sticker_id) -> Response:
        sticker = sticker_or_404(sticker_id, StickerType.ADD_YOURS)
        services.sticker_ensure_reachable(sticker=sticker, viewer=request.user)
        stories = selectors.add_yours_responses_live(sticker=sticker, viewer=request.user)
        paginator = ResponsePagination()
        rows = page_parts.stories_annotate(stories=stories, viewer=request.user)
        page = paginator.paginate_queryset(rows, request, view=self)
        page = selectors.stories_with_stickers(stories=page, viewer=request.user, request=request)
        return Response(
            {
                "prompt": sticker.prompt,
                "count": stories.count(),
                "results": StorySerializer(page, many=True, context={"request": request}).data,
                "next": paginator.get_next_link(),
            }
        )
