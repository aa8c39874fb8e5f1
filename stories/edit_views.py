"""The edit page of a story (issue 17): the author changes its caption, alt text, audience,
comments, downloads and replies, and while it waits to go live, when it does. Thin: the form
collects, services.editing.story_update checks (the upload's own rule) and saves."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from stories_site.errors import form_errors

from . import selectors
from .forms import StoryEditForm
from .models import Story
from .options import options_editor_limits
from .services.editing import EDITABLE_FIELDS, PUBLISH_AT, story_is_editable, story_update
from .services.scheduling import publish_at_picker_limits


def _next(request: HttpRequest, story: Story) -> str:
    """Where to go once saved: a local `next` (the Scheduled page, the player), else the story."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return story.get_absolute_url()


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, story_id) -> HttpResponse:
    """Anyone but the author, and a story that expired or is gone, get the 404 of a missing story."""
    story = Story.objects.select_related("author").filter(pk=story_id, author=request.user).first()
    if story is None or not story_is_editable(story=story):
        raise Http404("This story does not exist or can no longer be edited.")
    waiting = Story.objects.filter(selectors.stories_waiting_q(), pk=story.pk).exists()
    status = 200
    if request.method == "POST":
        form = StoryEditForm(request.POST)
        if form.is_valid():
            changes = {name: form.cleaned_data[name] for name in EDITABLE_FIELDS}
            if waiting and form.cleaned_data[PUBLISH_AT]:
                changes[PUBLISH_AT] = form.cleaned_data[PUBLISH_AT]
            try:
                story_update(story=story, by=request.user, **changes)
            except ValidationError as exc:
                form_errors(form, exc, top={PUBLISH_AT})
            else:
                messages.success(request, "Saved. Everyone who can see the story sees the change now.")
                return redirect(_next(request, story))
        status = 400
    else:
        form = StoryEditForm(initial={name: getattr(story, name) for name in EDITABLE_FIELDS})
    # The limits the page's script puts on the fields and the time picker (json_script "edit-context").
    limits = {
        "option_limits": options_editor_limits(names=EDITABLE_FIELDS),
        "schedule": publish_at_picker_limits(),
    }
    context = {
        "story": story,
        "form": form,
        "waiting": waiting,
        "next": _next(request, story),
        "limits": limits,
    }
    return render(request, "stories/edit.html", context, status=status)
