"""Pages for people. Thin: look the person up through selectors, act through services."""

from __future__ import annotations

import hashlib
import mimetypes

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.cache import get_conditional_response
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from feed import selectors as feed_selectors
from stickers import selectors as sticker_selectors
from stories import selectors as story_selectors
from stories.serializers import StorySerializer
from stories.services import avatars
from stories.services.follows import follow_from_story
from stories.uploads import limit_uploads, too_large_message, upload_too_large

from . import selectors, services
from .forms import LoginForm, PasswordChangeForm, ProfileForm, SignupForm
from .models import User

PEOPLE_PER_PAGE = 50
# Avatars are server-made files; only these types are ever served back.
AVATAR_TYPES = {"image/jpeg", "image/png", "image/webp"}


def _visible_or_404(username: str, viewer) -> User:
    person = selectors.profile_for(username, viewer)
    if person is None:
        raise Http404("No such person.")
    return person


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _sign_in_first(request: HttpRequest, username: str) -> HttpResponse:
    """Anonymous POSTs go to the login page and come back to the profile, not to a POST-only URL."""
    return redirect_to_login(reverse("accounts:profile", kwargs={"username": username}))


# --- Sign-up, sign-in, password ------------------------------------------------------------


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(request.user.get_absolute_url())
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.register_user(data["username"], data["password1"], data["email"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error("password1" if field == "password" else field, errors)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to Stories, {user.username}!")
            return redirect(_safe_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL))
    return render(request, "accounts/signup.html", {"form": form, "next": _safe_next(request) or ""})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default): a link or an image tag cannot sign anyone out."""


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    """A new password ends every other session and every API token (accounts.models.User.save);
    this session stays signed in."""

    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("accounts:edit")
    success_message = "Your password is changed. You are signed out everywhere else."

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "request": self.request}


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
                    user=user,
                    display_name=data["display_name"],
                    bio=data["bio"],
                    avatar=data["avatar"],
                    remove_avatar=data["remove_avatar"],
                )
            except ValidationError as exc:
                user.refresh_from_db()
                form.add_error(None, exc)
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


@login_required
def blocked_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.blocked_by(request.user), PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/blocked.html", {"page": page})


# --- Someone's profile ---------------------------------------------------------------------


@require_safe
def profile(request: HttpRequest, username: str) -> HttpResponse:
    person = _visible_or_404(username, request.user)
    context = {
        "person": person,
        "rel": selectors.relationship(request.user, person),
        "followers_count": selectors.follower_count(person, request.user),
        "following_count": selectors.following_count(person, request.user),
        "has_story": story_selectors.has_live_story(person, request.user),
    }
    context["story_seen"] = context["has_story"] and feed_selectors.story_fully_seen(person, request.user)
    return render(request, "accounts/profile.html", context)


@require_safe
def profile_slash(request: HttpRequest, username: str) -> HttpResponse:
    return redirect("accounts:profile", username=username, permanent=True)


@never_cache
@require_safe
def story(request: HttpRequest, username: str) -> HttpResponse:
    """The player, opening on this author's Story. Their items go into the page as the API's JSON,
    so the first frame needs no request; never cached, as liked and seen change while watching."""
    person = _visible_or_404(username, request.user)
    rows = feed_selectors.with_viewer_state(
        story_selectors.author_story(person, request.user).select_related("author", "sound"), request.user
    )
    rows = sticker_selectors.with_stickers(rows, request.user, request=request)
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
    person = _visible_or_404(username, request.user)
    if which == "followers":
        rows, attr = selectors.followers_of(person, request.user), "follower"
    else:
        rows, attr = selectors.following_of(person, request.user), "followee"
    page = Paginator(rows, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    people = [getattr(row, attr) for row in page]
    live = story_selectors.authors_with_live_story([p.pk for p in people], request.user)
    context = {
        "person": person,
        "which": which,
        "page": page,
        "people": [(p, p.pk in live) for p in people],
    }
    return render(request, "accounts/people.html", context)


@require_safe
def followers(request: HttpRequest, username: str) -> HttpResponse:
    return _person_list(request, username, "followers")


@require_safe
def following(request: HttpRequest, username: str) -> HttpResponse:
    return _person_list(request, username, "following")


@require_safe
def avatar(request: HttpRequest, username: str) -> HttpResponse:
    """The stored avatar, only to viewers who may see the person; revalidated by ETag."""
    person = _visible_or_404(username, request.user)
    name = person.avatar.name
    content_type = mimetypes.guess_type(name)[0] if name else None
    if content_type not in AVATAR_TYPES:
        raise Http404("No photo.")
    etag = '"' + hashlib.sha256(name.encode()).hexdigest()[:32] + '"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        try:
            fileobj = default_storage.open(name, "rb")
        except (FileNotFoundError, OSError):
            raise Http404("No photo.") from None
        response = FileResponse(fileobj, content_type=content_type)
    response["ETag"] = etag
    # Private: whether the photo may be seen depends on who asks (blocks, suspensions).
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Follow and block buttons --------------------------------------------------------------


@require_POST
def follow(request: HttpRequest, username: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return _sign_in_first(request, username)
    person = _visible_or_404(username, request.user)
    source = request.POST.get("from_story")
    try:
        follow_from_story(viewer=request.user, followee=person, story_id=source)
    except services.RelationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"You follow {person.name} now.")
    return redirect(_safe_next(request) or person.get_absolute_url())


@require_POST
def unfollow(request: HttpRequest, username: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return _sign_in_first(request, username)
    person = _visible_or_404(username, request.user)
    services.unfollow(request.user, person)
    messages.success(request, f"You no longer follow {person.name}.")
    return redirect(_safe_next(request) or person.get_absolute_url())


@require_POST
def block(request: HttpRequest, username: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return _sign_in_first(request, username)
    person = selectors.person_by_username(username)
    if person is None:
        raise Http404("No such person.")
    try:
        services.block(request.user, person)
    except services.RelationError as exc:
        messages.error(request, str(exc))
        return redirect(person.get_absolute_url())
    messages.success(request, f"You blocked @{person.username}. You can unblock them here.")
    # Their profile is now hidden from the blocker too, so go where the block can be undone.
    return redirect("accounts:blocked")


@require_POST
def unblock(request: HttpRequest, username: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return _sign_in_first(request, username)
    person = selectors.person_by_username(username)
    if person is None:
        raise Http404("No such person.")
    services.unblock(request.user, person)
    messages.success(request, f"You unblocked @{person.username}.")
    return redirect(_safe_next(request) or "accounts:blocked")
