"""Things that change stories: creating them from an upload, processing, expiry, deletion, the
purge, storage reconciliation and sounds. Views, serializers and Celery tasks call these; the
rules live nowhere else. `from stories import services` gives every public name:

- upload.py: checking the options a person chose (declared in stories/options.py), and keeping
  the upload (the durable record);
- processing.py: dispatching, the leased attempt that transcodes, the stuck-story sweeper;
- retention.py: deletion, expiry and the batched purge;
- scheduling.py: scheduled stories (publish_at, the publish sweep, reschedule, publish now);
- reconcile.py: stored files no row refers to;
- sounds.py: the sound library;
- follows.py: following someone from one of their stories (the story's half of a follow);
- common.py: who may post, storage helpers, scratch directories.
"""

from ..options import LIFETIMES, MAX_CAPTION_LENGTH, clean_lifetime
from .common import (
    clear_abandoned_work_dirs,
    delete_stored,
    ensure_can_post,
    store_file,
    work_directory,
)
from .processing import (
    MAX_PROCESSING_ATTEMPTS,
    dispatch_processing,
    fail_story,
    forget_dispatch,
    process_story,
    requeue_stuck_stories,
)
from .reconcile import ReconcileReport, reconcile_storage
from .retention import (
    PurgeReport,
    delete_story,
    expire_due_stories,
    purge_backlog,
    purge_stories,
    purgeable_stories,
)
from .scheduling import (
    publish_due,
    publish_due_stories,
    story_publish_now,
    story_reschedule,
)
from .sounds import (
    SOUND_MAX_SECONDS,
    available_sounds,
    create_sound,
    own_sounds,
    process_sound,
    sound_from_story,
    sound_publish,
    withdraw_lifted_sounds,
)
from .upload import (
    UNREADABLE_UPLOAD,
    StoryOptions,
    clean_options,
    create_story,
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
    "available_sounds",
    "clean_lifetime",
    "clean_options",
    "clear_abandoned_work_dirs",
    "create_sound",
    "create_story",
    "delete_stored",
    "delete_story",
    "dispatch_processing",
    "ensure_can_post",
    "expire_due_stories",
    "fail_story",
    "forget_dispatch",
    "own_sounds",
    "process_sound",
    "process_story",
    "publish_due",
    "publish_due_stories",
    "purge_backlog",
    "purge_stories",
    "purgeable_stories",
    "reconcile_storage",
    "requeue_stuck_stories",
    "sound_from_story",
    "sound_publish",
    "store_file",
    "story_publish_now",
    "story_reschedule",
    "withdraw_lifted_sounds",
    "work_directory",
]
