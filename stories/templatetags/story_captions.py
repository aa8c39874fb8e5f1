"""`{{ story|caption_html }}`: a caption with its hashtags, mentions and links as links;
`{{ story|caption_marked }}`: the same entities as marked spans, for captions inside something
that is already a link (a feed card). Both escape all the text (stories/captions.py)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from stories import captions

register = template.Library()


@register.filter
def caption_html(story) -> SafeString:
    return captions.caption_html(story.caption, story.caption_entities, links=True)


@register.filter
def caption_marked(story) -> SafeString:
    return captions.caption_html(story.caption, story.caption_entities, links=False)
