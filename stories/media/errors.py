"""The two ways media processing fails: the input's fault, or the machine's."""


class MediaError(Exception):
    """Input we refuse. `reason` is a plain sentence for the uploader: no paths, no ffmpeg output."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


class TransientMediaError(Exception):
    """A failure worth retrying (timeout under load, disk full): not the input's fault."""


class MediaTimeout(TransientMediaError):
    """A command ran past its wall-clock limit and was killed with its whole process group."""


# Reasons shared by several modules, so the same failure always reads the same way.
UNREADABLE = "This file is not a video or photo we can read."
DAMAGED = "This file is damaged or incomplete."
PROCESSING_FAILED = "We could not process this file."
