"""Pages that show people with their stories: a profile with its ring, the followers and
following lists with theirs, the story player of one author, following from a story, and
editing your own profile (its photo goes through the media module).

Here, in feed, because these pages need accounts (people, relations), stories (who has a live
story, the photo) and feed (seen or not, liked) together; accounts, the lowest layer, keeps the
pages about identity and relations alone (accounts/views.py). The URLs and their names are
unchanged (`accounts:profile`, ...): stories_site/urls.py puts both route lists in the
`accounts` namespace.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from accounts import selectors as people
from accounts.forms import ProfileForm
from accounts.models import User
from accounts.views import PEOPLE_PER_PAGE, profile_url, safe_next, sign_in_first, visible_or_404
from stickers import selectors as sticker_selectors
from stories import selectors as story_selectors
from stories.serializers import StorySerializer
from stories.services import avatars
from stories.services.follows import follow_from_story
from stories.uploads import limit_uploads, too_large_message, upload_too_large
from stories_site.errors import flash_refusals, form_errors

from . import selectors

# --- Someone's profile ---------------------------------------------------------------------


@require_safe
def profile(request: HttpRequest, username: str) -> HttpResponse:
    person = visible_or_404(username, request.user)
    context = {
        "person": person,
        "rel": people.relationship_get(viewer=request.user, person=person),
        "followers_count": people.followers_count(person=person, viewer=request.user),
        "following_count": people.following_count(person=person, viewer=request.user),
        "has_story": story_selectors.author_has_live_story(author=person, viewer=request.user),
    }
    context["story_seen"] = context["has_story"] and selectors.story_fully_seen(
        author=person, viewer=request.user
    )
    return render(request, "accounts/profile.html", context)


@never_cache
@require_safe
def story(request: HttpRequest, username: str) -> HttpResponse:
    """The player, opening on this author's Story. Their items go into the page as the API's JSON,
    so the first frame needs no request; never cached, as liked and seen change while watching."""
    person = visible_or_404(username, request.user)
    rows = selectors.stories_with_viewer_state(
        queryset=story_selectors.author_story(author=person, viewer=request.user).select_related(
            "author", "sound"
        ),
        viewer=request.user,
    )
    rows = sticker_selectors.stories_with_stickers(stories=rows, viewer=request.user, request=request)
    items = StorySerializer(rows, many=True, context={"request": request}).data
    if not items:
        # A real page (their profile is a tap away), still a 404: there is no story at this address.
        return render(request, "accounts/no_story.html", {"person": person}, status=404)
    start = request.GET.get("item", "")
    context = {
        "person": person,
        "items": items,
        "start_item": start if any(item["id"] == start for item in items) else "",
        # The player's settings, read by static/js/player.js from json_script "player-config".
        "player_config": {"photo_seconds": settings.STORIES_PHOTO_SECONDS},
    }
    return render(request, "accounts/story.html", context)


def _person_list(request: HttpRequest, username: str, which: str) -> HttpResponse:
    person = visible_or_404(username, request.user)
    if which == "followers":
        rows, attr = people.followers_list(person=person, viewer=request.user), "follower"
    else:
        rows, attr = people.following_list(person=person, viewer=request.user), "followee"
    page = Paginator(rows, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    persons = [getattr(row, attr) for row in page]
    live = story_selectors.authors_with_live_story(author_ids=[p.pk for p in persons], viewer=request.user)
    context = {
        "person": person,
        "which": which,
        "page": page,
        "people": [(p, p.pk in live) for p in persons],
    }
    return render(request, "accounts/people.html", context)


@require_safe
def followers(request: HttpRequest, username: str) -> HttpResponse:
    return _person_list(request, username, "followers")


@require_safe
def following(request: HttpRequest, username: str) -> HttpResponse:
    return _person_list(request, username, "following")


def _next_or_profile(request: HttpRequest, username: str) -> str:
    return safe_next(request) or profile_url(request, username)


@require_POST
@flash_refusals(back=_next_or_profile)
def follow(request: HttpRequest, username: str) -> HttpResponse:
    """The follow button, also in the player: `from_story` counts the follow in that story's
    analytics when it is the followee's and the follower may see it (follow_from_story)."""
    if not request.user.is_authenticated:
        return sign_in_first(request, username)
    person = visible_or_404(username, request.user)
    source = request.POST.get("from_story")
    follow_from_story(viewer=request.user, followee=person, story_id=source)
    messages.success(request, f"You follow {person.name} now.")
    return redirect(safe_next(request) or person.get_absolute_url())


# --- Own profile ---------------------------------------------------------------------------


@csrf_exempt
def edit_profile(request: HttpRequest) -> HttpResponse:
    """The photo's size cap goes in before anything reads the body, the CSRF check included
    (stories/uploads.py); the check itself still runs, in `_edit_profile`."""
    limit_uploads(request, settings.STORIES_MAX_AVATAR_BYTES)
    return _edit_profile(request)


@csrf_protect
@login_required
def _edit_profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES)
        if upload_too_large(request):
            # Nothing is saved: the photo was cut off at the cap, and the rest goes with it.
            form.is_valid()
            form.add_error("avatar", too_large_message(settings.STORIES_MAX_AVATAR_BYTES))
            status = 413
        elif form.is_valid():
            data = form.cleaned_data
            try:
                avatars.profile_update(
                    viewer=user,
                    display_name=data["display_name"],
                    bio=data["bio"],
                    avatar=data["avatar"],
                    remove_avatar=data["remove_avatar"],
                )
            except ValidationError as exc:
                user.refresh_from_db()
                form_errors(form, exc)
            else:
                user.refresh_from_db()
                messages.success(request, _saved_message(user))
                return redirect(user.get_absolute_url())
    else:
        form = ProfileForm(initial={"display_name": user.display_name, "bio": user.bio})
        if user.avatar_error:
            messages.warning(request, f"Your last photo could not be used: {user.avatar_error}")
    return render(request, "accounts/edit.html", {"form": form}, status=status)


def _saved_message(user: User) -> str:
    """The photo is made by the media worker (stories/services/avatars.py): say where it stands."""
    if user.avatar_pending:
        return "Your profile is saved. Your new photo shows once it is ready."
    if user.avatar_error:
        return f"Your profile is saved, but the photo could not be used: {user.avatar_error}"
    return "Your profile is saved."
