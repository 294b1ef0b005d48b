"""Crafted Range headers cost nothing: parsing is linear and the header is capped.

The regular expression this replaced backtracked on runs of spaces: an 8 KB header
("bytes=" + spaces + "-" + spaces + "x") held the worker for about three minutes.
"""

from __future__ import annotations

import time

import pytest

from sharon.library.media import MAX_RANGE_HEADER, _Unsatisfiable, parse_range
from tests.helpers import sign_in
from tests.library.conftest import MP4

# Shapes that made the old pattern backtrack, and others near them, each about 8 KB.
CRAFTED = [
    "bytes=" + " " * 4000 + "-" + " " * 4000 + "x",
    "bytes=" + " " * 8000 + "x",
    "bytes=-" + " " * 8000 + "x",
    "bytes=" + "1" * 4000 + " " * 4000 + "x",
    "bytes=" + " -" * 4000 + "x",
    "bytes=" + "- " * 4000,
    "bytes=" + "0" * 19 + " " * 8000 + "-" + "9" * 19 + "\t" * 100 + "x",
    "bytes=" + "\u2003" * 4000 + "-" + "\u2003" * 4000 + "x",
]


@pytest.mark.parametrize("header", CRAFTED, ids=range(len(CRAFTED)))
def test_crafted_headers_are_refused_at_once(header):
    started = time.perf_counter()
    with pytest.raises(_Unsatisfiable):
        parse_range(header, len(MP4))
    # Microseconds in practice; the bound is generous because timings are not the point.
    assert time.perf_counter() - started < 0.1


def test_crafted_headers_get_416_quickly_from_the_server(client, make_video, member):
    video = make_video()
    sign_in(client, "sam")
    for header in CRAFTED:
        started = time.perf_counter()
        response = client.get(f"/library/{video.id}/media/video", headers={"Range": header})
        assert time.perf_counter() - started < 1
        assert response.status_code == 416
        assert response.headers["Content-Range"] == f"bytes */{len(MP4)}"


@pytest.mark.parametrize("header,expected", [
    ("bytes=0-99", (0, 99)),
    (" bytes = 10 - 19 ", (10, 19)),
    ("BYTES=5-", (5, 999)),
    ("bytes=-5", (995, 999)),
    ("bytes=0-" + "9" * 19, (0, 999)),
    ("bytes=0-1,5-9", None),  # several ranges: the whole file
    ("items=0-5", None),  # another unit: the whole file
    ("", None),
    (None, None),
])
def test_good_headers_keep_their_meaning(header, expected):
    assert parse_range(header, 1000) == expected


@pytest.mark.parametrize("header", [
    "bytes=", "bytes=-", "bytes=5", "bytes=a-b", "bytes=1-2-3", "bytes=\u00b2-3",
    "bytes=\u0661-3", "bytes=+1-3", "bytes=1 1-3", "bytes=0-" + "9" * 20,
    "bytes=5-2", "bytes=1000-", "bytes=-0",
    "bytes=0-1" + " " * MAX_RANGE_HEADER,
])
def test_malformed_headers_are_416(header):
    with pytest.raises(_Unsatisfiable):
        parse_range(header, 1000)
