"""Pages about identity and relations: sign-up, sign-in, password, the blocked list, the avatar
file, unfollow, block and unblock. Thin: look the person up through selectors, act through
services. The pages that show people with their stories (profile, people lists, the player,
follow from a story, editing your profile and photo) are feed/people_views.py; the helpers
below are shared with them."""

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
from django.views.decorators.http import require_POST, require_safe

from stories_site.errors import flash_refusals, form_errors

from . import selectors, services
from .forms import LoginForm, PasswordChangeForm, SignupForm
from .models import User

PEOPLE_PER_PAGE = 50
# Avatars are server-made files; only these types are ever served back.
AVATAR_TYPES = {"image/jpeg", "image/png", "image/webp"}


def visible_or_404(username: str, viewer) -> User:
    person = selectors.profile_get(username=username, viewer=viewer)
    if person is None:
        raise Http404("No such person.")
    return person


def safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def sign_in_first(request: HttpRequest, username: str) -> HttpResponse:
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
            user = services.user_register(
                username=data["username"], password=data["password1"], email=data["email"]
            )
        except ValidationError as exc:
            form_errors(form, exc, rename={"password": "password1"})
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to Stories, {user.username}!")
            return redirect(safe_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL))
    return render(request, "accounts/signup.html", {"form": form, "next": safe_next(request) or ""})


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


# --- Blocked people ------------------------------------------------------------------------


@login_required
def blocked_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.blocks_list(viewer=request.user), PEOPLE_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "accounts/blocked.html", {"page": page})


# --- Someone's profile (the page itself: feed/people_views.py) -----------------------------


@require_safe
def profile_slash(request: HttpRequest, username: str) -> HttpResponse:
    return redirect("accounts:profile", username=username, permanent=True)


@require_safe
def avatar(request: HttpRequest, username: str) -> HttpResponse:
    """The stored avatar, only to viewers who may see the person; revalidated by ETag."""
    person = visible_or_404(username, request.user)
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


# --- Unfollow and block buttons (follow, which may come from a story: feed/people_views.py) --


@require_POST
def unfollow(request: HttpRequest, username: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return sign_in_first(request, username)
    person = visible_or_404(username, request.user)
    services.follow_delete(follower=request.user, followee=person)
    messages.success(request, f"You no longer follow {person.name}.")
    return redirect(safe_next(request) or person.get_absolute_url())


def profile_url(request: HttpRequest, username: str) -> str:
    """A refused follow or block goes back to the person's profile (flash_refusals)."""
    return reverse("accounts:profile", kwargs={"username": username})


@require_POST
@flash_refusals(back=profile_url)
def block(request: HttpRequest, username: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return sign_in_first(request, username)
    person = selectors.person_get(username=username)
    if person is None:
        raise Http404("No such person.")
    services.block_create(blocker=request.user, blocked=person)
    messages.success(request, f"You blocked @{person.username}. You can unblock them here.")
    # Their profile is now hidden from the blocker too, so go where the block can be undone.
    return redirect("accounts:blocked")


@require_POST
def unblock(request: HttpRequest, username: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return sign_in_first(request, username)
    person = selectors.person_get(username=username)
    if person is None:
        raise Http404("No such person.")
    services.block_delete(blocker=request.user, blocked=person)
    messages.success(request, f"You unblocked @{person.username}.")
    return redirect(safe_next(request) or "accounts:blocked")
