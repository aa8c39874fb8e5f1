"""Demo content for `make run`: people with avatars and follows, a few sounds, and live stories
made from media generated on the spot and sent through the real processing pipeline."""

from __future__ import annotations

import io
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from accounts import services as accounts
from accounts.models import Follow, User
from feed import services as engagement
from stories import selectors, services
from stories.lifecycle import State
from stories.models import Sound, Story
from stories.services import avatars

from . import synth

DEMO_PASSWORD = "stories-demo"
ADMIN_PASSWORD = "stories-admin"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    display_name: str
    bio: str
    colours: tuple[str, str]


PEOPLE = [
    DemoPerson("alice", "Alice Martin", "Runner, baker, weekend hiker.", ("#ff6b6b", "#feca57")),
    DemoPerson("bruno", "Bruno Costa", "Street photos from Lisbon.", ("#48dbfb", "#0abde3")),
    DemoPerson("chen", "Chen Wei", "Synths and small songs.", ("#a29bfe", "#6c5ce7")),
    DemoPerson("dara", "Dara Okafor", "Plants everywhere.", ("#1dd1a1", "#10ac84")),
    DemoPerson("eli", "Eli Novak", "Cycling the long way round.", ("#ff9ff3", "#f368e0")),
    DemoPerson("fatima", "Fatima Zahra", "Cooking for friends.", ("#ffb142", "#ff793f")),
]
# (follower, followee): alice and bruno are friends (mutual), and so on.
FOLLOWS = [
    ("alice", "bruno"), ("bruno", "alice"), ("alice", "chen"), ("chen", "alice"), ("dara", "alice"),
    ("eli", "alice"), ("fatima", "alice"), ("alice", "dara"), ("bruno", "chen"), ("chen", "dara"),
    ("eli", "bruno"), ("fatima", "chen"), ("dara", "eli"), ("eli", "fatima"), ("fatima", "eli"),
]  # fmt: skip
SOUNDS = [("Morning bells", 523.25), ("Low hum", 110.0), ("Bright ping", 880.0)]
COMMENTS = ["Love this!", "Where is this?", "Need the recipe.", "So good.", "Saving this one."]
# Stickers some demo stories carry, by their caption.
STICKERS = {
    "Sunday long run, 18 km done": [
        {
            "type": "poll",
            "question": "Long runs: morning or evening?",
            "options": ["Morning", "Evening"],
            "y": 0.72,
        }
    ],
    "Alfama stairs": [{"type": "mention", "username": "alice", "x": 0.3, "y": 0.8}],
    "New patch on the synth": [{"type": "question", "prompt": "Ask me about synths", "y": 0.7}],
    "Monstera got a new leaf": [{"type": "emoji", "emoji": "🌿", "x": 0.75, "y": 0.2, "scale": 1.5}],
    "Tagine night": [{"type": "add_yours", "prompt": "Show your dinner", "y": 0.75}],
    "Climbing the pass": [
        {
            "type": "quiz",
            "question": "How high is the pass?",
            "options": ["800 m", "1,200 m", "2,000 m"],
            "correct": 1,
        }
    ],
}
# username, kind, pattern, filter, sound index or None, caption, overlay text
STORIES = [
    ("alice", "video", "testsrc2", "none", None, "Sunday long run, 18 km done", "18 km!"),
    ("alice", "photo", None, "warm", None, "Sourdough, attempt #7", "Finally rose"),
    ("bruno", "video", "mandelbrot", "vivid", 0, "Tram 28 at golden hour", None),
    ("bruno", "photo", None, "mono", None, "Alfama stairs", "Lisbon"),
    ("chen", "video", "life", "cool", 2, "New patch on the synth", "listen"),
    ("dara", "photo", None, "vintage", 1, "Monstera got a new leaf", None),
    ("eli", "video", "cellauto", "fade", None, "Climbing the pass", "1,200 m"),
    ("fatima", "photo", None, "sepia", None, "Tagine night", "Dinner at 8?"),
]  # fmt: skip
# username, caption, hours ahead: a story waiting on its author's Scheduled page (issue 17); its
# mention is told when it goes live, not now.
SCHEDULED = [("alice", "Race day tomorrow: come and cheer", 20)]
SCHEDULED_STICKERS = [{"type": "mention", "username": "bruno", "x": 0.5, "y": 0.8}]


def _avatar_bytes(person: DemoPerson) -> bytes:
    size = 400
    image = Image.new("RGB", (size, size), person.colours[0])
    draw = ImageDraw.Draw(image)
    for step in range(size):
        mix = step / size
        top = tuple(
            int(a + (b - a) * mix)
            for a, b in zip(_rgb(person.colours[0]), _rgb(person.colours[1]), strict=True)
        )
        draw.line([(0, step), (size, step)], fill=top)
    draw.ellipse([120, 90, 280, 250], fill=(255, 255, 255))
    draw.ellipse([70, 250, 330, 520], fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def ensure_people(log) -> dict[str, User]:
    people: dict[str, User] = {}
    for person in PEOPLE:
        user = User.objects.filter(username=person.username).first()
        if user is None:
            user = accounts.user_register(username=person.username, password=DEMO_PASSWORD)
            accounts.profile_update(viewer=user, display_name=person.display_name, bio=person.bio)
            avatars.avatar_set(user=user, fileobj=ContentFile(_avatar_bytes(person), name="avatar.jpg"))
            log(f"  created {person.username}")
        people[person.username] = user
    for follower, followee in FOLLOWS:
        if not Follow.objects.filter(follower=people[follower], followee=people[followee]).exists():
            accounts.follow_create(follower=people[follower], followee=people[followee])
    return people


def ensure_sounds(work: Path) -> list[Sound]:
    sounds = []
    for title, frequency in SOUNDS:
        sound = Sound.objects.filter(title=title, owner=None).first()
        if sound is None:
            path = work / f"tone-{frequency:.0f}.wav"
            synth.make_tone(path, seconds=12, frequency=frequency)
            with path.open("rb") as handle:
                sound = services.sound_create(owner=None, upload=handle, title=title, inline=True)
        sounds.append(sound)
    return sounds


def _demo_source(index: int, work: Path) -> Path:
    """The upload for demo story `index`, generated with ffmpeg (a clip) or Pillow (a photo)."""
    _, kind, pattern, *_ = STORIES[index]
    source = work / f"demo-{index}.{'mp4' if kind == 'video' else 'jpg'}"
    if kind == "video":
        return synth.make_video(source, seconds=6, width=540, height=960, pattern=pattern, audio=True)
    colour = PEOPLE[index % len(PEOPLE)].colours[0]
    return synth.make_photo(source, width=1080, height=1440, format="JPEG", colour=colour)


def ensure_stories(people: dict[str, User], sounds: list[Sound], work: Path, log) -> list[Story]:
    """Post the demo stories that are not live yet, through the real pipeline.

    The uploads are generated side by side first (each pattern is one single-threaded ffmpeg
    filter: made one after another they were half of a first `make run`'s seeding), then posted
    and processed one at a time, in order."""
    missing = [
        index
        for index, (username, *_, caption, _) in enumerate(STORIES)
        if not selectors.stories_own(author=people[username]).filter(caption=caption).exists()
    ]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        sources = list(pool.map(lambda index: _demo_source(index, work), missing))
    made: list[Story] = []
    for index, source in zip(missing, sources, strict=True):
        username, kind, _, filter_name, sound_index, caption, overlay = STORIES[index]
        author = people[username]
        options = services.story_options_clean(
            author=author,
            caption=caption,
            filter=filter_name,
            sound=sounds[sound_index].pk if sound_index is not None else None,
            overlays=[{"text": overlay, "x": 0.5, "y": 0.3, "size": 0.08, "background": "#fe2c55"}]
            if overlay
            else [],
            allow_downloads=True,
            stickers=STICKERS.get(caption, []),
        )
        with source.open("rb") as handle:
            story = services.story_create(author=author, upload=handle, options=options, enqueue=False)
        services.story_process(story_id=story.pk)
        story.refresh_from_db()
        outcome = f"{story.state} ({story.failure_reason})" if story.failure_reason else story.state
        log(f"  {username}: {kind} story {outcome}")
        made.append(story)
    return made


def ensure_scheduled(people: dict[str, User], work: Path, log) -> None:
    """A story processed now and scheduled to go live later (stories/services/scheduling.py)."""
    from datetime import timedelta

    from django.utils import timezone

    for index, (username, caption, hours) in enumerate(SCHEDULED):
        author = people[username]
        waiting = selectors.stories_scheduled(author=author) | selectors.stories_own(author=author)
        if waiting.filter(caption=caption).exists():
            continue
        source = work / f"scheduled-{index}.jpg"
        synth.make_photo(source, width=1080, height=1440, format="JPEG", colour="#2563eb")
        options = services.story_options_clean(
            author=author,
            caption=caption,
            overlays=[{"text": "Tomorrow 9:00", "x": 0.5, "y": 0.3, "size": 0.08, "background": "#2563eb"}],
            stickers=SCHEDULED_STICKERS,
            publish_at=timezone.now() + timedelta(hours=hours),
        )
        with source.open("rb") as handle:
            story = services.story_create(author=author, upload=handle, options=options, enqueue=False)
        services.story_process(story_id=story.pk)
        story.refresh_from_db()
        log(f"  {username}: a story {story.state}, going live in {hours} hours")


def engage(stories: list[Story]) -> None:
    """The author's followers watch each new story, and some like and comment, through the
    services the player uses: counts, notifications and analytics have something to show."""
    for number, story in enumerate(stories):
        followers = User.objects.filter(following_links__followee=story.author).order_by("username")
        for turn, viewer in enumerate(followers, start=number):
            engagement.view_record(viewer=viewer, story=story, completed=turn % 3 != 0)
            if turn % 2 == 0:
                engagement.like_create(viewer=viewer, story=story)
            if turn % 4 == 1:
                engagement.comment_create(viewer=viewer, story=story, text=COMMENTS[turn % len(COMMENTS)])


def ensure_highlight(people: dict[str, User], log) -> None:
    """A highlight on the first demo person's profile, holding their live stories (issue 17)."""
    from stories.services.highlights import highlight_create

    owner = people[STORIES[0][0]]
    if owner.highlights.exists():
        return
    live = selectors.stories_highlightable().filter(author=owner).order_by("published_at")
    story_ids = [str(pk) for pk in live.values_list("pk", flat=True)]
    if story_ids:
        highlight_create(owner=owner, title="Best of the week", story_ids=story_ids)
        log(f"  {owner.username}: a highlight of {len(story_ids)} stories")


def ensure_archived(people: dict[str, User], work: Path, log) -> None:
    """The first demo person keeps an archive, holding one story that has expired (issue 17): it
    is posted through the pipeline, its day is moved into the past, and expiry archives it."""
    from datetime import timedelta

    from django.utils import timezone

    from stories.services.archive import archive_switch

    owner = people[STORIES[0][0]]
    archive_switch(viewer=owner, enabled=True)
    caption = "Last week's sunrise, kept in my archive"
    if selectors.archive_for(viewer=owner).filter(caption=caption).exists():
        return
    source = work / "archived.jpg"
    synth.make_photo(source, width=1080, height=1440, format="JPEG", colour="#f59e0b")
    options = services.story_options_clean(author=owner, caption=caption, alt_text="An orange sunrise")
    with source.open("rb") as handle:
        story = services.story_create(author=owner, upload=handle, options=options, enqueue=False)
    services.story_process(story_id=story.pk)
    week_ago = timezone.now() - timedelta(days=7)
    Story.objects.filter(pk=story.pk, state=State.READY).update(
        published_at=week_ago, expires_at=week_ago + timedelta(hours=story.lifetime_hours)
    )
    services.stories_expire_due()
    log(f"  {owner.username}: an archived story (log in as {owner.username}, open /archive/)")


def seed(log=print) -> None:
    log("Demo content:")
    people = ensure_people(log)
    with tempfile.TemporaryDirectory(prefix="stories-demo-") as workdir:
        work = Path(workdir)
        sounds = ensure_sounds(work)
        made = ensure_stories(people, sounds, work, log)
        ensure_archived(people, work, log)
        ensure_scheduled(people, work, log)
    engage([story for story in made if story.state == State.READY])
    ensure_highlight(people, log)
    if not made:
        log("  already there (live stories present)")
