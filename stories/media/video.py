"""Story clips: one ffmpeg run turns an upload into an H.264/AAC MP4 and its JPEG poster.

Already-compliant phone clips (H.264 yuv420p, AAC, small enough, no edits asked for) are stream
copied, as Mastodon does, and get their poster from a cheap single-frame decode in the same run.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import ffmpeg
from django.conf import settings

from . import colour, isobmff, runner
from .errors import DAMAGED, PROCESSING_FAILED, MediaError
from .filters import Filter, get_filter
from .probing import MediaInfo, file_url, input_options, probe

# The first video stream that is not cover art (an attached picture).
PICTURE = "V:0"
MAX_LONG_SIDE = 1920
MAX_SHORT_SIDE = 1080
MAX_FPS = 30
COPY_MAX_BIT_RATE = 8_000_000
AUDIO_SAMPLE_RATE = 48000
AUDIO_BIT_RATE = "128k"
# The added sound sits a little under the clip's own audio, as in most story apps.
MIXED_SOUND_VOLUME = 0.7
SOUND_MODES = ("mix", "replace")
POSTER_QUALITY = 3  # mjpeg -q:v, 2 (best) to 31
PAST_THE_END = "Trim start is past the end of the clip."
# A stream copy cuts at whole packets and the MP4 header rounds up: stop a little early so the
# result never measures over the limit.
COPY_CUT_MARGIN = 0.05


@dataclass(frozen=True)
class VideoResult:
    video: Path
    poster: Path
    content_type: str
    poster_content_type: str
    duration: float
    width: int
    height: int
    copied: bool


def max_clip_seconds() -> float:
    return float(settings.STORIES_MAX_CLIP_SECONDS)


def process_video(
    src: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    trim_start: float = 0.0,
    filter_name: str = "none",
    sound: str | os.PathLike | None = None,
    sound_mode: str = "mix",
    info: MediaInfo | None = None,
) -> VideoResult:
    """Keep [trim_start, trim_start + 15 s] of `src` as a web-ready MP4 plus a poster in out_dir."""
    look = get_filter(filter_name)
    if sound_mode not in SOUND_MODES:
        raise MediaError("Unknown sound mode.")
    trim_start = _checked_trim(trim_start)
    info = info or probe(src)
    if info.kind != "video":
        raise MediaError("This file is not a video.")
    if info.duration is not None and trim_start >= info.duration:
        raise MediaError(PAST_THE_END)
    length = max_clip_seconds()
    if info.duration is not None:
        length = min(length, info.duration - trim_start)
    sound_info = _sound_info(sound) if sound is not None else None

    out_dir = Path(out_dir)
    video_path, poster_path = out_dir / "video.mp4", out_dir / "poster.jpg"
    copied = can_copy(info, trim_start=trim_start, look=look, sound=sound)
    if copied:
        _copy(src, info, video_path, poster_path, length)
    else:
        _transcode(
            src, info, video_path, poster_path, trim_start, length, look, sound, sound_info, sound_mode
        )

    made_nothing = MediaError(PAST_THE_END if trim_start > 0 else DAMAGED)
    if not poster_path.is_file() or poster_path.stat().st_size == 0:
        raise made_nothing
    if copied:
        duration, width, height = _copied_movie(video_path, info)
    else:
        result = probe(video_path)
        if result.kind != "video" or not result.duration:
            raise made_nothing
        duration, width, height = result.duration, result.width or 0, result.height or 0
    return VideoResult(
        video=video_path,
        poster=poster_path,
        content_type="video/mp4",
        poster_content_type="image/jpeg",
        duration=duration,
        width=width,
        height=height,
        copied=copied,
    )


def _copied_movie(video_path: Path, info: MediaInfo) -> tuple[float, int, int]:
    """Length and size of the MP4 the copy wrote, without probing it (another process start,
    ~0.1 s of the ~0.4 s a camera clip takes): what the probe established is read from the
    file's movie box (whole, a picture track, a length: the one ffprobe reports), and a
    stream copy keeps the upload's picture, so its size is the one the upload was probed at."""
    movie = isobmff.written_movie(video_path)
    if movie is None or not movie.has_picture or not movie.duration:
        raise MediaError(DAMAGED)
    return movie.duration, info.width or 0, info.height or 0


def can_copy(info: MediaInfo, *, trim_start: float, look: Filter, sound: object) -> bool:
    """Whether the upload's picture can be stream copied untouched (Mastodon's rule). Its sound
    is copied too when it is AAC, else encoded to AAC (cheap): browsers' MediaRecorder writes
    H.264 with Opus where it has no AAC encoder (Chromium on Linux). A variable frame rate is
    copied when it averages at most MAX_FPS, as every camera recording in a browser does (its
    frames carry capture times, at whatever rate the camera delivers); one that averages more
    is re-encoded to MAX_FPS."""
    return (
        trim_start == 0
        and look.is_identity
        and sound is None
        and info.container.split(",")[0] == "mov"
        and info.video_codec == "h264"
        and info.pix_fmt == "yuv420p"
        and info.rotation == 0
        and info.fps is not None
        and info.fps <= MAX_FPS
        and info.bit_rate is not None
        and info.bit_rate <= COPY_MAX_BIT_RATE
        and info.width is not None
        and info.height is not None
        and info.width % 2 == 0
        and info.height % 2 == 0
        and fit_within_bounds(info.width, info.height) == (info.width, info.height)
    )


def fit_within_bounds(width: int, height: int) -> tuple[int, int]:
    """Even dimensions no larger than 1080x1920 (portrait) or 1920x1080 (landscape), same shape."""
    bound_w, bound_h = (MAX_LONG_SIDE, MAX_SHORT_SIDE) if width > height else (MAX_SHORT_SIDE, MAX_LONG_SIDE)
    scale = min(1.0, bound_w / width, bound_h / height)
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def _checked_trim(trim_start: float) -> float:
    try:
        value = float(trim_start)
    except (TypeError, ValueError):
        value = math.nan
    if isinstance(trim_start, bool) or not math.isfinite(value) or value < 0:
        raise MediaError("Trim start must be a number of seconds from the start of the clip.")
    return value


def _sound_info(sound: str | os.PathLike) -> MediaInfo:
    sound_info = probe(sound)
    if not sound_info.has_audio:
        raise MediaError("The chosen sound has no audio.")
    return sound_info


def _output_options(length: float) -> dict[str, object]:
    """Options every story MP4 gets: length cap, no metadata or chapters, moov first."""
    return {
        "f": "mp4",
        "t": f"{length:.3f}",
        "map_metadata": -1,
        "map_chapters": -1,
        "movflags": "+faststart",
        "fflags": "+bitexact",
        "threads": runner.threads(),
        "shortest": None,
    }


AUDIO_OPTIONS = {"acodec": "aac", "b:a": AUDIO_BIT_RATE, "ar": AUDIO_SAMPLE_RATE, "ac": 2}
POSTER_OPTIONS = {
    "f": "image2",
    "update": 1,
    "vframes": 1,
    "vcodec": "mjpeg",
    **colour.JPEG_ENCODER_OPTIONS,
    "q:v": POSTER_QUALITY,
    "map_metadata": -1,
    "fflags": "+bitexact",
    "flags": "+bitexact",
}


def _silence():
    return ffmpeg.input(f"anullsrc=channel_layout=stereo:sample_rate={AUDIO_SAMPLE_RATE}", f="lavfi")


def _open(src: str | os.PathLike, info: MediaInfo, **options):
    return ffmpeg.input(file_url(src), threads=runner.threads(), **options, **input_options(info))


def _copy(src, info: MediaInfo, video_path: Path, poster_path: Path, length: float) -> None:
    """Stream copy of the picture (and of AAC sound; other sound is encoded to AAC, a silent AAC
    track if the clip has none) and a one-frame poster, in one ffmpeg run: each start of Debian's
    ffmpeg costs about 0.1 s before it reads a byte.

    The poster decodes from a second opening of the upload that reads only its picture: ffmpeg
    stops reading an input once the outputs it feeds are done, so the poster costs a frame or
    two. Decoded from the copy's own input, the whole clip would be decoded (the input is read
    to the end for the copy). The poster is the first output for the same reason: listed after
    the copy, Debian's ffmpeg 5.1 reads its input to the end all the same."""
    if info.duration is None or info.duration > length:
        length -= COPY_CUT_MARGIN
    source = _open(src, info)
    if info.has_audio and info.audio_codec == "aac":
        audio, audio_options = source["a:0"], {"acodec": "copy"}
    elif info.has_audio:
        audio, audio_options = source["a:0"], AUDIO_OPTIONS
    else:
        audio, audio_options = _silence(), AUDIO_OPTIONS
    clip = ffmpeg.output(
        source[PICTURE],
        audio,
        file_url(video_path),
        vcodec="copy",
        **audio_options,
        **_output_options(length),
    )
    poster = ffmpeg.output(
        colour.poster_picture(_open(src, info, an=None)[PICTURE], info),
        file_url(poster_path),
        threads=runner.threads(),
        **POSTER_OPTIONS,
    )
    runner.run_ffmpeg(ffmpeg.merge_outputs(poster, clip), failure_reason=PROCESSING_FAILED)


def _transcode(
    src,
    info: MediaInfo,
    video_path: Path,
    poster_path: Path,
    trim_start: float,
    length: float,
    look: Filter,
    sound,
    sound_info: MediaInfo | None,
    sound_mode: str,
) -> None:
    """One decode feeding both outputs: the MP4 and (through split) the poster's first frame."""
    source = _open(src, info, **({"ss": f"{trim_start:.3f}"} if trim_start else {}))
    picture = source[PICTURE]
    if (info.fps or 0) > MAX_FPS or info.variable_frame_rate:
        picture = picture.filter("fps", MAX_FPS)
    width, height = fit_within_bounds(info.width or 2, info.height or 2)
    # The look works on the planes the encoder takes: 8-bit limited-range 4:2:0.
    picture = colour.story_planes(picture, info, width, height).filter("setsar", 1)
    picture = look.apply_to_stream(picture, info.colour_space)
    frames = picture.split()

    audio = _audio(source, info, sound, sound_info, sound_mode)
    clip = ffmpeg.output(
        frames[0],
        audio,
        file_url(video_path),
        vcodec="libx264",
        preset="veryfast",
        crf=23,
        **{"profile:v": "high", "pix_fmt": "yuv420p"},
        **AUDIO_OPTIONS,
        **_output_options(length),
    )
    poster_frame = colour.poster_picture(frames[1], info, from_story_planes=True)
    poster = ffmpeg.output(poster_frame, file_url(poster_path), **POSTER_OPTIONS)
    runner.run_ffmpeg(ffmpeg.merge_outputs(clip, poster), failure_reason=PROCESSING_FAILED)


def _audio(source, info: MediaInfo, sound, sound_info: MediaInfo | None, sound_mode: str):
    """The clip's audio, the chosen sound (looped), both mixed, or silence.

    Every stream here is padded or looped to be endless; -t and -shortest cut it to the video.
    """
    if sound is None or sound_info is None:
        return source["a:0"] if info.has_audio else _silence()
    looped = _open(sound, sound_info, stream_loop=-1)["a:0"]
    if sound_mode == "replace" or not info.has_audio:
        return looped
    own = source["a:0"].filter("apad")
    mixed = ffmpeg.filter(
        [own, looped.filter("volume", MIXED_SOUND_VOLUME)],
        "amix",
        inputs=2,
        duration="first",
        dropout_transition=0,
        normalize=0,
    )
    return mixed.filter("alimiter", limit=0.95)
