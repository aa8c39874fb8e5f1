"""Reads about stickers. Who may reach a sticker is the stories' visibility rule
(`stories.selectors.visible_stories`), asked here and nowhere else in this app.

`stickers_for` shapes the stickers of a whole page of stories in a fixed number of queries (the
stickers, the viewer's own votes and answers, one GROUP BY for every count, the mentioned people
the viewer may see), however many stories and stickers the page holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, Q, QuerySet, Value
from django.http import HttpRequest
from django.urls import reverse

from accounts import selectors as people
from accounts.models import User
from stories import selectors as story_selectors
from stories.lifecycle import State
from stories.models import Story

from .models import AddYoursResponse, PollVote, Question, QuizAnswer, Sticker, StickerType

Viewer = people.Viewer

# What `sticker_access` answers.
LIVE, EXPIRED, GONE = "live", "expired", "gone"


def sticker_by_id(sticker_id: Any) -> Sticker | None:
    """Any sticker with its story and the story's author; the caller asks `sticker_access`."""
    if sticker_id is None:
        return None
    return Sticker.objects.select_related("story__author").filter(pk=sticker_id).first()


def sticker_access(sticker: Sticker, viewer: Viewer) -> str:
    """LIVE when the viewer may see the sticker's story now; EXPIRED when its 24 hours are over
    but it would otherwise be theirs to see (author still visible to them, no block); else GONE.

    The audience is not asked again for an expired story: its media is gone and only someone who
    watched it holds the sticker's id, so "expired" tells them nothing new."""
    story = sticker.story
    if story_selectors.visible_stories(viewer).filter(pk=story.pk).exists():
        return LIVE
    over = story.state == State.EXPIRED or (story.state == State.READY and not story.is_live)
    if over and people.visible_people(viewer).filter(pk=story.author_id).exists():
        return EXPIRED
    return GONE


def _is_author(sticker: Sticker, viewer: Viewer) -> bool:
    return people.is_authenticated(viewer) and viewer.pk == sticker.story.author_id


def can_read_questions(sticker: Sticker, viewer: Viewer) -> bool:
    """Questions are for the sticker's author, while the story has not been deleted or removed."""
    return (
        sticker.type == StickerType.QUESTION
        and _is_author(sticker, viewer)
        and sticker.story.state not in (State.DELETED, State.REMOVED)
    )


MINE = -1  # marks the viewer's own vote or answer among the count rows
SEEN_MENTION = -2  # marks a mention sticker whose person the viewer may see
CHAIN = -3  # the option of an Add Yours chain's count row, which is keyed by chain id, not sticker id
# Where a story that answers a question shows it: near the top, like TikTok's reply card.
ANSWER_CARD = {"id": None, "type": "answer", "x": 0.5, "y": 0.22, "scale": 1.0, "rotation": 0.0}


@dataclass
class _Tallies:
    counts: dict[Any, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))
    mine: dict[Any, int] = field(default_factory=dict)
    visible_mentions: set = field(default_factory=set)
    chains: dict[Any, int] = field(default_factory=dict)  # live answers per Add Yours chain id


def _tallies(stickers: list[Sticker], viewer: Viewer) -> _Tallies:
    """Everything about a page's stickers beyond their own rows, in one query: votes and answers
    per option (GROUP BY sticker, option), questions per Q&A sticker of the viewer's, live
    contributions per Add Yours chain (GROUP BY chain, option CHAIN; `_shape` maps them back to
    the stickers), the viewer's vote or answer (rows counted MINE), and the mentions whose person
    the viewer may see (rows counted SEEN_MENTION)."""
    ids_of = defaultdict(list)
    for sticker in stickers:
        if sticker.type != StickerType.QUESTION or _is_author(sticker, viewer):
            ids_of[sticker.type].append(sticker.pk)
    zero = Value(0, output_field=IntegerField())
    parts = [
        rows.values_list("sticker_id", "option").annotate(n=Count("pk")).order_by()
        for kind, rows in (
            (StickerType.POLL, PollVote.objects.filter(sticker_id__in=ids_of[StickerType.POLL])),
            (StickerType.QUIZ, QuizAnswer.objects.filter(sticker_id__in=ids_of[StickerType.QUIZ])),
        )
        if ids_of[kind]
    ]
    if ids_of[StickerType.QUESTION]:
        # The askers `questions_for_author` lists (the viewer is the author here), so the count
        # and the list agree after blocks and suspensions.
        questions = Question.objects.filter(
            sticker_id__in=ids_of[StickerType.QUESTION], author__in=people.visible_people(viewer)
        )
        parts.append(questions.values_list("sticker_id").annotate(option=zero, n=Count("pk")).order_by())
    chains = {sticker.chain_id for sticker in stickers if sticker.type == StickerType.ADD_YOURS}
    if chains:
        chain = Value(CHAIN, output_field=IntegerField())
        responses = AddYoursResponse.objects.filter(
            chain_id__in=chains, story__in=story_selectors.visible_stories(viewer).values("pk")
        )
        parts.append(responses.values_list("chain_id").annotate(option=chain, n=Count("pk")).order_by())
    if people.is_authenticated(viewer):
        own = Value(MINE, output_field=IntegerField())
        if ids_of[StickerType.POLL]:
            votes = PollVote.objects.filter(sticker_id__in=ids_of[StickerType.POLL], voter=viewer)
            parts.append(votes.values_list("sticker_id", "option").annotate(n=own).order_by())
        if ids_of[StickerType.QUIZ]:
            answers = QuizAnswer.objects.filter(sticker_id__in=ids_of[StickerType.QUIZ], person=viewer)
            parts.append(answers.values_list("sticker_id", "option").annotate(n=own).order_by())
    if ids_of[StickerType.MENTION]:
        seen = Value(SEEN_MENTION, output_field=IntegerField())
        mentions = Sticker.objects.filter(
            pk__in=ids_of[StickerType.MENTION], mentioned__in=people.visible_people(viewer)
        )
        parts.append(mentions.values_list("pk").annotate(option=zero, n=seen).order_by())
    tallies = _Tallies()
    if parts:
        for sticker_id, option, count in parts[0].union(*parts[1:], all=True):
            if count == MINE:
                tallies.mine[sticker_id] = option
            elif count == SEEN_MENTION:
                tallies.visible_mentions.add(sticker_id)
            elif option == CHAIN:
                tallies.chains[sticker_id] = count
            else:
                tallies.counts[sticker_id][option] = count
    return tallies


def _counts(sticker: Sticker, tallies: dict[Any, dict[int, int]]) -> list[int]:
    per_option = tallies.get(sticker.pk, {})
    return [per_option.get(index, 0) for index in range(len(sticker.options))]


def poll_results(counts: list[int], my_vote: int | None) -> dict[str, Any]:
    """What a voter (percentages are the client's: count / total) or the author sees."""
    return {"counts": counts, "total": sum(counts), "my_vote": my_vote}


def quiz_results(sticker: Sticker, counts: list[int], my_answer: int | None) -> dict[str, Any]:
    """What someone who answered (and the author, whose `correct` is None) sees."""
    correct_option = sticker.data["correct"]
    return {
        "correct": None if my_answer is None else my_answer == correct_option,
        "correct_option": correct_option,
        "counts": counts,
        "total": sum(counts),
        "my_answer": my_answer,
    }


def results_after(sticker: Sticker, my_choice: int) -> dict[str, Any]:
    """The answer to a vote or a quiz answer: fresh counts (one GROUP BY) and the person's pick."""
    counts = _counts(sticker, _tallies([sticker], None).counts)
    if sticker.type == StickerType.POLL:
        return poll_results(counts, my_choice)
    return quiz_results(sticker, counts, my_choice)


def _url(path: str, request: HttpRequest | None) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def _shape(sticker: Sticker, viewer: Viewer, found: _Tallies, request: HttpRequest | None) -> dict[str, Any]:
    shaped: dict[str, Any] = {
        "id": str(sticker.pk),
        "type": sticker.type,
        "x": sticker.x,
        "y": sticker.y,
        "scale": sticker.scale,
        "rotation": sticker.rotation,
    }
    data = sticker.data
    tallies, mine = found.counts, found.mine
    is_author = _is_author(sticker, viewer)
    signed_in = people.is_authenticated(viewer)
    if sticker.type in (StickerType.POLL, StickerType.QUIZ):
        choice = mine.get(sticker.pk)
        shown = is_author or choice is not None
        can_act = signed_in and not is_author and choice is None
        shaped["question"] = data["question"]
        shaped["options"] = sticker.options
        if sticker.type == StickerType.POLL:
            shaped["can_vote"] = can_act
            shaped["results"] = poll_results(_counts(sticker, tallies), choice) if shown else None
        else:
            shaped["can_answer"] = can_act
            if shown:
                shaped.update(quiz_results(sticker, _counts(sticker, tallies), choice))
            else:  # never the correct option before answering
                shaped.update(dict.fromkeys(["correct", "correct_option", "counts", "total", "my_answer"]))
    elif sticker.type == StickerType.QUESTION:
        shaped["prompt"] = data["prompt"]
        shaped["can_ask"] = signed_in and not is_author
        shaped["question_count"] = sum(tallies.get(sticker.pk, {}).values()) if is_author else None
        shaped["inbox_url"] = _url(reverse("stickers:inbox"), request) if is_author else None
    elif sticker.type == StickerType.ADD_YOURS:
        shaped["prompt"] = data["prompt"]
        shaped["response_count"] = found.chains.get(sticker.chain_id, 0)
        shaped["responses_url"] = _url(reverse("stickers:responses", args=[sticker.pk]), request)
        shaped["add_url"] = _url(f"{reverse('stories:create')}?add_yours={sticker.pk}", request)
    elif sticker.type == StickerType.MENTION:
        person = sticker.mentioned if sticker.pk in found.visible_mentions else None
        shaped["username"] = person.username if person else data.get("username", "")
        shaped["display_name"] = person.name if person else ""
        shaped["profile_url"] = _url(person.get_absolute_url(), request) if person else None
    else:
        shaped["emoji"] = data["emoji"]
    return shaped


def stickers_for(
    stories: Iterable[Story], viewer: Viewer, *, request: HttpRequest | None = None
) -> dict[Any, list[dict[str, Any]]]:
    """The JSON-ready stickers of a page of stories as this viewer sees them, by story id.

    Counts show once the viewer voted or answered, and always to the author; a quiz's correct
    option likewise. A mention links to the profile only while the viewer may see that person.
    A story that answers a Q&A question also shows that question, as an "answer" card. At most
    three queries whatever the page's size (`request` makes the URLs absolute)."""
    stories = list(stories)
    story_ids = [story.pk for story in stories]
    result: dict[Any, list[dict[str, Any]]] = {pk: [] for pk in story_ids}
    if not story_ids:
        return result
    answered = Question.objects.filter(answered_story_id__in=story_ids).values_list(
        "answered_story_id", "text"
    )
    for story_id, text in answered:
        result[story_id].append(ANSWER_CARD | {"text": text})
    stickers = list(
        Sticker.objects.filter(story_id__in=story_ids)
        .select_related("mentioned")
        .order_by("story_id", "position")
    )
    if not stickers:
        return result
    by_id = {story.pk: story for story in stories}
    for sticker in stickers:
        sticker.story = by_id[sticker.story_id]  # the page's own rows: no join, no query each
    found = _tallies(stickers, viewer)
    for sticker in stickers:
        result[sticker.story_id].append(_shape(sticker, viewer, found, request))
    return result


def with_stickers(
    stories: Iterable[Story], viewer: Viewer, *, request: HttpRequest | None = None
) -> list[Story]:
    """Set `sticker_data` (what StorySerializer's `stickers` field reads) on each story."""
    stories = list(stories)
    shaped = stickers_for(stories, viewer, request=request)
    for story in stories:
        story.sticker_data = shaped[story.pk]
    return stories


def questions_for_author(sticker: Sticker) -> QuerySet[Question]:
    """Questions on one sticker, newest first, leaving out askers now blocked (either way) or gone."""
    author = sticker.story.author
    return (
        Question.objects.filter(sticker=sticker, author__in=people.visible_people(author))
        .select_related("author")
        .order_by("-created_at", "-pk")
    )


def inbox(author: User) -> QuerySet[Question]:
    """Every question sent to the author, newest first, from askers they may still see: the ones
    they answered whatever became of the story they were asked on (removed, deleted, purged),
    and the unanswered ones while that story is still theirs to answer from (not deleted or
    removed, not purged)."""
    open_sticker = Q(sticker__isnull=False) & ~Q(sticker__story__state__in=[State.DELETED, State.REMOVED])
    return (
        Question.objects.filter(recipient=author, author__in=people.visible_people(author))
        .filter(Q(answered_story__isnull=False) | open_sticker)
        .select_related("author", "sticker")
        .order_by("-created_at", "-pk")
    )


def live_responses(sticker: Sticker, viewer: Viewer) -> QuerySet[Story]:
    """The live contributions to an Add Yours prompt's whole chain that the viewer may see, newest
    first: everyone who added theirs, through this story or another one in the chain. The story
    that started the chain answered nothing, so it is not among them."""
    return (
        story_selectors.visible_stories(viewer)
        .filter(add_yours_response__chain_id=sticker.chain_id)
        .select_related("author", "sound")
        .order_by("-published_at", "-pk")
    )
