"""Media processing: the only code in the project that runs ffmpeg/ffprobe or decodes images.

    probe(path)                  -> MediaInfo      what an upload really is (content, not name)
    process_video(src, out_dir)  -> VideoResult    H.264/AAC MP4 + JPEG poster, <= 15 s
    process_photo(src, out_dir)  -> PhotoResult    metadata-free JPEG
    process_sound(src, out_dir)  -> SoundResult    AAC .m4a for reusable sounds
    sanitize_image(src)          -> SanitizedImage photos and avatars, Pillow only
    make_renditions(src, out_dir) -> [Rendition]  sized WebP copies of a poster or photo

Refused input raises MediaError (a plain reason for the uploader; MediaTimeout when a command ran
out of time, since the same file would again); machine trouble raises TransientMediaError.
"""

from .audio import SoundResult, process_sound
from .errors import MediaError, MediaTimeout, TransientMediaError
from .filters import FILTERS, Filter, filter_choices, get_filter
from .photo import PhotoResult, SanitizedImage, process_photo, sanitize_image
from .probing import HEAD_BYTES, MediaInfo, probe, sniff_family
from .renditions import RENDITION_CONTENT_TYPE, RENDITION_WIDTHS, Rendition, make_renditions
from .video import VideoResult, process_video

__all__ = [
    "FILTERS",
    "HEAD_BYTES",
    "RENDITION_CONTENT_TYPE",
    "RENDITION_WIDTHS",
    "Filter",
    "MediaError",
    "MediaInfo",
    "MediaTimeout",
    "PhotoResult",
    "Rendition",
    "SanitizedImage",
    "SoundResult",
    "TransientMediaError",
    "VideoResult",
    "filter_choices",
    "get_filter",
    "make_renditions",
    "probe",
    "process_photo",
    "process_sound",
    "process_video",
    "sanitize_image",
    "sniff_family",
]
