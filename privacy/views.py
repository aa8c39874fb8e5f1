"""Pages for leaving and your data, under the profile settings: delete your account (with a
clear warning, confirmed with the password) and download your data (prepared by a worker; the
page refreshes itself, no script needed, until the download link appears)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from stories_site.errors import form_errors

from . import export, services
from .models import DataExport


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        max_length=4096,
        help_text="To be sure it is you.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


@never_cache
@login_required
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_delete_request(
                request=request, user=request.user, password=form.cleaned_data["password"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            logout(request)
            messages.success(request, "Your account is deleted. Everything you posted is being removed.")
            return redirect("feed:home")
    return render(request, "privacy/delete.html", {"form": form})


def zip_response(fileobj, *, size: int | None = None, on_close=None) -> FileResponse:
    """The zip as a download; `on_close` runs once the response is sent (or abandoned)."""
    response = FileResponse(
        fileobj, as_attachment=True, filename="stories-data.zip", content_type="application/zip"
    )
    if size:
        response["Content-Length"] = str(size)
    response["Cache-Control"] = "private, no-store"
    if on_close is not None:
        response._resource_closers.append(on_close)  # Django closes these after the last byte
    return response


@never_cache
@login_required
def export_page(request: HttpRequest) -> HttpResponse:
    job = export.export_current(user=request.user)
    return render(request, "privacy/export.html", {"job": job, "State": DataExport.State})


@require_POST
@login_required
def export_start(request: HttpRequest) -> HttpResponse:
    export.export_prepare(user=request.user)
    return redirect("privacy:export")


@never_cache
@require_GET  # not HEAD: a HEAD would use up the one download
@login_required
def export_download(request: HttpRequest) -> HttpResponse:
    job = export.export_current(user=request.user)
    taken = export.export_take(job=job) if job is not None and job.state == DataExport.State.READY else None
    if taken is None:
        messages.error(request, "That download is gone: each export downloads once. Prepare a new one.")
        return redirect("privacy:export")
    fileobj, size = taken
    return zip_response(fileobj, size=size, on_close=lambda: export.export_discard(name=job.file))
