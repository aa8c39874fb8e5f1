"""Things that change stories: creating them from an upload, processing, expiry, deletion, the
purge, storage reconciliation and sounds. Views, serializers and Celery tasks call these; the
rules live nowhere else. `from stories import services` gives every public name:

- upload.py: checking the options a person chose (declared in stories/options.py), and keeping
  the upload (the durable record);
- processing.py: dispatching, the leased attempt that transcodes, the stuck-story sweeper;
- retention.py: deletion, expiry and the batched purge;
- scheduling.py: scheduled stories (publish_at, the publish sweep, reschedule, publish now);
- reconcile.py: stored files no row refers to;
- renditions.py: the sized WebP posters the pages show (stories/renditions.py);
- sounds.py: the sound library;
- follows.py: following someone from one of their stories (the story's half of a follow);
- common.py: who may post, storage helpers, scratch directories.
"""

from ..options import LIFETIMES, MAX_CAPTION_LENGTH, lifetime_clean
from .common import (
    author_ensure_can_post,
    file_store,
    stored_delete,
    work_directory,
    work_dirs_clear_abandoned,
)
from .processing import (
    MAX_PROCESSING_ATTEMPTS,
    stories_requeue_stuck,
    story_dispatch_processing,
    story_fail,
    story_forget_dispatch,
    story_process,
)
from .reconcile import ReconcileReport, storage_reconcile
from .renditions import (
    stories_without_renditions,
    story_renditions_make,
    story_renditions_make_by_id,
)
from .retention import (
    PurgeReport,
    stories_expire_due,
    stories_purge,
    stories_purge_backlog,
    stories_purgeable,
    story_delete,
)
from .scheduling import (
    stories_publish_due,
    story_publish_due,
    story_publish_now,
    story_reschedule,
)
from .sounds import (
    SOUND_MAX_SECONDS,
    sound_create,
    sound_create_from_story,
    sound_process,
    sound_publish,
    sounds_available,
    sounds_owned,
    sounds_withdraw_lifted,
)
from .upload import (
    UNREADABLE_UPLOAD,
    StoryOptions,
    story_create,
    story_options_clean,
)

__all__ = [
    "LIFETIMES",
    "MAX_CAPTION_LENGTH",
    "MAX_PROCESSING_ATTEMPTS",
    "SOUND_MAX_SECONDS",
    "UNREADABLE_UPLOAD",
    "PurgeReport",
    "ReconcileReport",
    "StoryOptions",
    "author_ensure_can_post",
    "file_store",
    "lifetime_clean",
    "sound_create",
    "sound_create_from_story",
    "sound_process",
    "sound_publish",
    "sounds_available",
    "sounds_owned",
    "sounds_withdraw_lifted",
    "storage_reconcile",
    "stored_delete",
    "stories_expire_due",
    "stories_publish_due",
    "stories_purge",
    "stories_purge_backlog",
    "stories_purgeable",
    "stories_requeue_stuck",
    "stories_without_renditions",
    "story_create",
    "story_delete",
    "story_dispatch_processing",
    "story_fail",
    "story_forget_dispatch",
    "story_options_clean",
    "story_process",
    "story_publish_due",
    "story_publish_now",
    "story_renditions_make",
    "story_renditions_make_by_id",
    "story_reschedule",
    "work_directory",
    "work_dirs_clear_abandoned",
]
