"""Stickers in the admin: read-only lists (a sticker's data is what `validation.stickers_clean`
made of it, and votes, answers, questions and contributions are what people did); deleting stays
possible for moderation. Every list joins what it shows, so a page costs the same whatever its
length."""

from django.contrib import admin

from .models import AddYoursResponse, PollVote, Question, QuizAnswer, Sticker


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Sticker)
class StickerAdmin(ReadOnlyAdmin):
    list_display = ["type", "story", "author", "created_at"]
    list_filter = ["type"]
    list_select_related = ["story__author"]
    search_fields = ["story__author__username", "=chain_id"]
    readonly_fields = ["chain_id"]
    date_hierarchy = "created_at"

    @admin.display(ordering="story__author__username")
    def author(self, sticker: Sticker) -> str:
        return sticker.story.author.username


@admin.register(PollVote)
class PollVoteAdmin(ReadOnlyAdmin):
    list_display = ["sticker", "voter", "option", "created_at"]
    list_select_related = ["sticker", "voter"]


@admin.register(QuizAnswer)
class QuizAnswerAdmin(ReadOnlyAdmin):
    list_display = ["sticker", "person", "option", "correct", "created_at"]
    list_filter = ["correct"]
    list_select_related = ["sticker", "person"]


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = ["text", "author", "sticker", "answered_story", "created_at"]
    list_select_related = ["author", "sticker", "answered_story"]
    search_fields = ["text", "author__username"]


@admin.register(AddYoursResponse)
class AddYoursResponseAdmin(ReadOnlyAdmin):
    list_display = ["sticker", "story", "chain_id", "created_at"]
    list_select_related = ["sticker", "story"]
    search_fields = ["=chain_id", "story__author__username"]
    readonly_fields = ["chain_id"]
