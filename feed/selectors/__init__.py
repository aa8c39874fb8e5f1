"""Reads for the home page and the feeds: For You, Following, the story tray, comments, and the
viewer's own state on stories (liked, seen). docs/ranking.md explains the For You score.

Every read starts from `stories.selectors.stories_visible(viewer=viewer)`, so blocks, suspensions, the
audience and the 24 hours hold here as everywhere. Pages are cut by cursors, never OFFSET (one
codec for every list: stories_site/cursors.py), and each costs the same few queries whatever its
size and however much data there is:

* For You (`ranking`): one ranked query (the viewer's own authors scored in full, everyone else
  walked from an index on the time-independent "hot" score) and one for the page's stories.
* Following (`following`): one query; window functions rank the followed accounts' live items
  by author in the database, which returns only the page.
* Tray (`following`): one query for the authors the viewer already relates to (self, follows,
  people whose items they watched), one index walk for everyone else, one for their items.
* Comments (`comments`) and the viewer's own state on stories (`viewer_state`).

Callers use this package's names (`from feed import selectors; selectors.for_you_page(...)`).
"""

from .comments import comment_on_visible_story, comments_for, visible_comment_count
from .following import (
    FOLLOWED_UNSEEN,
    OTHERS_UNSEEN,
    OWN,
    SEEN,
    TrayEntry,
    TrayPage,
    following_page,
    tray_page,
)
from .ranking import (
    COMMENT_BOOST,
    FOLLOW_BOOST,
    HOT_EPOCH,
    HOT_TAU,
    LIKE_BOOST,
    MAX_BOOST,
    MAX_EXCLUDED,
    MAX_RUN,
    Hot,
    followed_ids,
    for_you_page,
    hot_score,
    sqlite_hot,
)
from .viewer_state import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    FeedPage,
    InvalidCursor,
    Viewer,
    page_size_clamp,
    page_stories,
    seen_expression,
    stories_with_viewer_state,
    story_fully_seen,
)

__all__ = [
    "COMMENT_BOOST",
    "DEFAULT_PAGE_SIZE",
    "FOLLOWED_UNSEEN",
    "FOLLOW_BOOST",
    "HOT_EPOCH",
    "HOT_TAU",
    "LIKE_BOOST",
    "MAX_BOOST",
    "MAX_EXCLUDED",
    "MAX_PAGE_SIZE",
    "MAX_RUN",
    "OTHERS_UNSEEN",
    "OWN",
    "SEEN",
    "FeedPage",
    "Hot",
    "InvalidCursor",
    "TrayEntry",
    "TrayPage",
    "Viewer",
    "comment_on_visible_story",
    "comments_for",
    "followed_ids",
    "following_page",
    "for_you_page",
    "hot_score",
    "page_size_clamp",
    "page_stories",
    "seen_expression",
    "sqlite_hot",
    "stories_with_viewer_state",
    "story_fully_seen",
    "tray_page",
    "visible_comment_count",
]
