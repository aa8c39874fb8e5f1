"""ISO BMFF (MP4, MOV) boxes read in plain Python, without a demuxer or a decoder.

Two uses. The probe refuses an upload whose top-level boxes run past the end of the file
(`top_level_complete`). The stream-copy path reads what it needs of the MP4 its own ffmpeg run
has just written (`written_movie`: a whole file, a movie header, its length, a picture track)
instead of starting ffprobe again: each start of Debian's ffprobe costs about 0.1 s before it reads
a byte, a fifth of a camera clip's upload-to-ready. Only box headers, the movie header and the
handler boxes are read; nothing here touches the (uploaded) picture or sound.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

# The moov of a 15 s story is tens of KB (sample tables); a larger one is not a story MP4.
MAX_MOVIE_BOX_BYTES = 16 * 1024 * 1024
# Movie header (mvhd) durations of all ones mean "unknown".
UNKNOWN_DURATION = (0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF)


@dataclass(frozen=True)
class Movie:
    """What an MP4 says of itself in its movie box."""

    duration: float  # seconds, the movie header's: what ffprobe gives as the format duration
    has_picture: bool  # a track whose handler is "vide"


def top_level_complete(handle: BinaryIO, size: int) -> bool:
    """Whether the top-level boxes tile the file exactly and one of them is a moov."""
    try:
        kinds = [kind for kind, _, _ in _top_level(handle, size)]
    except ValueError:
        return False
    return b"moov" in kinds


def written_movie(path: str | os.PathLike) -> Movie | None:
    """The movie box of an MP4 that ffmpeg wrote (not fragmented); None when the file is cut
    short, has no movie header or states no length."""
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            boxes = list(_top_level(handle, size))
            moov = next(((start, length) for kind, start, length in boxes if kind == b"moov"), None)
            if moov is None or not 0 <= moov[1] <= MAX_MOVIE_BOX_BYTES:
                return None
            handle.seek(moov[0])
            return _movie(handle.read(moov[1]))
    except (OSError, struct.error, ValueError, IndexError):
        return None


def _top_level(handle: BinaryIO, size: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, payload length) of each top-level box; ValueError when a box runs
    past the end of the file or the file ends inside a box header."""
    position = 0
    while position < size:
        handle.seek(position)
        box_size, kind, header_size = _box_header(handle.read(16), size - position)
        yield kind, position + header_size, box_size - header_size
        position += box_size


def _box_header(header: bytes, room: int) -> tuple[int, bytes, int]:
    """(box size, type, header size) from the bytes at a box's start; `room` is how many bytes
    are left in its parent (or the file). ValueError when the box does not fit."""
    if len(header) < 8:
        raise ValueError("box header cut short")
    box_size, kind = struct.unpack(">I4s", header[:8])
    header_size = 8
    if box_size == 1:
        if len(header) < 16:
            raise ValueError("box header cut short")
        box_size, header_size = struct.unpack(">Q", header[8:16])[0], 16
    elif box_size == 0:
        box_size = room
    if box_size < 8 or box_size > room:
        raise ValueError("box runs past its parent")
    return box_size, kind, header_size


def _children(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of the boxes inside data[start:end]."""
    position = start
    while position < end:
        box_size, kind, header_size = _box_header(data[position : position + 16], end - position)
        if box_size < header_size:
            raise ValueError("box smaller than its header")
        yield kind, position + header_size, position + box_size
        position += box_size


def _movie(moov: bytes) -> Movie | None:
    duration = None
    has_picture = False
    for kind, start, end in _children(moov, 0, len(moov)):
        if kind == b"mvhd":
            duration = _movie_header_seconds(moov[start:end])
        elif kind == b"trak":
            has_picture = has_picture or _handler(moov, start, end) == b"vide"
    if duration is None:
        return None
    return Movie(duration=duration, has_picture=has_picture)


def _movie_header_seconds(payload: bytes) -> float | None:
    """mvhd: version, flags, two dates (32 or 64 bits), time scale, duration (32 or 64 bits).
    Rounded to the microsecond, as libavformat rescales it for ffprobe."""
    if payload[0] == 1:
        timescale, duration = struct.unpack(">IQ", payload[20:32])
    else:
        timescale, duration = struct.unpack(">II", payload[12:20])
    if timescale == 0 or duration in UNKNOWN_DURATION:
        return None
    return round(duration * 1_000_000 / timescale) / 1_000_000


def _handler(data: bytes, start: int, end: int) -> bytes | None:
    """A track's handler type (trak > mdia > hdlr: version, flags, pre_defined, handler type)."""
    for kind, mdia_start, mdia_end in _children(data, start, end):
        if kind != b"mdia":
            continue
        for inner, hdlr_start, hdlr_end in _children(data, mdia_start, mdia_end):
            if inner == b"hdlr" and hdlr_end - hdlr_start >= 12:
                return data[hdlr_start + 8 : hdlr_start + 12]
    return None
