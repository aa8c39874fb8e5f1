"""The two ways media processing fails: the input's fault, or the machine's.

A timeout and a decoder that crashes are the input's fault: the same file would do the same
again, so they fail the story at once instead of being retried (issue #14). What stays transient
is the machine failing around a good file: a disk full, a tool that could not start, a child
killed with SIGKILL (the OOM killer)."""


class MediaError(Exception):
    """Input we refuse. `reason` is a plain sentence for the uploader: no paths, no ffmpeg output."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


class TransientMediaError(Exception):
    """A failure worth retrying (disk full, a tool that would not start): not the input's fault."""


# Reasons shared by several modules, so the same failure always reads the same way.
UNREADABLE = "This file is not a video or photo we can read."
DAMAGED = "This file is damaged or incomplete."
PROCESSING_FAILED = "We could not process this file."
TIMED_OUT = "This file took too long to process. Try a shorter or smaller file."


class MediaTimeout(MediaError):
    """A command ran past its wall-clock limit and was killed with its whole process group.

    A MediaError: the uploader reads the plain `reason`; `detail` (which tool, how long) is for
    the log only."""

    def __init__(self, detail: str, reason: str = TIMED_OUT):
        super().__init__(reason)
        self.detail = detail
