"""Pages for getting back in and keeping the address right: password reset (Django's own views,
with the site's templates and the reset rate) and the email change confirmed by the new address.
Thin: the rules are in accounts/recovery.py."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache

from stories_site.errors import form_errors

from . import recovery
from .lockout import wait_words
from .recovery_throttle import reset_wait

TOO_MANY_RESETS = "Too many reset requests. Try again in {wait}."


def site_url(request: HttpRequest) -> str:
    """The site's address as this request reached it (the host is checked by ALLOWED_HOSTS)."""
    return request.build_absolute_uri("/").rstrip("/")


class ResetRequestForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        help_text="The address of your account. We send a link to set a new password.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for an address and always answers "check your email", known address or not."""

    template_name = "accounts/password_reset.html"
    form_class = ResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        wait = reset_wait(request)
        if wait is not None:
            context = {"message": TOO_MANY_RESETS.format(wait=wait_words(wait))}
            response = render(request, "accounts/slow_down.html", context, status=429)
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: ResetRequestForm) -> HttpResponse:
        recovery.password_reset_request(email=form.cleaned_data["email"], base_url=site_url(self.request))
        return redirect(self.success_url)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's: the link's token moves into the session at once (so it never sits in a
    Referer), and setting the password ends every session and API token (User.save)."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- Changing the address ----------------------------------------------------------------------


class EmailChangeForm(forms.Form):
    email = forms.EmailField(
        label="New email address",
        max_length=254,
        help_text="We send a link there; the address changes when you open it.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


@never_cache
@login_required
def email_change(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Through authenticate: wrong passwords count toward the lockout like a log-in.
        checked = authenticate(request, username=request.user.get_username(), password=data["password"])
        if checked is None or checked.pk != request.user.pk:
            form.add_error("password", "That is not your current password.")
        else:
            try:
                new = recovery.email_change_request(
                    user=request.user, new_email=data["email"], base_url=site_url(request)
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, f"We sent a link to {new}. Your address changes when you open it.")
                return redirect("accounts:edit")
    return render(request, "accounts/email_change.html", {"form": form})


@never_cache
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link would do, POST does it: a mail scanner opening the link changes
    nothing."""
    found = recovery.email_change_payload(token=token)
    if found is None:
        return render(request, "accounts/email_confirm.html", {"invalid": True}, status=400)
    if request.method == "POST":
        try:
            user = recovery.email_change_confirm(token=token)
        except ValidationError:
            return render(request, "accounts/email_confirm.html", {"invalid": True}, status=400)
        messages.success(request, f"Your email address is now {user.email}.")
        return redirect("accounts:edit" if request.user.is_authenticated else "accounts:login")
    user, new = found
    return render(request, "accounts/email_confirm.html", {"person": user, "new_email": new})
