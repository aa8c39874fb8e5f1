"""Session-scoped media made by code (stories_site.dev.synth), small and phone-shaped.

Loaded for the whole suite by tests/conftest.py (`pytest_plugins`). Each fixture builds its file
the first time a test asks for it, once per session (per xdist worker), in a session temp dir.
Hostile files are written by the tests that use them, next to the assertion they serve.

It also says which ffmpeg a run uses. Tests marked `media` run ffmpeg or the probe; CI runs
them twice: with the system's ffmpeg and ffprobe (STORIES_TEST_FFMPEG=system), and with only the
imageio-ffmpeg wheel's ffmpeg and PyAV (STORIES_TEST_FFMPEG=bundled), what a machine without
ffmpeg uses. With that variable set, a run whose project resolves another ffmpeg stops at once
instead of passing on the wrong one. Tests marked `system_ffmpeg` compare the system's tools
with the wheel's or PyAV and are skipped, with the reason, where there are none.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
from array import array
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from stories.media import runner
from stories_site.dev import synth

# --- Which ffmpeg this run uses ------------------------------------------------------------------

FFMPEG_CHOICE = "STORIES_TEST_FFMPEG"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "media: runs ffmpeg or the media probe (CI: once per supported ffmpeg, see tests/media_fixtures.py)",
    )
    config.addinivalue_line(
        "markers", "system_ffmpeg: compares the system's ffmpeg and ffprobe with the wheel's ffmpeg or PyAV"
    )


def _ffmpeg_in_use() -> tuple[str, str | None, str]:
    """(ffmpeg the project runs, ffprobe it runs or None for PyAV, the wheel's ffmpeg)."""
    import imageio_ffmpeg

    return runner.ffmpeg_binary(), runner.ffprobe_binary(), imageio_ffmpeg.get_ffmpeg_exe()


def _same_file(first: str | None, second: str | None) -> bool:
    resolved = [os.path.realpath(shutil.which(path) or path) for path in (first, second) if path]
    return len(resolved) == 2 and resolved[0] == resolved[1]


def pytest_report_header(config: pytest.Config) -> str:
    ffmpeg, ffprobe, _ = _ffmpeg_in_use()
    return f"media: ffmpeg {ffmpeg}; probe {ffprobe or 'PyAV (no ffprobe)'}"


def pytest_sessionstart(session: pytest.Session) -> None:
    """STORIES_TEST_FFMPEG=bundled|system: stop unless the project really uses that ffmpeg."""
    wanted = os.environ.get(FFMPEG_CHOICE, "")
    if not wanted:
        return
    ffmpeg, ffprobe, bundled = _ffmpeg_in_use()
    if wanted == "bundled":
        wrong = not _same_file(ffmpeg, bundled) or ffprobe is not None
    elif wanted == "system":
        wrong = _same_file(ffmpeg, bundled) or ffprobe is None
    else:
        raise pytest.UsageError(f"{FFMPEG_CHOICE} is 'bundled' or 'system', not {wanted!r}.")
    if wrong:
        raise pytest.UsageError(
            f"{FFMPEG_CHOICE}={wanted}, but the project uses ffmpeg {ffmpeg} and "
            f"{f'ffprobe {ffprobe}' if ffprobe else 'PyAV'} (the wheel's ffmpeg is {bundled})."
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = [name for name in ("ffmpeg", "ffprobe") if shutil.which(name) is None]
    if not missing:
        return
    skip = pytest.mark.skip(reason=f"needs the system's {' and '.join(missing)} on PATH")
    for item in items:
        if item.get_closest_marker("system_ffmpeg"):
            item.add_marker(skip)


# --- Generated media -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("media")


def _video(name: str, **options) -> Callable:
    """A session fixture generating `name` with synth.make_video(**options)."""

    @pytest.fixture(scope="session")
    def generated(media_dir: Path) -> Path:
        codec = options.get("codec", "h264")
        try:
            synth.video_encoder(codec)
        except ValueError:
            pytest.skip(f"this ffmpeg has no {codec} encoder")
        return synth.make_video(media_dir / name, **options)

    return generated


PHONE = {"width": 360, "height": 640}

# A clip any phone could have made: H.264 + AAC in MP4, ready to be stream copied.
h264_clip = _video("h264.mp4", seconds=2, **PHONE)
# An iPhone-like MOV carrying the tags phones write (time and place of recording).
phone_mov = _video(
    "phone.mov",
    seconds=1,
    **PHONE,
    metadata={
        "creation_time": "2024-05-01T10:00:00Z",
        "location": "+48.8584+002.2945/",
        "title": "my secret title",
        "comment": "private comment",
    },
)
hevc_mp4 = _video("hevc.mp4", seconds=1, codec="hevc", **PHONE)
hevc_10bit_mov = _video("hevc10.mov", seconds=1, codec="hevc", pix_fmt="yuv420p10le", **PHONE)
vp9_webm = _video("vp9.webm", seconds=1, codec="vp9", **PHONE)
vp8_webm = _video("vp8.webm", seconds=1, codec="vp8", **PHONE)
av1_mkv = _video("av1.mkv", seconds=1, codec="av1", **PHONE)
# Stored landscape, shown portrait: how phones record upright video.
rotated_clip = _video("rotated.mp4", seconds=1, width=640, height=360, rotation=90)
# VP9 allows odd sizes (H.264 4:2:0 does not); no audio track at all.
odd_silent_clip = _video("odd.webm", seconds=1, width=333, height=591, codec="vp9", audio=False)
vfr_clip = _video("vfr.mp4", seconds=2, variable_fps=True, **PHONE)
fast_clip = _video("60fps.mp4", seconds=1, width=160, height=284, fps=60)
landscape_clip = _video("landscape.mp4", seconds=1, width=640, height=360)
# Larger than the 1920x1080 landscape bound, kept short so the downscale test stays cheap.
big_landscape_clip = _video("big.mp4", seconds=0.5, width=2400, height=1350, audio=False)
# A minute at a tiny size with cheap audio: enough to test trimming at 20 s.
long_clip = _video("long.mp4", seconds=60, width=160, height=284, audio_rate=22050, audio_channels=1)
# A real, playable file whose header says ten hours: one frame every 100 s.
ten_hour_clip = _video(
    "ten-hours.mp4", seconds=36000, width=16, height=16, fps=0.01, audio=False, colour="blue"
)


@pytest.fixture(scope="session")
def tone_mp3(media_dir: Path) -> Path:
    return synth.make_tone(media_dir / "tone.mp3", seconds=3, frequency=523.25)


@pytest.fixture(scope="session")
def short_tone(media_dir: Path) -> Path:
    """Shorter than any clip it is put on, so it must loop."""
    return synth.make_tone(media_dir / "short.m4a", seconds=0.4, frequency=880)


@pytest.fixture(scope="session")
def rotated_photo_with_gps(media_dir: Path) -> Path:
    """400x300 stored, EXIF orientation 6 (shown 300x400), with a GPS position."""
    return synth.make_photo(media_dir / "rotated.jpg", width=400, height=300, exif_orientation=6, gps=True)


@pytest.fixture(scope="session")
def alpha_png(media_dir: Path) -> Path:
    return synth.make_photo(media_dir / "alpha.png", width=300, height=300, format="PNG", alpha=True)


@pytest.fixture(scope="session")
def webp_photo(media_dir: Path) -> Path:
    return synth.make_photo(media_dir / "photo.webp", width=320, height=480, format="WEBP")


@pytest.fixture(scope="session")
def heic_photo(media_dir: Path) -> Path:
    return synth.make_photo(media_dir / "photo.heic", width=320, height=480, format="HEIF")


@pytest.fixture(scope="session")
def large_photo(media_dir: Path) -> Path:
    """Larger than 1080x1920 both ways: must shrink."""
    return synth.make_photo(media_dir / "large.jpg", width=3000, height=4000, exif_orientation=1)


@pytest.fixture(scope="session")
def ffprobe_report() -> Callable[[Path], dict]:
    """ffprobe's JSON for a file: the independent judge of what our outputs really are. Without
    ffprobe (a bare machine, CI's run with the wheel's ffmpeg), PyAV reads the same fields."""
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        return _pyav_report

    def report(path: Path) -> dict:
        completed = subprocess.run(
            [ffprobe, "-v", "error", "-of", "json", "-show_format", "-show_streams", str(path)],
            capture_output=True,
            check=True,
            timeout=60,
        )
        return json.loads(completed.stdout)

    return report


def _pyav_report(path: Path) -> dict:
    """The part of ffprobe's report the tests read, from PyAV (its own libav, not the ffmpeg
    under test), written here rather than borrowed from stories.media._avprobe."""
    import av

    def rate(value) -> str:
        return f"{value.numerator}/{value.denominator}" if value else "0/0"

    with av.open(str(path)) as container:
        streams = []
        for stream in container.streams:
            context = stream.codec_context
            entry: dict = {"codec_type": stream.type, "tags": dict(stream.metadata)}
            entry["codec_name"] = context.codec.canonical_name
            if stream.duration is not None:
                entry["duration"] = str(float(stream.duration * stream.time_base))
            if stream.type == "video":
                entry |= {"width": context.width, "height": context.height, "pix_fmt": context.pix_fmt}
                entry |= {"avg_frame_rate": rate(stream.average_rate), "r_frame_rate": rate(stream.base_rate)}
                rotation = next((frame.rotation for frame in container.decode(stream)), 0)
                if rotation:
                    entry["side_data_list"] = [{"side_data_type": "Display Matrix", "rotation": rotation}]
            elif stream.type == "audio":
                entry |= {"sample_rate": str(context.sample_rate), "channels": context.channels}
            streams.append(entry)
        form = {"duration": str(container.duration / 1_000_000), "tags": dict(container.metadata)}
    return {"format": form, "streams": streams}


# Flat colour sources for checking that a look is the same on video and photo.
LOOK_COLOUR = (200, 120, 80)


@pytest.fixture(scope="session")
def flat_colour_clip(media_dir: Path) -> Path:
    red, green, blue = LOOK_COLOUR
    return synth.make_video(
        media_dir / "flat.mp4",
        seconds=0.2,
        width=64,
        height=64,
        audio=False,
        colour=f"0x{red:02x}{green:02x}{blue:02x}",
    )


@pytest.fixture(scope="session")
def flat_colour_photo(media_dir: Path) -> Path:
    return synth.make_photo(
        media_dir / "flat.png", width=64, height=64, format="PNG", colour=LOOK_COLOUR, flat=True
    )


# Colour patches for checking looks across the range: skin, sky, foliage, greys, near-black and
# near-white, saturated primaries. Each patch is 32x32 so chroma subsampling and JPEG blocks
# leave its centre alone.
PATCH_COLOURS = (
    (200, 120, 80),
    (30, 60, 90),
    (128, 128, 128),
    (240, 230, 220),
    (60, 160, 70),
    (90, 70, 200),
    (20, 20, 20),
    (210, 40, 40),
)
PATCH_SIZE = 32


def patch_centres() -> list[tuple[int, int]]:
    half = PATCH_SIZE // 2
    return [
        ((index % 4) * PATCH_SIZE + half, (index // 4) * PATCH_SIZE + half)
        for index in range(len(PATCH_COLOURS))
    ]


@pytest.fixture(scope="session")
def patches_photo(media_dir: Path) -> Path:
    image = Image.new("RGB", (4 * PATCH_SIZE, 2 * PATCH_SIZE))
    for (x, y), colour in zip(patch_centres(), PATCH_COLOURS, strict=True):
        half = PATCH_SIZE // 2
        image.paste(colour, (x - half, y - half, x + half, y + half))
    path = media_dir / "patches.png"
    image.save(path)
    return path


def _patches_video(path: Path, patches_photo: Path, **options) -> Path:
    """A short silent clip showing the patches picture, at its own size."""
    return synth.make_video(
        path,
        seconds=0.2,
        width=4 * PATCH_SIZE,
        height=2 * PATCH_SIZE,
        audio=False,
        still=patches_photo,
        **options,
    )


@pytest.fixture(scope="session")
def patches_clip(media_dir: Path, patches_photo: Path) -> Path:
    """The patches as an untagged clip (BT.601, as ffmpeg makes it)."""
    return _patches_video(media_dir / "patches.mp4", patches_photo)


@pytest.fixture(scope="session")
def patches_bt709_clip(media_dir: Path, patches_photo: Path) -> Path:
    """The patches as phones record HD: BT.709 matrix, tagged."""
    return _patches_video(media_dir / "patches-709.mp4", patches_photo, colour_space="bt709")


@pytest.fixture(scope="session")
def patches_full_range_clip(media_dir: Path, patches_photo: Path) -> Path:
    """The patches in full-range BT.709 (0-255, tagged), as some Android phones record."""
    return _patches_video(
        media_dir / "patches-709-full.mp4", patches_photo, colour_space="bt709", full_range=True
    )


@pytest.fixture(scope="session")
def patches_hlg_clip(media_dir: Path, patches_photo: Path) -> Path:
    """The patches as iPhones record by default: HEVC, 10-bit, BT.2020 primaries, HLG."""
    if not runner.has_filter("zscale"):
        pytest.skip("this ffmpeg has no zscale (libzimg) to make HDR with")
    return _patches_video(
        media_dir / "patches-hlg.mp4", patches_photo, codec="hevc", pix_fmt="yuv420p10le", colour_space="hlg"
    )


# --- Checks shared by the media tests ------------------------------------------------------------


def top_level_boxes(path: Path) -> list[bytes]:
    """The top-level ISO BMFF box types in file order (faststart: moov before mdat)."""
    data = path.read_bytes()
    kinds, position = [], 0
    while position + 8 <= len(data):
        size = int.from_bytes(data[position : position + 4], "big")
        kinds.append(data[position + 4 : position + 8])
        if size == 1:
            size = int.from_bytes(data[position + 8 : position + 16], "big")
        if size < 8:
            break
        position += size
    return kinds


def zero_crossing_frequency(path: Path, seconds: float = 1.0) -> float:
    """Rough pitch of the first `seconds` of a file's audio (mono, 48 kHz) from zero crossings."""
    pcm = runner.run(
        [
            runner.ffmpeg_binary(),
            "-v",
            "error",
            "-i",
            str(path),
            "-t",
            str(seconds),
            "-map",
            "0:a:0",
            "-ac",
            "1",
            "-ar",
            "48000",
            "-f",
            "s16le",
            "-",
        ],
        timeout=60,
    )
    samples = array("h", pcm)
    crossings = sum(1 for a, b in itertools.pairwise(samples) if (a < 0) != (b < 0))
    return crossings / 2 / (len(samples) / 48000)
