"""Reusable sounds: an uploaded original, or the audio lifted from a story ("use this sound")."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import ffmpeg

from . import runner
from .errors import DAMAGED, PROCESSING_FAILED, MediaError
from .probing import file_url, input_options, inspect
from .video import AUDIO_OPTIONS


@dataclass(frozen=True)
class SoundResult:
    audio: Path
    content_type: str
    duration: float


def process_sound(
    src: str | os.PathLike, out_dir: str | os.PathLike, *, max_seconds: float = 60.0
) -> SoundResult:
    """The first max_seconds of the file's only audio track as AAC in .m4a, metadata stripped."""
    if not (isinstance(max_seconds, int | float) and math.isfinite(max_seconds) and max_seconds > 0):
        raise MediaError("The sound length limit must be a positive number of seconds.")
    inspection = inspect(src)
    if inspection.audio_streams == 0:
        raise MediaError("This file has no sound we can use.")
    if inspection.audio_streams > 1:
        raise MediaError("This file has more than one sound track; we accept exactly one.")
    path = Path(out_dir) / "sound.m4a"
    source = ffmpeg.input(file_url(src), threads=runner.threads(), **input_options(inspection.info))
    output = ffmpeg.output(
        source["a:0"],
        file_url(path),
        f="ipod",
        t=f"{max_seconds:.3f}",
        map_metadata=-1,
        map_chapters=-1,
        movflags="+faststart",
        fflags="+bitexact",
        **AUDIO_OPTIONS,
    )
    runner.run_ffmpeg(output, failure_reason=PROCESSING_FAILED)
    result = inspect(path).info
    if result.kind != "audio" or not result.duration:
        raise MediaError(DAMAGED)
    return SoundResult(audio=path, content_type="audio/mp4", duration=result.duration)
