"""Server-rendered bar charts (inline SVG, no JavaScript): the geometry is computed here and
drawn by templates/analytics/_chart.html, with a title, a description and the same numbers in a
visually hidden table for screen readers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from .selectors import DayFigures, Summary

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 12, 26  # room for the value axis and the day labels


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float]
    css: str  # a modifier class of .chart-bar and .chart-key in app.css


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    label: str


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    series: list[Series]
    bars: list[Bar]
    value_ticks: list[Tick]
    label_ticks: list[Tick]
    rows: list[tuple[str, list[str]]]
    row_heading: str = "Day"
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT


def _day(day: date) -> str:
    return f"{day:%b} {day.day}"


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    fmt: Callable[[float], str] = lambda value: f"{value:,.0f}",
    row_heading: str = "Day",
) -> Chart:
    """Grouped bars, one group per label (a day, a second); negative values hang below the
    zero line. `row_heading` names the labels in the table screen readers get."""
    values = [value for one in series for value in one.values]
    top, bottom = max([0, *values]), min([0, *values])
    span = (top - bottom) or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    zero = TOP + plot_h * top / span
    slot = plot_w / max(len(labels), 1)
    width = slot * 0.8 / max(len(series), 1)
    bars = []
    for n, name in enumerate(labels):
        for k, one in enumerate(series):
            value = one.values[n]
            height = plot_h * abs(value) / span
            bars.append(
                Bar(
                    x=round(LEFT + n * slot + slot * 0.1 + k * width, 2),
                    y=round(zero - height if value >= 0 else zero, 2),
                    width=round(max(width - 1, 1), 2),
                    height=round(height, 2),
                    css=one.css,
                    label=f"{name}: {fmt(value)} {one.label.lower()}",
                )
            )
    value_ticks = [Tick(LEFT - 6, round(zero, 2), fmt(0))]
    if top:
        value_ticks.append(Tick(LEFT - 6, TOP, fmt(top)))
    if bottom:
        value_ticks.append(Tick(LEFT - 6, HEIGHT - BOTTOM, fmt(bottom)))
    picks = sorted({0, len(labels) // 2, len(labels) - 1}) if labels else []
    label_ticks = [Tick(round(LEFT + (n + 0.5) * slot, 2), HEIGHT - 8, labels[n]) for n in picks]
    rows = [(name, [fmt(one.values[n]) for one in series]) for n, name in enumerate(labels)]
    return Chart(
        chart_id, title, description, list(series), bars, value_ticks, label_ticks, rows, row_heading
    )


def percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def summary_charts(summary: Summary) -> list[Chart]:
    """The dashboard's charts: reach, rates, engagement and follower growth, one bar a day."""
    days = [_day(one.day) for one in summary.by_day]
    period = f"from {_day(summary.start)} to {_day(summary.end)} (UTC)"
    by_day = summary.by_day
    growth = summary.follower_growth
    return [
        bar_chart(
            "chart-reach",
            "Impressions and reach",
            f"Impressions and unique viewers of your stories each day, {period}.",
            days,
            [
                Series("Impressions", [one.impressions for one in by_day], "impressions"),
                Series("Reach", [one.reach for one in by_day], "reach"),
            ],
        ),
        bar_chart(
            "chart-rates",
            "Completion and engagement rates",
            f"Completed views per impression and engagements per viewer each day, {period}.",
            days,
            [
                Series("Completion rate", [one.completion_rate for one in by_day], "completion"),
                Series("Engagement rate", [one.engagement_rate for one in by_day], "engagement"),
            ],
            fmt=percent,
        ),
        bar_chart(
            "chart-engagement",
            "Engagement",
            f"Likes, comments, shares and sticker responses together, and follows from your stories, "
            f"each day, {period}.",
            days,
            [
                Series("Engagements", [one.engagements for one in by_day], "engagements"),
                Series("Follows from stories", [one.follows_from_story for one in by_day], "follows"),
            ],
        ),
        bar_chart(
            "chart-followers",
            "Follower growth",
            f"New followers (up) and lost followers (down) each day, {period}; "
            f"{summary.followers:,} followers now.",
            days,
            [
                Series("New followers", [one.gained for one in growth], "gained"),
                Series("Lost followers", [-one.lost for one in growth], "lost"),
            ],
        ),
    ]


def _second(n: int) -> str:
    return f"{n // 60}:{n % 60:02d}"


def story_charts(days: Sequence[DayFigures], retention: Sequence[float] = ()) -> list[Chart]:
    """A story's impressions and reach for each day it had any, and where its viewers dropped
    off: for each second, the share of views still watching."""
    charts = []
    if days:
        charts.append(
            bar_chart(
                "chart-story-reach",
                "Impressions and reach",
                "Impressions and unique viewers of this story each day (UTC).",
                [_day(one.day) for one in days],
                [
                    Series("Impressions", [one.impressions for one in days], "impressions"),
                    Series("Reach", [one.reach for one in days], "reach"),
                ],
            )
        )
    if retention:
        charts.append(
            bar_chart(
                "chart-story-retention",
                "Where viewers drop off",
                "The share of views still watching at each second of this story.",
                [_second(n) for n in range(len(retention))],
                [Series("Still watching", list(retention), "retention")],
                fmt=percent,
                row_heading="Second",
            )
        )
    return charts
