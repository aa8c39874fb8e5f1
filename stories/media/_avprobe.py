"""Probe a media file with PyAV and print an ffprobe-shaped JSON report (used without ffprobe).

Run as a separate process by stories.media.probing, under the same time limit and resource limits
as ffmpeg, so a file that hangs or crashes the demuxer takes down only this process. Usage:

    python -I _avprobe.py <file: URL> <demuxer or ""> <format whitelist> <probesize> <analyzeduration>

It imports nothing but PyAV and the standard library.
"""

import json
import sys

import av

# PyAV reports a forced demuxer by the short name it was given; ffprobe by its full name.
FULL_NAMES = {"mov": "mov,mp4,m4a,3gp,3g2,mj2", "matroska": "matroska,webm"}
# AVColorTransferCharacteristic values -> ffprobe's names (av_color_transfer_name).
TRANSFERS = dict(
    enumerate(
        (
            *("reserved", "bt709", "unknown", "reserved", "bt470m", "bt470bg", "smpte170m", "smpte240m"),
            *("linear", "log100", "log316", "iec61966-2-4", "bt1361e", "iec61966-2-1", "bt2020-10"),
            *("bt2020-12", "smpte2084", "smpte428", "arib-std-b67"),
        )
    )
)
# AVColorSpace values -> ffprobe's names (av_color_space_name).
COLOUR_SPACES = dict(
    enumerate(
        (
            *("gbr", "bt709", "unknown", "reserved", "fcc", "bt470bg", "smpte170m", "smpte240m", "ycgco"),
            *("bt2020nc", "bt2020c", "smpte2085", "chroma-derived-nc", "chroma-derived-c", "ictcp"),
        )
    )
)
# AVColorPrimaries values -> ffprobe's names (av_color_primaries_name).
PRIMARIES = {
    **dict(enumerate(("reserved", "bt709", "unknown", "reserved", "bt470m", "bt470bg", "smpte170m"))),
    **dict(enumerate(("smpte240m", "film", "bt2020", "smpte428", "smpte431", "smpte432"), start=7)),
    22: "ebu3213",
}
# AVColorRange values -> ffprobe's names (av_color_range_name).
RANGES = {0: "unknown", 1: "tv", 2: "pc"}


def _rate(value) -> str:
    return f"{value.numerator}/{value.denominator}" if value else "0/0"


def _seconds(duration, time_base) -> str | None:
    return str(float(duration * time_base)) if duration is not None and time_base else None


def _first_frame_rotation(container, stream) -> float | None:
    """The display-matrix angle, which PyAV exposes on decoded frames only."""
    try:
        for frame in container.decode(stream):
            return frame.rotation
    except av.FFmpegError:
        return None
    return None


def _video_stream(container, stream) -> dict:
    context = stream.codec_context
    report = {
        "codec_type": "video",
        "codec_name": context.codec.canonical_name,
        "width": context.width,
        "height": context.height,
        "pix_fmt": context.pix_fmt,
        "color_space": COLOUR_SPACES.get(int(context.colorspace or 0), "unknown"),
        "color_transfer": TRANSFERS.get(int(context.color_trc or 0), "unknown"),
        "color_primaries": PRIMARIES.get(int(context.color_primaries or 0), "unknown"),
        "color_range": RANGES.get(int(context.color_range or 0), "unknown"),
        "avg_frame_rate": _rate(stream.average_rate),
        "r_frame_rate": _rate(stream.base_rate),
        "sample_aspect_ratio": _rate(stream.sample_aspect_ratio),
        "duration": _seconds(stream.duration, stream.time_base),
        "disposition": {"attached_pic": int(bool(stream.disposition & av.stream.Disposition.attached_pic))},
        "tags": dict(stream.metadata),
    }
    rotation = _first_frame_rotation(container, stream)
    if rotation:
        report["side_data_list"] = [{"side_data_type": "Display Matrix", "rotation": rotation}]
    return report


def _audio_stream(stream) -> dict:
    context = stream.codec_context
    return {
        "codec_type": "audio",
        "codec_name": context.codec.canonical_name,
        "sample_rate": str(context.sample_rate),
        "channels": context.channels,
        "duration": _seconds(stream.duration, stream.time_base),
        "tags": dict(stream.metadata),
    }


def main(url: str, demuxer: str, whitelist: str, probesize: str, analyzeduration: str) -> None:
    options = {
        "protocol_whitelist": "file",
        "format_whitelist": whitelist,
        "probesize": probesize,
        "analyzeduration": analyzeduration,
    }
    with av.open(url, format=demuxer or None, options=options) as container:
        streams = []
        for stream in container.streams:
            if stream.type == "video":
                streams.append(_video_stream(container, stream))
            elif stream.type == "audio":
                streams.append(_audio_stream(stream))
            else:
                streams.append({"codec_type": stream.type})
        report = {
            "format": {
                "format_name": FULL_NAMES.get(container.format.name, container.format.name),
                "duration": str(container.duration / 1_000_000) if container.duration else None,
                "bit_rate": str(container.bit_rate) if container.bit_rate else None,
            },
            "streams": streams,
        }
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main(*sys.argv[1:6])
