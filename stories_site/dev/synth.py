"""Generated media for tests and the demo: colourful clips, photos and tones, made on the spot.

Everything goes through the same runner as real processing. Nothing here reads user input.
"""

from __future__ import annotations

import os
import struct
from functools import cache
from pathlib import Path

import ffmpeg
from PIL import Image, ImageColor, ImageDraw

from stories.media import runner

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "/System/Library/Fonts/Supplemental/Arial Bold.ttf",
)
CONTAINER_BY_SUFFIX = {".mp4": "mp4", ".mov": "mov", ".m4v": "mp4", ".webm": "webm", ".mkv": "matroska"}
TONE_CODECS = {
    ".m4a": ("aac", "ipod"),
    ".mp3": ("libmp3lame", "mp3"),
    ".ogg": ("libvorbis", "ogg"),
    ".opus": ("libopus", "ogg"),
    ".wav": ("pcm_s16le", "wav"),
    ".flac": ("flac", "flac"),
    ".aac": ("aac", "adts"),
}
PATTERNS = {
    "testsrc2": "testsrc2=size={width}x{height}:rate={fps}",
    "mandelbrot": "mandelbrot=size={width}x{height}:rate={fps}",
    "life": (
        "life=size={width}x{height}:rate={fps}:ratio=0.2:mold=8"
        ":life_color=#feca57:death_color=#341f97:mold_color=#ff6b6b"
    ),
    "cellauto": "cellauto=size={width}x{height}:rate={fps}:rule=110:random_fill_ratio=0.3",
}
# cellauto draws black and white; a tint makes it pleasant.
PATTERN_TINTS = {"cellauto": {"rr": 1.0, "gg": 0.55, "bb": 0.85}}


@cache
def available_encoders() -> frozenset[str]:
    output = runner.run([runner.ffmpeg_binary(), "-hide_banner", "-encoders"], timeout=30)
    names = set()
    for line in output.decode("utf-8", "replace").splitlines():
        parts = line.split()
        if len(parts) >= 2 and len(parts[0]) == 6 and parts[0][0] in "VAS":
            names.add(parts[1])
    return frozenset(names)


def video_encoder(codec: str) -> tuple[str, dict[str, object]]:
    """The fastest available encoder for `codec` and its options; ValueError if there is none."""
    choices: dict[str, list[tuple[str, dict[str, object]]]] = {
        "h264": [("libx264", {"preset": "ultrafast", "crf": 26})],
        "hevc": [("libx265", {"preset": "ultrafast", "crf": 30, "x265-params": "log-level=none"})],
        "vp9": [("libvpx-vp9", {"deadline": "realtime", "cpu-used": 8, "crf": 40, "b:v": 0})],
        "vp8": [("libvpx", {"deadline": "realtime", "cpu-used": 16, "b:v": "1M"})],
        "av1": [
            ("libsvtav1", {"preset": 12, "crf": 45}),
            ("libaom-av1", {"cpu-used": 8, "usage": "realtime", "crf": 45, "b:v": 0}),
        ],
        "mpeg4": [("mpeg4", {"q:v": 5})],
    }
    for encoder, options in choices.get(codec, []):
        if encoder in available_encoders():
            return encoder, options
    raise ValueError(f"No encoder for {codec} in this ffmpeg.")


def font_file() -> str | None:
    return next((font for font in FONT_CANDIDATES if os.path.exists(font)), None)


def make_video(
    path: str | os.PathLike,
    *,
    seconds: float,
    width: int,
    height: int,
    codec: str = "h264",
    fps: float = 30,
    audio: bool = True,
    rotation: int = 0,
    text: str | None = None,
    variable_fps: bool = False,
    pix_fmt: str | None = None,
    colour: str | None = None,
    pattern: str = "testsrc2",
    audio_rate: int = 48000,
    audio_channels: int = 2,
    metadata: dict[str, str] | None = None,
    still: str | os.PathLike | None = None,
    colour_space: str | None = None,
    full_range: bool = False,
) -> Path:
    """A clip of `width`x`height` stored frames; the container follows the suffix.

    rotation writes a display matrix like phones do: rotation=90 on 640x360 frames displays as
    360x640 portrait. variable_fps drops frames irregularly from a 2x-rate source and keeps the
    gaps (VFR). colour gives a flat picture (for colour tests) instead of `pattern`. The sound
    is a soft middle C; a low audio_rate and one channel make long test clips cheap to encode.
    metadata adds global tags, as phones write creation_time and location. still shows that
    picture for the whole clip. colour_space="bt709" converts with the BT.709 matrix and tags the
    stream so, as phones do for HD; "hlg" makes HDR as iPhones record it (give it pix_fmt
    "yuv420p10le"; needs zscale); otherwise the clip is untagged BT.601, as ffmpeg makes it.
    full_range stores full-range YCbCr (0-255) and says so, as some Android phones record.
    """
    path = Path(path)
    container = CONTAINER_BY_SUFFIX[path.suffix.lower()]
    rate = fps * 2 if variable_fps else fps
    if still:
        video = ffmpeg.input(str(still), loop=1, framerate=rate, t=seconds).filter("scale", width, height)
    else:
        if colour:
            source = f"color=c={colour}:size={width}x{height}:rate={rate}"
        else:
            source = PATTERNS[pattern].format(width=width, height=height, fps=rate)
        video = ffmpeg.input(source, f="lavfi", t=seconds)
    if width % 2 or height % 2:
        video = video.filter("scale", width, height)  # some sources round odd sizes down
    if not colour and pattern in PATTERN_TINTS:
        video = video.filter("colorchannelmixer", **PATTERN_TINTS[pattern])
    if variable_fps:
        # Irregular gaps: keep 2 of every 3 frames plus every 7th, so the rate wanders.
        video = video.filter("select", "not(eq(mod(n,3),2))+eq(mod(n,7),0)")
    if text:
        video = _draw_text(video, text, height)
    if colour_space in (None, "bt709"):
        # RGB -> YCbCr with the matrix and range named, not left to the build's default.
        # BT.709 clips are tagged so, as phones tag HD; the others say they have no matrix
        # (ffmpeg 7's scale tags the one it wrote, so "untagged" has to be said too).
        matrix, colour_range = colour_space or "bt601", "pc" if full_range else "tv"
        colour_tags = dict.fromkeys(("colorspace", "color_primaries", "color_trc"), colour_space or "unknown")
        video = (
            video.filter("format", "gbrp")
            .filter("scale", out_color_matrix=matrix, out_range=colour_range)
            .filter("format", pix_fmt or "yuv420p")
            .filter("setparams", range=colour_range, **colour_tags)
        )
    elif colour_space == "hlg" and not full_range:  # as iPhones record by default: BT.2020, HLG, 10-bit
        video = video.filter("format", "gbrp").filter(
            "zscale",
            tin="iec61966-2-1",
            pin="709",
            rin="full",
            t="arib-std-b67",
            p="2020",
            m="2020_ncl",
            r="limited",
        )
    else:
        raise ValueError("colour_space is bt709, hlg or None; HLG is limited range")
    encoder, options = video_encoder(codec)
    options = {**options, "pix_fmt": pix_fmt or "yuv420p"}
    if full_range:
        options["color_range"] = "pc"  # the encoder's own flag, written into the stream
    if codec == "hevc" and container in ("mp4", "mov"):
        options["tag:v"] = "hvc1"  # how Apple writes HEVC, and what browsers expect
    streams = [video]
    if audio:
        tone = ffmpeg.input(f"sine=frequency=261.63:sample_rate={audio_rate}", f="lavfi", t=seconds)
        streams.append(tone.filter("volume", 0.3))
        options.update(acodec="aac" if container in ("mp4", "mov") else "libopus", ac=audio_channels)
    if variable_fps:
        options["fps_mode"] = "passthrough"
    args = runner.compile_ffmpeg(ffmpeg.output(*streams, str(path), vcodec=encoder, f=container, **options))
    tags = [arg for key, value in (metadata or {}).items() for arg in ("-metadata", f"{key}={value}")]
    args[-1:-1] = tags  # before the output file, where per-output options belong
    runner.run(args, failure_reason="Could not generate the video.", low_priority=True)
    if rotation:
        if container not in ("mp4", "mov"):
            raise ValueError("Rotation is written as an MP4/MOV display matrix.")
        set_display_rotation(path, rotation)
    return path


def _draw_text(video, text: str, height: int):
    font = font_file()
    if font is None:
        return video
    return video.filter(
        "drawtext",
        fontfile=font,
        text=text,
        expansion="none",
        fontsize=max(12, height // 14),
        fontcolor="white",
        borderw=max(1, height // 240),
        bordercolor="black@0.6",
        x="(w-text_w)/2",
        y="h*0.72",
    )


def set_display_rotation(path: str | os.PathLike, rotation: int) -> None:
    """Write a clockwise display rotation into the video track's tkhd matrix (in place)."""
    cos_sin = {90: (0, 1), 180: (-1, 0), 270: (0, -1)}
    if rotation not in cos_sin:
        raise ValueError("rotation must be 90, 180 or 270")
    cos, sin = cos_sin[rotation]
    one = 0x10000
    matrix = struct.pack(">9i", cos * one, sin * one, 0, -sin * one, cos * one, 0, 0, 0, 0x40000000)
    data = bytearray(Path(path).read_bytes())
    for offset in _video_tkhd_offsets(data):
        version = data[offset]
        # version/flags, times, track id, reserved, duration, then 16 bytes before the matrix
        matrix_at = offset + 4 + (32 if version == 1 else 20) + 16
        data[matrix_at : matrix_at + 36] = matrix
    Path(path).write_bytes(bytes(data))


def _boxes(data: bytearray, start: int, end: int):
    position = start
    while position + 8 <= end:
        size, kind = struct.unpack(">I4s", data[position : position + 8])
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", data[position + 8 : position + 16])[0], 16
        elif size == 0:
            size = end - position
        yield kind, position + header, position + size
        position += size


def _video_tkhd_offsets(data: bytearray) -> list[int]:
    """Offsets of the tkhd payloads of video tracks."""
    offsets = []
    for kind, start, end in _boxes(data, 0, len(data)):
        if kind != b"moov":
            continue
        for track_kind, track_start, track_end in _boxes(data, start, end):
            if track_kind != b"trak":
                continue
            children = {child: (s, e) for child, s, e in _boxes(data, track_start, track_end)}
            media = children.get(b"mdia")
            handlers = [s for child, s, _ in _boxes(data, *media) if child == b"hdlr"] if media else []
            if b"tkhd" in children and any(data[s + 8 : s + 12] == b"vide" for s in handlers):
                offsets.append(children[b"tkhd"][0])
    return offsets


def make_photo(
    path: str | os.PathLike,
    *,
    width: int,
    height: int,
    format: str = "JPEG",
    exif_orientation: int | None = None,
    gps: bool = False,
    alpha: bool = False,
    colour: str | tuple[int, int, int] | None = None,
    flat: bool = False,
    text: str | None = None,
) -> Path:
    """A gradient photo with optional EXIF orientation, GPS and alpha.

    colour ("#ff6b6b" or an RGB tuple) sets the gradient's hue; flat=True fills with it only.
    """
    path = Path(path)
    if colour:
        base = Image.new(
            "RGB", (width, height), ImageColor.getrgb(colour) if isinstance(colour, str) else colour
        )
        if flat:
            picture = base
        else:
            shade = Image.linear_gradient("L").resize((width, height)).point(lambda value: 255 - value // 2)
            glow = Image.radial_gradient("L").resize((width, height)).point(lambda value: 255 - value)
            picture = Image.composite(base, Image.new("RGB", (width, height), (0, 0, 0)), shade)
            picture.paste((255, 255, 255), mask=glow.point(lambda value: value // 4))
    else:
        horizontal = Image.linear_gradient("L").rotate(90).resize((width, height))
        vertical = Image.linear_gradient("L").resize((width, height))
        radial = Image.radial_gradient("L").resize((width, height))
        picture = Image.merge("RGB", (horizontal, radial, vertical))
    if text:
        ImageDraw.Draw(picture).text((width // 10, height // 2), text, fill=(255, 255, 255))
    if alpha:
        picture = picture.convert("RGBA")
        picture.putalpha(Image.radial_gradient("L").resize((width, height)).point(lambda value: 255 - value))
    exif = Image.Exif()
    if exif_orientation:
        exif[0x0112] = exif_orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (52.0, 22.0, 12.5), 3: "E", 4: (4.0, 53.0, 40.0)}
    options: dict[str, object] = {"exif": exif.tobytes()} if len(exif) else {}
    picture.save(path, format=format, **options)
    return path


def make_tone(path: str | os.PathLike, *, seconds: float, frequency: float = 440.0) -> Path:
    """A sine tone; the codec follows the suffix (.m4a, .mp3, .ogg, .opus, .wav, .flac, .aac)."""
    path = Path(path)
    codec, container = TONE_CODECS[path.suffix.lower()]
    tone = ffmpeg.input(f"sine=frequency={frequency}:sample_rate=48000", f="lavfi", t=seconds)
    output = ffmpeg.output(tone.filter("volume", 0.4), str(path), acodec=codec, f=container, ac=2)
    runner.run_ffmpeg(output, failure_reason="Could not generate the tone.")
    return path


def make_recorder_clip(
    path: str | os.PathLike,
    *,
    seconds: float,
    width: int,
    height: int,
    fps: float = 30,
    audio: bool = True,
    audio_codec: str = "aac",
) -> Path:
    """A clip shaped as Chromium's MediaRecorder writes "video/mp4;codecs=avc1.42E01E,mp4a.40.2"
    (the Quick camera's first choice): H.264 Constrained Baseline and AAC in a fragmented MP4,
    an empty moov with the samples in moof/mdat fragments, a keyframe a second. audio_codec
    "opus" is what Chromium builds without an AAC encoder record ("video/mp4;codecs=avc1,opus")."""
    path = Path(path)
    video = ffmpeg.input(
        PATTERNS["testsrc2"].format(width=width, height=height, fps=fps), f="lavfi", t=seconds
    )
    streams = [video.filter("format", "yuv420p")]
    options: dict[str, object] = {
        "vcodec": "libx264",
        "preset": "ultrafast",
        "profile:v": "baseline",
        "level": "3.1",
        "pix_fmt": "yuv420p",
        "g": int(fps),
        "b:v": "2500k",
        "f": "mp4",
        "movflags": "+frag_keyframe+empty_moov+default_base_moof",
    }
    if audio:
        tone = ffmpeg.input("sine=frequency=261.63:sample_rate=48000", f="lavfi", t=seconds)
        streams.append(tone.filter("volume", 0.3))
        options.update(acodec="libopus" if audio_codec == "opus" else "aac", ac=2, ar=48000)
    args = runner.compile_ffmpeg(ffmpeg.output(*streams, str(path), **options))
    runner.run(args, failure_reason="Could not generate the video.", low_priority=True)
    return path
