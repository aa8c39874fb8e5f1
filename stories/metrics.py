"""The stories' gauges on /metrics (stories_site/observability.py, docs/operations.md "Metrics"):
registered from StoriesConfig.ready, because the metrics plumbing sits below the apps."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily, Metric

from .lifecycle import State
from .models import Story
from .services.retention import stories_purgeable


def stories_gauges() -> Iterator[Metric]:
    """Stories in each state and the purge backlog, read at each scrape of /metrics."""
    by_state = dict(Story.objects.order_by().values_list("state").annotate(n=Count("pk")))
    stories = GaugeMetricFamily("stories_stories", "Stories in each state.", labels=["state"])
    for state in State.values:
        stories.add_metric([state], by_state.get(state, 0))
    yield stories
    yield GaugeMetricFamily(
        "stories_purge_backlog",
        "Finished stories the purge may take and has not yet (expired, deleted, removed, failed a day ago).",
        value=stories_purgeable().count(),
    )
