"""Hostile uploads: files that try to make ffmpeg read other local files, and bad filter names.

Each test writes its own hostile file and checks two things: the upload is refused with a plain
reason, and the secret file's content appears nowhere in what we produced.
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import pytest

from stories.media import MediaError, probe, probing, process_sound, process_video

pytestmark = [pytest.mark.slow, pytest.mark.media]

SECRET = b"TOPSECRET-do-not-leak-7f3a9c"


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    """A local file an attacker would love to see in their story."""
    secret = tmp_path / "secret" / "passwords.txt"
    secret.parent.mkdir()
    secret.write_bytes(SECRET + b"\n")
    return secret


@pytest.fixture(params=["ffprobe", "pyav"])
def backend(request, settings):
    settings.STORIES_PROBE_BACKEND = "auto" if request.param == "ffprobe" else "pyav"
    return request.param


def hls_playlist(*targets: Path) -> bytes:
    lines = [b"#EXTM3U", b"#EXT-X-MEDIA-SEQUENCE:0", b"#EXT-X-TARGETDURATION:10"]
    for target in targets:
        lines += [b"#EXTINF:10.0,", str(target).encode()]
    return b"\n".join([*lines, b"#EXT-X-ENDLIST", b""])


def avi_with_embedded_playlist(playlist: bytes) -> bytes:
    """An AVI whose text chunk (a GAB2 subtitle, as in the published exploit) holds a playlist."""
    text_chunk = b"00tx" + struct.pack("<I", len(playlist) + 5) + b"GAB2\x00" + playlist
    movi = b"LIST" + struct.pack("<I", 4 + len(text_chunk)) + b"movi" + text_chunk
    header = b"LIST" + struct.pack("<I", 4 + 64) + b"hdrl" + b"avih" + struct.pack("<I", 56) + bytes(56)
    body = b"AVI " + header + movi
    return b"RIFF" + struct.pack("<I", len(body)) + body


def ffconcat_script(target: Path) -> bytes:
    return f"ffconcat version 1.0\nfile '{target}'\n".encode()


def _outputs_contain_secret(directory: Path) -> bool:
    return any(SECRET in path.read_bytes() for path in directory.rglob("*") if path.is_file())


def _assert_refused(call, *, reason_fragment: str = "") -> MediaError:
    with pytest.raises(MediaError) as caught:
        call()
    reason = str(caught.value)
    assert reason_fragment in reason
    assert "/" not in reason
    assert "secret" not in reason.lower()
    assert SECRET.decode() not in reason
    return caught.value


@pytest.mark.parametrize("suffix", [".mp4", ".mov", ".webm", ".m3u8"])
def test_hls_playlist_in_disguise_is_refused(tmp_path, secret_file, h264_clip, backend, suffix):
    """Also when the playlist points at a real video: nothing outside the upload is ever read."""
    upload = tmp_path / f"upload{suffix}"
    upload.write_bytes(hls_playlist(secret_file, h264_clip))
    out = tmp_path / "out"
    out.mkdir()
    _assert_refused(lambda: probe(upload), reason_fragment="not a video or photo we can read")
    _assert_refused(lambda: process_video(upload, out))
    _assert_refused(lambda: process_sound(upload, out))
    assert not _outputs_contain_secret(out)


def test_avi_with_embedded_playlist_is_refused(tmp_path, secret_file, backend):
    upload = tmp_path / "movie.avi"
    upload.write_bytes(avi_with_embedded_playlist(hls_playlist(secret_file)))
    out = tmp_path / "out"
    out.mkdir()
    _assert_refused(lambda: probe(upload))
    _assert_refused(lambda: process_video(upload, out))
    assert not _outputs_contain_secret(out)


def test_ffconcat_script_is_refused(tmp_path, secret_file, h264_clip, backend):
    upload = tmp_path / "clip.mp4"
    upload.write_bytes(ffconcat_script(h264_clip))
    out = tmp_path / "out"
    out.mkdir()
    _assert_refused(lambda: probe(upload))
    _assert_refused(lambda: process_video(upload, out))
    assert not list(out.iterdir())


@pytest.mark.parametrize("maker", ["hls", "concat", "avi"])
def test_the_probe_itself_refuses_playlists_even_past_the_magic_check(tmp_path, secret_file, backend, maker):
    """Defence in depth: the ffprobe/PyAV call gets the whitelist even with no forced demuxer."""
    upload = tmp_path / "upload.bin"
    playlist = hls_playlist(secret_file)
    upload.write_bytes(
        {
            "hls": playlist,
            "concat": ffconcat_script(secret_file),
            "avi": avi_with_embedded_playlist(playlist),
        }[maker]
    )
    _assert_refused(lambda: probing._probe_report(upload, None))


def test_ffmpeg_refuses_a_playlist_even_with_a_forged_probe_result(tmp_path, secret_file, h264_clip):
    """If the file changed after probing (or a caller passes the wrong info), the transcode's own
    forced demuxer and whitelist still refuse it: only the MP4 demuxer may read the upload."""
    genuine = probe(h264_clip)
    upload = tmp_path / "swapped.mp4"
    upload.write_bytes(hls_playlist(secret_file, h264_clip))
    out = tmp_path / "out"
    out.mkdir()
    _assert_refused(lambda: process_video(upload, out, info=genuine))
    _assert_refused(lambda: process_video(upload, out, info=genuine, filter_name="mono"))
    assert not _outputs_contain_secret(out)


def test_paths_that_look_like_protocols_or_options_are_just_files(tmp_path, h264_clip):
    upload = tmp_path / "-i concat:a|b;[x],y=1.mp4"
    shutil.copy(h264_clip, upload)
    out = tmp_path / "out"
    out.mkdir()
    assert probe(upload).video_codec == "h264"
    assert process_video(upload, out, filter_name="mono").video.is_file()


@pytest.mark.parametrize(
    "name", ["none,drawtext=text=hi", "mono[x];movie=/etc/passwd[y]", "", "NONE", "../none", None, 3]
)
def test_only_known_filter_names_reach_ffmpeg(tmp_path, h264_clip, name):
    _assert_refused(
        lambda: process_video(h264_clip, tmp_path, filter_name=name), reason_fragment="Unknown filter"
    )


def test_bad_trim_and_sound_mode_are_refused(tmp_path, h264_clip):
    for trim in (-1, float("nan"), float("inf"), "20; rm -rf /", True):
        _assert_refused(lambda trim=trim: process_video(h264_clip, tmp_path, trim_start=trim))
    _assert_refused(
        lambda: process_video(h264_clip, tmp_path, sound_mode="amix"), reason_fragment="sound mode"
    )
