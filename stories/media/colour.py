"""Colour conversions stated in full, so every ffmpeg build makes the same pictures.

ffmpeg builds disagree when a conversion is left to defaults and frame tags. The ffmpeg of the
imageio-ffmpeg wheel (7.0.2, what a machine without a system ffmpeg uses), asked to go from a
BT.709 clip's limited-range yuv420p straight to JPEG's full-range yuvj420p with
`scale=in_color_matrix=bt709:out_color_matrix=bt601`, expands the range but keeps the BT.709
matrix (even with in_range/out_range given): the poster was relabelled instead of converted,
skin tones 7 levels duller and saturated reds 16, where Debian's 5.1 converted it. The same
request to plain yuv420p with out_range=pc is honoured by both. Hence, for every graph here:

* No conversion writes a deprecated "J" pixel format (yuvj420p); full range is said as a range
  (out_range, the range tag, the encoder's color_range) on plain yuv420p.
* Every conversion names the matrix and range it reads and writes, taken from the probe,
  instead of the frame's tags or the build's default.
* Frames leaving a conversion are tagged with what they now are (`setparams`), so nothing
  downstream (an auto-inserted scaler, the encoder, a player) has to guess.

Names: MediaInfo carries ffprobe's names (`bt709`, `bt2020nc`, `tv`, `pc`, ...); swscale and
zscale have their own, mapped here. Only names from the tables below reach a filter graph.
"""

from __future__ import annotations

from . import runner
from .probing import MediaInfo

# ffprobe's matrix names -> swscale's. Untagged, smpte170m and bt470bg are BT.601: what ffmpeg
# decodes an untagged clip as, and what filters.luma_weights() assumes for it.
_SWSCALE_MATRICES = {
    "bt709": "bt709",
    "bt2020nc": "bt2020",
    "bt2020c": "bt2020",
    "smpte240m": "smpte240m",
    "fcc": "fcc",
}
# ffprobe's matrix names -> zscale's (HDR clips are BT.2020 in practice).
_ZSCALE_MATRICES = {"bt709": "709", "bt2020nc": "2020_ncl", "bt2020c": "2020_cl"}
_ZSCALE_PRIMARIES = {"bt709": "709", "bt2020": "2020", "smpte432": "smpte432", "smpte431": "smpte431"}
# The names setparams takes in every ffmpeg we support (5.1's lists); others stay untouched.
_TAGS = {
    "color_primaries": frozenset(
        {"bt709", "bt470m", "bt470bg", "smpte170m", "smpte240m", "film", "bt2020"}
        | {"smpte428", "smpte431", "smpte432"}
    ),
    "color_trc": frozenset(
        {"bt709", "bt470m", "bt470bg", "smpte170m", "smpte240m", "linear", "iec61966-2-1"}
        | {"bt2020-10", "bt2020-12", "smpte2084", "smpte428", "arib-std-b67"}
    ),
    "colorspace": frozenset({"bt709", "fcc", "bt470bg", "smpte170m", "smpte240m", "bt2020nc", "bt2020c"}),
}

HDR_TRANSFERS = frozenset({"arib-std-b67", "smpte2084"})  # HLG (iPhones' default), PQ
# JPEG (JFIF) is BT.601 YCbCr at full range: what every image reader assumes of a poster. The
# mjpeg encoder takes it as plain 4:2:0 with a full range.
JPEG_ENCODER_OPTIONS = {"pix_fmt": "yuv420p", "color_range": "pc"}


def source_matrix(info: MediaInfo) -> str:
    """swscale's name for the matrix the clip's YCbCr is in."""
    return _SWSCALE_MATRICES.get(info.colour_space or "", "bt601")


def source_range(info: MediaInfo) -> str:
    """Full range ("pc") when the clip says so or is in a JPEG-range pixel format, else "tv"."""
    full = info.colour_range == "pc" or (info.pix_fmt or "").startswith("yuvj")
    return "pc" if full else "tv"


def is_hdr(info: MediaInfo) -> bool:
    return info.colour_transfer in HDR_TRANSFERS


def story_planes(stream, info: MediaInfo, width: int, height: int):
    """The clip at width x height as 8-bit limited-range 4:2:0 in its own matrix, tagged: the
    planes the looks work on and the encoder takes. Range and depth change; the matrix does
    not (a look's luma weights are the clip's own, see filters.luma_weights)."""
    matrix = source_matrix(info)
    stream = stream.filter(
        "scale",
        width,
        height,
        in_color_matrix=matrix,
        out_color_matrix=matrix,
        in_range=source_range(info),
        out_range="tv",
    )
    return stream.filter("format", "yuv420p").filter("setparams", **_story_tags(info))


def _story_tags(info: MediaInfo) -> dict[str, str]:
    """What the story's frames are: limited range, and the clip's own matrix, primaries and
    transfer where the clip names them. Any other clip says no matrix, whatever a build's scale
    tagged: players guess as they did for the upload (the looks and the poster take it as
    BT.601, as ffmpeg decodes it)."""
    matrix = info.colour_space if info.colour_space in _TAGS["colorspace"] else "unknown"
    tags = {"range": "tv", "colorspace": matrix}
    for option, value in (("color_primaries", info.colour_primaries), ("color_trc", info.colour_transfer)):
        if value in _TAGS[option]:
            tags[option] = value
    return tags


def poster_picture(stream, info: MediaInfo, *, from_story_planes: bool = False):
    """A frame of the clip in a JPEG's YCbCr (BT.601, full range). The frame is as the upload
    stores it, or as story_planes made it (`from_story_planes`: limited range now)."""
    yuv_range = "tv" if from_story_planes else source_range(info)
    if is_hdr(info) and can_tone_map():
        source = {}  # planar RGB: no matrix or range to read
        stream = _tone_mapped_rgb(stream, info, yuv_range)
    else:
        source = {"in_color_matrix": source_matrix(info), "in_range": yuv_range}
    return (
        stream.filter("scale", **source, out_color_matrix="bt601", out_range="pc")
        .filter("format", JPEG_ENCODER_OPTIONS["pix_fmt"])
        .filter("setparams", range="pc", colorspace="smpte170m")
    )


def can_tone_map() -> bool:
    """Whether this ffmpeg build can tone-map HDR (zscale needs libzimg)."""
    return runner.has_filter("zscale") and runner.has_filter("tonemap")


def _tone_mapped_rgb(stream, info: MediaInfo, yuv_range: str):
    """An HDR frame read as SDR is grey and flat, where players tone-map the clip itself: the
    poster is tone-mapped to SDR BT.709 RGB, with every input property named."""
    transfer = info.colour_transfer or ""
    source = {
        "tin": "arib-std-b67" if transfer == "arib-std-b67" else "smpte2084",
        "min": _ZSCALE_MATRICES.get(info.colour_space or "", "2020_ncl"),
        "pin": _ZSCALE_PRIMARIES.get(info.colour_primaries or "", "2020"),
        "rin": "limited" if yuv_range == "tv" else "full",
    }
    return (
        stream.filter("zscale", transfer="linear", npl=100, **source)
        .filter("format", "gbrpf32le")
        .filter("zscale", primaries="bt709")
        .filter("tonemap", tonemap="mobius", desat=0)
        .filter("zscale", transfer="bt709")
        .filter("format", "gbrp")
    )
