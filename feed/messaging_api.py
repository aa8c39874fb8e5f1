"""Replies, reactions and conversations in /api/v1/ (docs/api.md, "Replies and reactions").
Thin: find the story through the visibility gate or the conversation through its two people
(anything else is a 404), call one service or selector, shape the answer."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from stories import selectors as story_selectors
from stories_site.api import PAGE_PARAMETERS, CursorPagination, error_response

from . import messaging
from .api import ScopedActionThrottle, story_or_404
from .selectors import conversations as selectors
from .serializers import (
    ConversationSerializer,
    MessageCreateSerializer,
    MessageSerializer,
    ReactionCreateSerializer,
)

NO_CONVERSATION = "No such conversation, or not one of yours."
ERRORS = {
    400: error_response("Bad input, in plain words."),
    403: error_response("Not allowed: replies off, a block, or a suspended account."),
    404: error_response("No such story or conversation, or not one you may see."),
}


class MessageThrottle(ScopedActionThrottle):
    """Private messages are the spammer's favourite door: a tighter rate than likes."""

    scope = "messages"
    DEFAULT_RATE = "30/minute"


class MessagingView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [MessageThrottle]


def _message_answer(request: Request, message) -> Response:
    context = {"visible_story_ids": {message.story_id} if message.story_id else set()}
    return Response(MessageSerializer(message, context=context).data, status=status.HTTP_201_CREATED)


class StoryReplyView(MessagingView):
    @extend_schema(
        request=MessageCreateSerializer,
        responses={201: MessageSerializer, **ERRORS},
        summary="Reply privately to a story (a message to its author)",
        tags=["messages"],
    )
    def post(self, request: Request, story_id) -> Response:
        story = story_or_404(request, story_id)
        incoming = MessageCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        message = messaging.story_reply_send(
            viewer=request.user, story=story, text=incoming.validated_data["text"]
        )
        return _message_answer(request, message)


class StoryReactionView(MessagingView):
    @extend_schema(
        request=ReactionCreateSerializer,
        responses={201: MessageSerializer, **ERRORS},
        summary="React to a story with an emoji (a message to its author)",
        tags=["messages"],
    )
    def post(self, request: Request, story_id) -> Response:
        story = story_or_404(request, story_id)
        incoming = ReactionCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        message = messaging.story_reaction_send(
            viewer=request.user, story=story, emoji=incoming.validated_data["emoji"]
        )
        return _message_answer(request, message)


class ConversationPagination(CursorPagination):
    ordering = ("-last_message_at", "-id")


class ConversationListView(MessagingView):
    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses={
            200: inline_serializer(
                "ConversationPage",
                {"results": ConversationSerializer(many=True), "next": serializers.URLField(allow_null=True)},
            )
        },
        summary="Your conversations, newest first, with unread counts",
        tags=["messages"],
    )
    def get(self, request: Request) -> Response:
        paginator = ConversationPagination()
        page = paginator.paginate_queryset(
            selectors.conversations_of(viewer=request.user), request, view=self
        )
        others = [
            selectors.conversation_other_person(conversation=conversation, viewer=request.user).pk
            for conversation in page
        ]
        live_ids = story_selectors.authors_with_live_story(author_ids=others, viewer=request.user)
        context = {"request": request, "live_ids": live_ids}
        return Response(
            {
                "results": ConversationSerializer(page, many=True, context=context).data,
                "next": paginator.get_next_link(),
            }
        )


class MessagePagination(CursorPagination):
    ordering = ("created_at", "id")


class ConversationMessagesView(MessagingView):
    """Reading the messages marks the other person's as read."""

    def _conversation(self, request: Request, conversation_id: int):
        conversation = selectors.conversation_for(viewer=request.user, conversation_id=conversation_id)
        if conversation is None:
            raise NotFound(NO_CONVERSATION)
        return conversation

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses={
            200: inline_serializer(
                "MessagePage",
                {"results": MessageSerializer(many=True), "next": serializers.URLField(allow_null=True)},
            ),
            404: ERRORS[404],
        },
        summary="A conversation's messages, oldest first",
        tags=["messages"],
    )
    def get(self, request: Request, conversation_id: int) -> Response:
        conversation = self._conversation(request, conversation_id)
        paginator = MessagePagination()
        page = paginator.paginate_queryset(
            selectors.messages_in(viewer=request.user, conversation=conversation), request, view=self
        )
        shown = selectors.shown_messages(viewer=request.user, messages=page)
        context = {"visible_story_ids": {one.message.story_id for one in shown if one.story_available}}
        messaging.conversation_mark_read(viewer=request.user, conversation=conversation)
        return Response(
            {
                "results": MessageSerializer(page, many=True, context=context).data,
                "next": paginator.get_next_link(),
            }
        )

    @extend_schema(
        request=MessageCreateSerializer,
        responses={201: MessageSerializer, **ERRORS},
        summary="Write in a conversation",
        tags=["messages"],
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self._conversation(request, conversation_id)
        incoming = MessageCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        message = messaging.message_send(
            viewer=request.user, conversation=conversation, text=incoming.validated_data["text"]
        )
        return _message_answer(request, message)
