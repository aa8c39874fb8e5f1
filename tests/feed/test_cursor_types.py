"""Every feed declares its cursor as one stories_site.cursors.CursorType. The wire format is the
one the hand-written cursors used, so cursors handed out before still read the same, and the
values round-trip exactly (floats to the last digit, moments to the microsecond)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from feed.selectors import ranking, search
from feed.selectors.following import FOLLOWING_CURSOR, OTHERS_UNSEEN, TRAY_CURSOR, _tray_key
from stories_site import cursors

MOMENT = datetime(2026, 5, 4, 3, 2, 1, 123456, tzinfo=UTC)
ID = uuid.UUID("12345678-1234-4234-8234-123456789abc")
OTHER = uuid.UUID("87654321-4321-4321-8321-cba987654321")


def test_for_you_cursor_reads_what_the_old_code_wrote():
    old = cursors.encode(
        "for-you",
        {
            "t": cursors.micros(MOMENT),
            "p": [1, repr(0.1 + 0.2), ID.hex],
            "x": cursors.pack_uuids([ID, OTHER]),
            "a": 42,
            "r": 2,
        },
    )
    state = ranking._ForYouCursor.decode(old)
    assert state == ranking._ForYouCursor(MOMENT, (1, 0.1 + 0.2, ID), (ID, OTHER), 42, 2)
    assert state.encode() == old  # and writes it the same way


def test_a_first_for_you_position_writes_only_the_time():
    state = ranking._ForYouCursor(MOMENT, None)
    assert state.encode() == cursors.encode("for-you", {"t": cursors.micros(MOMENT)})
    assert ranking._ForYouCursor.decode(state.encode()) == state


def test_following_cursor_reads_what_the_old_code_wrote():
    position = [0, cursors.micros(MOMENT), 7, cursors.micros(MOMENT) - 5, ID.hex]
    old = cursors.encode("following", {"t": cursors.micros(MOMENT), "p": position})
    values = FOLLOWING_CURSOR.decode(old)
    assert values["t"] == MOMENT
    assert values["p"] == (0, MOMENT, 7, cursors.moment(position[3]), ID)
    assert FOLLOWING_CURSOR.encode(**values) == old


def test_tray_cursor_reads_what_the_old_code_wrote():
    key = _tray_key(OTHERS_UNSEEN, MOMENT, 9)  # what TrayEntry.key held
    old = cursors.encode("tray", {"t": cursors.micros(MOMENT), "p": list(key)})
    values = TRAY_CURSOR.decode(old)
    assert values["p"] == (OTHERS_UNSEEN, MOMENT, 9)
    assert _tray_key(*values["p"]) == key
    assert TRAY_CURSOR.encode(**values) == old


def test_hashtag_and_sound_cursors_read_what_the_old_code_wrote():
    for cursor_type in (search.HASHTAG_CURSOR, search.SOUND_CURSOR):
        old = cursors.encode(cursor_type.kind, {"p": [cursors.micros(MOMENT), ID.hex]})
        assert cursor_type.decode(old) == {"p": (MOMENT, ID)}
        assert cursor_type.encode(p=(MOMENT, ID)) == old


@pytest.mark.parametrize(
    "payload",
    [
        {},  # no reference time
        {"t": "soon"},
        {"t": 1, "p": [2, "0.5", ID.hex]},  # segment out of range
        {"t": 1, "p": [0, "nan", ID.hex]},
        {"t": 1, "p": [0, "0.5"]},
        {"t": 1, "x": "not base64!"},
        {"t": 1, "r": -1},
    ],
)
def test_a_for_you_cursor_it_did_not_make_is_refused(payload):
    with pytest.raises(cursors.InvalidCursor):
        ranking._ForYouCursor.decode(cursors.encode("for-you", payload))


def test_a_cursor_of_another_list_is_refused():
    tray = TRAY_CURSOR.encode(t=MOMENT)
    with pytest.raises(cursors.InvalidCursor):
        FOLLOWING_CURSOR.decode(tray)


def test_a_tray_time_out_of_range_is_refused():
    with pytest.raises(cursors.InvalidCursor):
        TRAY_CURSOR.decode(cursors.encode("tray", {"t": 1, "p": [2, 5, -9]}))  # a time before 1970


def test_a_cursor_type_writes_only_what_it_declares():
    with pytest.raises(TypeError):
        TRAY_CURSOR.encode(t=MOMENT, q=1)
