"""The report page that the player, profiles, comments and conversations link to."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from stories_site.errors import form_errors

from . import selectors, services
from .forms import ReportForm
from .models import TargetKind


def _back_url(kind: str, target) -> str:
    if kind == TargetKind.COMMENT:
        return target.story.get_absolute_url()
    if kind == TargetKind.MESSAGE:
        return reverse("feed:conversation", args=[target.conversation_id]) + f"#message-{target.pk}"
    return target.get_absolute_url()


@login_required
def report(request: HttpRequest, kind: str, target_id: str) -> HttpResponse:
    target = selectors.target_get(kind=kind, target_id=target_id)
    if target is None or not selectors.target_visible(viewer=request.user, target=target):
        raise Http404("This does not exist or is no longer available.")
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_create(reporter=request.user, target=target, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "Thanks for telling us. A moderator will look at it.")
            return redirect(_back_url(kind, target))
    return render(
        request,
        "moderation/report.html",
        {
            "form": form,
            "kind": TargetKind(kind).label.lower(),
            "target": target,
            "back": _back_url(kind, target),
        },
    )
