"""Creator analytics pages: the dashboard (/analytics/) and one story's page. Signed in; a
story's page is its author's (or staff's), anyone else gets a 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from stories_site.errors import Invalid

from . import charts, selectors

PERIODS = (7, 28)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    try:
        days = selectors.days_clean(raw=request.GET.get("days"))
    except Invalid:  # the page shows the default period rather than an error
        days = selectors.DEFAULT_DAYS
    summary = selectors.author_summary(author=request.user, days=days)
    context = {
        "summary": summary,
        "periods": PERIODS,
        "charts": charts.summary_charts(summary),
        "rows": selectors.author_story_table(author=request.user, since=summary.start),
    }
    return render(request, "analytics/dashboard.html", context)


@login_required
def story(request: HttpRequest, story_id) -> HttpResponse:
    found = selectors.story_analyzed(viewer=request.user, story_id=story_id)
    if found is None:
        raise Http404("No such story, or its analytics are not yours to see.")
    report = selectors.story_report(story=found)
    context = {"report": report, "story": found, "charts": charts.story_charts(report.days, report.retention)}
    return render(request, "analytics/story.html", context)
