"""Reads about stickers. Who may reach a sticker is the stories' visibility rule
(`stories.selectors.stories_visible`), asked here and nowhere else in this app.

`stickers_for` shapes the stickers of a whole page of stories in a fixed number of queries (the
stickers, the viewer's own votes and answers, one GROUP BY for every count, the mentioned people
the viewer may see), however many stories and stickers the page holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import CharField, Count, IntegerField, Q, QuerySet, Value
from django.http import HttpRequest
from django.urls import reverse

from accounts import selectors as people
from accounts.models import User
from stories import selectors as story_selectors
from stories.lifecycle import State
from stories.models import Story
from stories_site import compiled

from .models import AddYoursResponse, PollVote, Question, QuizAnswer, Sticker, StickerType

Viewer = people.Viewer

# What `sticker_access` answers.
LIVE, EXPIRED, GONE = "live", "expired", "gone"


def sticker_by_id(*, sticker_id: Any) -> Sticker | None:
    """Any sticker with its story and the story's author; the caller asks `sticker_access`."""
    if sticker_id is None:
        return None
    return Sticker.objects.select_related("story__author").filter(pk=sticker_id).first()


def sticker_access(*, sticker: Sticker, viewer: Viewer) -> str:
    """LIVE when the viewer may see the sticker's story now; EXPIRED when its 24 hours are over
    but it would otherwise be theirs to see (author still visible to them, no block); else GONE.

    The audience is not asked again for an expired story: its media is gone and only someone who
    watched it holds the sticker's id, so "expired" tells them nothing new."""
    story = sticker.story
    if story_selectors.story_visible(story=story, viewer=viewer):  # the gate's ENGAGE rule
        return LIVE
    over = story.state == State.EXPIRED or (story.state == State.READY and not story.is_live)
    if over and people.people_visible(viewer=viewer).filter(pk=story.author_id).exists():
        return EXPIRED
    return GONE


def _is_author(sticker: Sticker, viewer: Viewer) -> bool:
    return people.viewer_authenticated(viewer=viewer) and viewer.pk == sticker.story.author_id


def questions_readable(*, sticker: Sticker, viewer: Viewer) -> bool:
    """Questions are for the sticker's author, while the story has not been deleted or removed."""
    return (
        sticker.type == StickerType.QUESTION
        and _is_author(sticker, viewer)
        and sticker.story.state not in (State.DELETED, State.REMOVED)
    )


# Where a story that answers a question shows it: near the top, like TikTok's reply card.
ANSWER_CARD = {"id": None, "type": "answer", "x": 0.5, "y": 0.22, "scale": 1.0, "rotation": 0.0}

# What a row of the tallies query is, named by its `kind` column. Every row is (key, option, n, kind):
COUNT = "count"  # key = sticker, n votes or answers for `option` (None for a Q&A: its questions)
CHAIN = "chain"  # key = Add Yours chain, n live contributions the viewer may see
MINE = "mine"  # key = sticker, `option` is the viewer's own vote or answer
MENTION = "mention"  # key = a mention sticker whose person the viewer may see


@dataclass
class _Tallies:
    counts: dict[Any, dict[int | None, int]] = field(default_factory=lambda: defaultdict(dict))
    mine: dict[Any, int] = field(default_factory=dict)
    visible_mentions: set = field(default_factory=set)
    chains: dict[Any, int] = field(default_factory=dict)  # live answers per Add Yours chain id


def _rows(rows: QuerySet, kind: str, key: str, option: str | None = None, *, counted: bool) -> QuerySet:
    """One part of the tallies query: (key, option, n, kind) with `kind` a literal, `n` a COUNT
    grouped by (key, option) when `counted`, else NULL (the row itself is the fact)."""
    nothing = Value(None, output_field=IntegerField())
    rows = rows.values_list(key, option) if option else rows.values_list(key).annotate(option=nothing)
    n = Count("pk") if counted else nothing
    return rows.annotate(n=n, kind=Value(kind, output_field=CharField())).order_by()


def _tallies(stickers: list[Sticker], viewer: Viewer) -> _Tallies:
    """Everything about a page's stickers beyond their own rows, in one query (a UNION ALL whose
    `kind` column says what each row is): votes and answers per option, questions per Q&A
    sticker of the viewer's, live contributions per Add Yours chain (`_shape` maps them back to
    the stickers), the viewer's own vote or answer, and the mentions whose person the viewer may
    see."""
    ids_of = defaultdict(list)
    for sticker in stickers:
        if sticker.type != StickerType.QUESTION or _is_author(sticker, viewer):
            ids_of[sticker.type].append(sticker.pk)
    polls, quizzes = ids_of[StickerType.POLL], ids_of[StickerType.QUIZ]
    parts = []
    if polls:
        parts.append(
            _rows(PollVote.objects.filter(sticker_id__in=polls), COUNT, "sticker_id", "option", counted=True)
        )
    if quizzes:
        answers = QuizAnswer.objects.filter(sticker_id__in=quizzes)
        parts.append(_rows(answers, COUNT, "sticker_id", "option", counted=True))
    if ids_of[StickerType.QUESTION]:
        # The askers `questions_for_author` lists (the viewer is the author here), so the count
        # and the list agree after blocks and suspensions.
        questions = Question.objects.filter(
            sticker_id__in=ids_of[StickerType.QUESTION], author__in=people.people_visible(viewer=viewer)
        )
        parts.append(_rows(questions, COUNT, "sticker_id", counted=True))
    chains = {sticker.chain_id for sticker in stickers if sticker.type == StickerType.ADD_YOURS}
    if chains:
        responses = AddYoursResponse.objects.filter(
            chain_id__in=chains, story__in=story_selectors.stories_visible(viewer=viewer).values("pk")
        )
        parts.append(_rows(responses, CHAIN, "chain_id", counted=True))
    if people.viewer_authenticated(viewer=viewer):
        if polls:
            votes = PollVote.objects.filter(sticker_id__in=polls, voter=viewer)
            parts.append(_rows(votes, MINE, "sticker_id", "option", counted=False))
        if quizzes:
            answers = QuizAnswer.objects.filter(sticker_id__in=quizzes, person=viewer)
            parts.append(_rows(answers, MINE, "sticker_id", "option", counted=False))
    if ids_of[StickerType.MENTION]:
        mentions = Sticker.objects.filter(
            pk__in=ids_of[StickerType.MENTION], mentioned__in=people.people_visible(viewer=viewer)
        )
        parts.append(_rows(mentions, MENTION, "pk", counted=False))
    tallies = _Tallies()
    if not parts:
        return tallies
    for key, option, n, kind in parts[0].union(*parts[1:], all=True):
        if kind == COUNT:
            tallies.counts[key][option] = n
        elif kind == CHAIN:
            tallies.chains[key] = n
        elif kind == MINE:
            tallies.mine[key] = option
        else:  # MENTION
            tallies.visible_mentions.add(key)
    return tallies


def _counts(sticker: Sticker, tallies: dict[Any, dict[int, int]]) -> list[int]:
    per_option = tallies.get(sticker.pk, {})
    return [per_option.get(index, 0) for index in range(len(sticker.options))]


def poll_results(*, counts: list[int], my_vote: int | None) -> dict[str, Any]:
    """What a voter (percentages are the client's: count / total) or the author sees."""
    return {"counts": counts, "total": sum(counts), "my_vote": my_vote}


def quiz_results(*, sticker: Sticker, counts: list[int], my_answer: int | None) -> dict[str, Any]:
    """What someone who answered (and the author, whose `correct` is None) sees."""
    correct_option = sticker.data["correct"]
    return {
        "correct": None if my_answer is None else my_answer == correct_option,
        "correct_option": correct_option,
        "counts": counts,
        "total": sum(counts),
        "my_answer": my_answer,
    }


def sticker_results(*, sticker: Sticker, choice: int) -> dict[str, Any]:
    """The answer to a vote or a quiz answer: fresh counts (one GROUP BY) and the person's pick."""
    counts = _counts(sticker, _tallies([sticker], None).counts)
    if sticker.type == StickerType.POLL:
        return poll_results(counts=counts, my_vote=choice)
    return quiz_results(sticker=sticker, counts=counts, my_answer=choice)


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
    signed_in = people.viewer_authenticated(viewer=viewer)
    if sticker.type in (StickerType.POLL, StickerType.QUIZ):
        choice = mine.get(sticker.pk)
        shown = is_author or choice is not None
        can_act = signed_in and not is_author and choice is None
        shaped["question"] = data["question"]
        shaped["options"] = sticker.options
        if sticker.type == StickerType.POLL:
            shaped["can_vote"] = can_act
            shaped["results"] = (
                poll_results(counts=_counts(sticker, tallies), my_vote=choice) if shown else None
            )
        else:
            shaped["can_answer"] = can_act
            if shown:
                shaped.update(
                    quiz_results(sticker=sticker, counts=_counts(sticker, tallies), my_answer=choice)
                )
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


def _answered_questions(story_ids: list) -> QuerySet:
    return Question.objects.filter(answered_story_id__in=story_ids).values_list("answered_story_id", "text")


def _page_stickers(story_ids: list) -> QuerySet[Sticker]:
    return (
        Sticker.objects.filter(story_id__in=story_ids)
        .select_related("mentioned")
        .order_by("story_id", "position")
    )


def _page_query(name: str, size: int, make: Callable[[list], QuerySet]) -> compiled.CompiledQuery:
    """`make`'s query for a page of `size` stories, compiled once per process (stories_site/compiled.py):
    every feed page asks both of these, and building and compiling them cost more than running
    them. The story ids are the list "story" (`compiled.listed`)."""

    def build(slots: compiled.Slots) -> QuerySet:
        return make(slots.uuids("story", size))

    return compiled.query_compiled(key=("stickers-of-page", name, size), build=build)


def stickers_for(
    *, stories: Iterable[Story], viewer: Viewer, request: HttpRequest | None = None
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
    values = compiled.listed("story", story_ids)
    answered = _page_query("answered", len(story_ids), _answered_questions).tuples(values)
    for story_id, text in answered:
        result[story_id].append(ANSWER_CARD | {"text": text})
    stickers = _page_query("stickers", len(story_ids), _page_stickers).objects(values)
    if not stickers:
        return result
    by_id = {story.pk: story for story in stories}
    for sticker in stickers:
        sticker.story = by_id[sticker.story_id]  # the page's own rows: no join, no query each
    found = _tallies(stickers, viewer)
    for sticker in stickers:
        result[sticker.story_id].append(_shape(sticker, viewer, found, request))
    return result


def stories_with_stickers(
    *, stories: Iterable[Story], viewer: Viewer, request: HttpRequest | None = None
) -> list[Story]:
    """Set `sticker_data` (what StorySerializer's `stickers` field reads) on each story."""
    stories = list(stories)
    shaped = stickers_for(stories=stories, viewer=viewer, request=request)
    for story in stories:
        story.sticker_data = shaped[story.pk]
    return stories


def questions_for_author(*, sticker: Sticker) -> QuerySet[Question]:
    """Questions on one sticker, newest first, leaving out askers now blocked (either way) or gone."""
    author = sticker.story.author
    return (
        Question.objects.filter(sticker=sticker, author__in=people.people_visible(viewer=author))
        .select_related("author")
        .order_by("-created_at", "-pk")
    )


def question_inbox(*, viewer: User) -> QuerySet[Question]:
    """Every question sent to the viewer (the author of Q&A stickers), newest first, from askers
    they may still see: the ones they answered whatever became of the story they were asked on
    (removed, deleted, purged), and the unanswered ones while that story is still theirs to answer
    from (not deleted or removed, not purged)."""
    open_sticker = Q(sticker__isnull=False) & ~Q(sticker__story__state__in=[State.DELETED, State.REMOVED])
    return (
        Question.objects.filter(recipient=viewer, author__in=people.people_visible(viewer=viewer))
        .filter(Q(answered_story__isnull=False) | open_sticker)
        .select_related("author", "sticker")
        .order_by("-created_at", "-pk")
    )


def add_yours_responses_live(*, sticker: Sticker, viewer: Viewer) -> QuerySet[Story]:
    """The live contributions to an Add Yours prompt's whole chain that the viewer may see, newest
    first: everyone who added theirs, through this story or another one in the chain. The story
    that started the chain answered nothing, so it is not among them."""
    return (
        story_selectors.stories_visible(viewer=viewer)
        .filter(add_yours_response__chain_id=sticker.chain_id)
        .select_related("author", "sound")
        .order_by("-published_at", "-pk")
    )
