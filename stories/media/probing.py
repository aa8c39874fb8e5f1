"""What an upload really is, read from its content: magic bytes first, then a locked-down probe.

Only a handful of real containers get past the magic-byte check, and the probe itself (ffprobe,
or PyAV in a subprocess when ffprobe is missing) is told which demuxer to use, may open only
local files and only whitelisted container formats: playlists (HLS), concat scripts, image
sequences and every other format that can pull in a second file are refused.
"""

from __future__ import annotations

import json
import math
import os
import struct
import sys
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from django.conf import settings

from . import isobmff, runner
from .errors import DAMAGED, UNREADABLE, MediaError
from .photo import PHOTO_FORMATS, exif_rotation, open_image

# Every container any ffmpeg call may open. Nested demuxers (ID3-wrapped AAC, for instance)
# are checked against the same list.
FORMAT_WHITELIST = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,mp3,aac,ogg,wav,flac"
PROBE_SIZE_BYTES = 5_000_000
ANALYZE_MICROSECONDS = 5_000_000
PROBE_TIMEOUT_SECONDS = 30.0
MAX_VIDEO_SIDE = 8192
MAX_SOURCE_SECONDS = 600.0
HEAD_BYTES = 64

VIDEO_CODECS = frozenset({"h264", "hevc", "vp8", "vp9", "av1", "mpeg4", "h263", "prores", "mjpeg"})
AUDIO_CODECS = frozenset(
    {"aac", "mp3", "opus", "vorbis", "flac", "alac", "ac3", "eac3", "amr_nb", "amr_wb", "mp2"}
)
HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})
AVIF_BRANDS = frozenset({b"avif", b"avis"})
ISOBMFF_BOXES = frozenset({b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
MATROSKA_SEGMENT_ID = b"\x18\x53\x80\x67"


@dataclass(frozen=True)
class MediaInfo:
    kind: str
    container: str
    mime_type: str
    duration: float | None
    width: int | None
    height: int | None
    rotation: int
    fps: float | None
    video_codec: str | None
    pix_fmt: str | None
    audio_codec: str | None
    has_audio: bool
    bit_rate: int | None
    # Frame timing is irregular (phones, screen recorders); such clips are re-timed to CFR.
    variable_frame_rate: bool = False
    # ffprobe's names for the matrix ("bt709"), transfer ("arib-std-b67" is HLG, "smpte2084"
    # PQ), primaries and range ("tv", "pc"); None when unsaid. Conversions name them (colour.py).
    colour_space: str | None = None
    colour_transfer: str | None = None
    colour_primaries: str | None = None
    colour_range: str | None = None


@dataclass(frozen=True)
class Inspection:
    """MediaInfo plus the stream counts only this module's callers need."""

    info: MediaInfo
    video_streams: int
    audio_streams: int


@dataclass(frozen=True)
class _Sniffed:
    family: str  # "video" (audio or video container) or "photo"
    demuxer: str | None  # forced ffmpeg demuxer, None lets ffmpeg choose among the whitelist
    mime_type: str | None


def probe(path: str | os.PathLike) -> MediaInfo:
    """Describe exactly one real video, photo or audio file, or raise MediaError."""
    return inspect(path).info


def inspect(path: str | os.PathLike) -> Inspection:
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError:
        raise MediaError(UNREADABLE) from None
    if size == 0:
        raise MediaError("The file is empty.")
    sniffed = _sniff(head)
    if sniffed is None:
        raise MediaError(UNREADABLE)
    if sniffed.family == "photo":
        return _inspect_photo(path)
    _check_complete(path, size, sniffed.demuxer)
    report = _probe_report(path, sniffed.demuxer)
    return _inspection_from_report(report, sniffed)


def input_options(info: MediaInfo) -> dict[str, Any]:
    """ffmpeg input options for a file probed as `info`: forced demuxer, local file only."""
    demuxer = info.container.split(",")[0]
    return {
        "f": demuxer,
        "protocol_whitelist": "file",
        "format_whitelist": FORMAT_WHITELIST,
        "probesize": PROBE_SIZE_BYTES,
        "analyzeduration": ANALYZE_MICROSECONDS,
    }


def file_url(path: str | os.PathLike) -> str:
    """An absolute `file:` URL, so no path can be read as another protocol or an option."""
    return "file:" + str(Path(path).resolve())


# --- Magic bytes ----------------------------------------------------------------------------


def sniff_family(head: bytes) -> str | None:
    """A cheap upload-time verdict from the first bytes: "photo", "media" (a container that may
    hold video or audio; the probe decides which) or None for anything we never take."""
    sniffed = _sniff(head)
    if sniffed is None:
        return None
    return "photo" if sniffed.family == "photo" else "media"


def _sniff(head: bytes) -> _Sniffed | None:
    box_type, brand = head[4:8], head[8:12]
    if box_type == b"ftyp" and brand in HEIF_BRANDS | AVIF_BRANDS:
        return _Sniffed("photo", None, None)
    if box_type in ISOBMFF_BOXES:
        quicktime = box_type != b"ftyp" or brand == b"qt  "
        return _Sniffed("video", "mov", "video/quicktime" if quicktime else "video/mp4")
    if head.startswith(EBML_MAGIC):
        webm = b"webm" in head
        return _Sniffed("video", "matroska", "video/webm" if webm else "video/x-matroska")
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")) or (
        head.startswith(b"RIFF") and head[8:12] == b"WEBP"
    ):
        return _Sniffed("photo", None, None)
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return _Sniffed("video", "wav", "audio/wav")
    if head.startswith(b"OggS"):
        return _Sniffed("video", "ogg", "audio/ogg")
    if head.startswith(b"fLaC"):
        return _Sniffed("video", "flac", "audio/flac")
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return _Sniffed("video", None, None)  # MP3 or ADTS AAC: ffmpeg picks between the two
    return None


# --- Truncation -----------------------------------------------------------------------------


def _check_complete(path: Path, size: int, demuxer: str | None) -> None:
    """Refuse MP4/MOV and Matroska files whose top-level structure runs past the end of the file."""
    try:
        with path.open("rb") as handle:
            if demuxer == "mov":
                complete = isobmff.top_level_complete(handle, size)
            elif demuxer == "matroska":
                complete = _matroska_complete(handle, size)
            else:
                complete = True
    except (OSError, struct.error, ValueError):
        complete = False
    if not complete:
        raise MediaError(DAMAGED)


def _matroska_complete(handle, size: int) -> bool:
    data = handle.read(4096)
    position = 4
    header_size, position = _read_vint(data, position)
    position += header_size  # skip the EBML header
    if data[position : position + 4] != MATROSKA_SEGMENT_ID:
        return False
    position += 4
    start = position
    segment_size, position = _read_vint(data, position)
    unknown = segment_size == (1 << (7 * (position - start))) - 1
    return unknown or position + segment_size <= size


def _read_vint(data: bytes, position: int) -> tuple[int, int]:
    """An EBML variable-length size: (value, position after it)."""
    first = data[position]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    if length > 8 or position + length > len(data):
        raise ValueError("bad EBML size")
    value = first & ((0x80 >> (length - 1)) - 1)
    for byte in data[position + 1 : position + length]:
        value = (value << 8) | byte
    return value, position + length


# --- Probing --------------------------------------------------------------------------------


def _probe_report(path: Path, demuxer: str | None) -> dict[str, Any]:
    """ffprobe's JSON report, or the same shape from PyAV when there is no ffprobe."""
    ffprobe = runner.ffprobe_binary()
    timeout = min(PROBE_TIMEOUT_SECONDS, runner.default_timeout())
    if ffprobe:
        args = [
            ffprobe,
            "-v",
            "error",
            "-hide_banner",
            "-of",
            "json",
            "-show_format",
            "-show_streams",
            "-protocol_whitelist",
            "file",
            "-format_whitelist",
            FORMAT_WHITELIST,
            "-probesize",
            str(PROBE_SIZE_BYTES),
            "-analyzeduration",
            str(ANALYZE_MICROSECONDS),
            *(["-f", demuxer] if demuxer else []),
            "-i",
            file_url(path),
        ]
    else:
        args = [
            sys.executable,
            "-I",
            str(Path(__file__).with_name("_avprobe.py")),
            file_url(path),
            demuxer or "",
            FORMAT_WHITELIST,
            str(PROBE_SIZE_BYTES),
            str(ANALYZE_MICROSECONDS),
        ]
    output = runner.run(args, failure_reason=UNREADABLE, timeout=timeout)
    try:
        report = json.loads(output)
    except ValueError:
        raise MediaError(UNREADABLE) from None
    if not isinstance(report, dict) or not report.get("format") or not report.get("streams"):
        raise MediaError(UNREADABLE)
    return report


def _inspection_from_report(report: dict[str, Any], sniffed: _Sniffed) -> Inspection:
    form = report["format"]
    streams = [stream for stream in report["streams"] if isinstance(stream, dict)]
    videos = [
        stream
        for stream in streams
        if stream.get("codec_type") == "video" and not (stream.get("disposition") or {}).get("attached_pic")
    ]
    audios = [stream for stream in streams if stream.get("codec_type") == "audio"]
    if len(videos) > 1:
        raise MediaError("This video has more than one video track; we accept exactly one.")
    video = videos[0] if videos else None
    audio = audios[0] if audios else None
    if video is None and audio is None:
        raise MediaError(UNREADABLE)
    kind = "video" if video else "audio"

    durations = [_number(form.get("duration"))] + [_number(stream.get("duration")) for stream in streams]
    known = [value for value in durations if value is not None and value > 0]
    duration = max(known) if known else None
    if duration is not None and duration > MAX_SOURCE_SECONDS:
        noun = "video" if kind == "video" else "sound"
        raise MediaError(f"The {noun} is too long to process (over {MAX_SOURCE_SECONDS / 60:g} minutes).")

    audio_codec = audio.get("codec_name") if audio else None
    if audio is not None and audio_codec not in AUDIO_CODECS and not str(audio_codec).startswith("pcm_"):
        raise MediaError("The sound in this file is in a format we do not support.")

    width = height = None
    rotation = 0
    fps = None
    variable = False
    if video is not None:
        if video.get("codec_name") not in VIDEO_CODECS:
            raise MediaError("This video is encoded in a format we do not support.")
        width, height, rotation = _display_geometry(video)
        average = _rate(video.get("avg_frame_rate"))
        real = _rate(video.get("r_frame_rate"))
        fps = average or real
        variable = bool(average and real and abs(average - real) > 0.01 * average)

    container = str(form.get("format_name") or "")
    info = MediaInfo(
        kind=kind,
        container=container,
        mime_type=_mime_type(kind, container, sniffed),
        duration=duration,
        width=width,
        height=height,
        rotation=rotation,
        fps=round(fps, 3) if fps else None,
        video_codec=video.get("codec_name") if video else None,
        pix_fmt=video.get("pix_fmt") if video else None,
        audio_codec=audio_codec,
        has_audio=audio is not None,
        bit_rate=_integer(form.get("bit_rate")),
        variable_frame_rate=variable,
        colour_space=_colour_name(video, "color_space"),
        colour_transfer=_colour_name(video, "color_transfer"),
        colour_primaries=_colour_name(video, "color_primaries"),
        colour_range=_colour_name(video, "color_range"),
    )
    return Inspection(info=info, video_streams=len(videos), audio_streams=len(audios))


def _colour_name(video: dict[str, Any] | None, key: str) -> str | None:
    name = video.get(key) if video else None
    return (
        name
        if isinstance(name, str) and name.isascii() and name.isprintable() and name != "unknown"
        else None
    )


def _display_geometry(video: dict[str, Any]) -> tuple[int, int, int]:
    """Width and height as shown (sample aspect ratio and rotation applied), and the rotation."""
    width, height = _integer(video.get("width")) or 0, _integer(video.get("height")) or 0
    if width <= 0 or height <= 0:
        raise MediaError(DAMAGED)
    if width > MAX_VIDEO_SIDE or height > MAX_VIDEO_SIDE:
        raise MediaError(f"The video is too large (over {MAX_VIDEO_SIDE} pixels on a side).")
    limit = int(settings.STORIES_MAX_PIXELS)
    if width * height > limit:
        raise MediaError(f"The video is too large (over {limit / 1_000_000:g} megapixels).")
    sample_aspect = _rate(video.get("sample_aspect_ratio"))
    if sample_aspect and abs(sample_aspect - 1) > 0.01:
        width = max(2, round(width * sample_aspect))
    rotation = _rotation(video)
    if rotation in (90, 270):
        width, height = height, width
    return width, height, rotation


def _rotation(video: dict[str, Any]) -> int:
    """Clockwise display rotation: a display matrix's angle is counter-clockwise, `rotate` is not."""
    for side_data in video.get("side_data_list") or []:
        angle = _number(side_data.get("rotation")) if isinstance(side_data, dict) else None
        if angle is not None:
            return round(-angle / 90) % 4 * 90
    angle = _number((video.get("tags") or {}).get("rotate"))
    return round(angle / 90) % 4 * 90 if angle is not None else 0


def _mime_type(kind: str, container: str, sniffed: _Sniffed) -> str:
    demuxer = container.split(",")[0]
    if demuxer == "mov":
        return "audio/mp4" if kind == "audio" else sniffed.mime_type or "video/mp4"
    if demuxer == "matroska":
        webm = sniffed.mime_type == "video/webm"
        if kind == "audio":
            return "audio/webm" if webm else "audio/x-matroska"
        return sniffed.mime_type or "video/x-matroska"
    if kind == "video":
        raise MediaError(UNREADABLE)  # pictures inside an audio container (Ogg Theora and the like)
    return {"mp3": "audio/mpeg", "aac": "audio/aac"}.get(demuxer) or sniffed.mime_type or "audio/mpeg"


def _inspect_photo(path: Path) -> Inspection:
    with open_image(path) as image:
        mime_type, container, codec = PHOTO_FORMATS[image.format]
        width, height = image.size
        rotation = exif_rotation(image)
    if rotation in (90, 270):
        width, height = height, width
    info = MediaInfo(
        kind="photo",
        container=container,
        mime_type=mime_type,
        duration=None,
        width=width,
        height=height,
        rotation=rotation,
        fps=None,
        video_codec=codec,
        pix_fmt=None,
        audio_codec=None,
        has_audio=False,
        bit_rate=None,
    )
    return Inspection(info=info, video_streams=0, audio_streams=0)


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _integer(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None


def _rate(value: Any) -> float | None:
    """'30000/1001' or '1:1' as a float; None for unknown ('0/0', 'N/A')."""
    if not isinstance(value, str):
        return None
    try:
        rate = Fraction(value.replace(":", "/"))
    except (ValueError, ZeroDivisionError):
        return None
    return float(rate) if rate > 0 else None
