"""Sticker JSON in and out. Thin: parsing and shaping only; the rules are in services.py."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from stories.serializers import AuthorSerializer, StorySerializer, absolute

from .models import Question


class OptionSerializer(serializers.Serializer):
    option = serializers.IntegerField(help_text="The index of the chosen option, from 0.")


class PollResultsSerializer(serializers.Serializer):
    counts = serializers.ListField(child=serializers.IntegerField(), help_text="Votes per option.")
    total = serializers.IntegerField()
    my_vote = serializers.IntegerField(allow_null=True)


class QuizResultsSerializer(serializers.Serializer):
    correct = serializers.BooleanField(allow_null=True, help_text="Null for the quiz's author.")
    correct_option = serializers.IntegerField()
    counts = serializers.ListField(child=serializers.IntegerField(), help_text="Answers per option.")
    total = serializers.IntegerField()
    my_answer = serializers.IntegerField(allow_null=True)


class QuestionCreateSerializer(serializers.Serializer):
    # Length and blankness are the service's to judge, in its own words.
    text = serializers.CharField(allow_blank=True, trim_whitespace=False)


class QuestionSerializer(serializers.ModelSerializer):
    author = AuthorSerializer(read_only=True)
    answered_story_id = serializers.UUIDField(read_only=True, allow_null=True)
    answer_url = serializers.SerializerMethodField(help_text="The create page, set to answer this question.")

    class Meta:
        model = Question
        fields = ["id", "text", "author", "created_at", "answered_story_id", "answer_url"]
        read_only_fields = fields

    def get_answer_url(self, question: Question) -> str:
        return absolute(self.context.get("request"), f"{reverse('stories:create')}?answer={question.pk}")


class ResponsesPageSerializer(serializers.Serializer):
    """Add Yours: the live contributions to the prompt's whole chain the viewer may see, newest
    first (the same list from every sticker of the chain)."""

    prompt = serializers.CharField()
    count = serializers.IntegerField(help_text="All live contributions to the chain the viewer may see.")
    results = StorySerializer(many=True)
    next = serializers.URLField(allow_null=True)


class QuestionPageSerializer(serializers.Serializer):
    results = QuestionSerializer(many=True)
    next = serializers.URLField(allow_null=True)
