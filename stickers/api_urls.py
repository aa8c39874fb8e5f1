from django.urls import path

from . import api

urlpatterns = [
    path("stickers/<uuid:sticker_id>/vote/", api.VoteView.as_view(), name="sticker-vote"),
    path("stickers/<uuid:sticker_id>/answer/", api.AnswerView.as_view(), name="sticker-answer"),
    path("stickers/<uuid:sticker_id>/questions/", api.QuestionsView.as_view(), name="sticker-questions"),
    path("stickers/<uuid:sticker_id>/responses/", api.ResponsesView.as_view(), name="sticker-responses"),
]
