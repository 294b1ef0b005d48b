"""Serving media: only to people who may see it, with Range, types and private caching."""

from __future__ import annotations

import http.client
import re
import urllib.parse

import pytest

from tests.helpers import sign_in
from tests.library.conftest import MP4, PNG, VTT


@pytest.fixture
def video(make_video, member):  # type: ignore[no-untyped-def]
    return make_video()


def url(video, slot="video"):  # type: ignore[no-untyped-def]
    return f"/library/{video.id}/media/{slot}"


def test_whole_file_with_type_and_private_caching(client, video):
    sign_in(client, "sam")
    for slot, body, kind in (("video", MP4, "video/mp4"), ("poster", PNG, "image/png"),
                             ("captions", VTT, "text/vtt; charset=utf-8")):
        response = client.get(url(video, slot))
        assert response.status_code == 200
        assert response.get_data() == body
        assert response.headers["Content-Type"] == kind
        assert response.headers["Content-Length"] == str(len(body))
        assert response.headers["Accept-Ranges"] == "bytes"
        assert response.headers["Cache-Control"] == "private, no-cache"
        assert response.headers["ETag"] and response.headers["Last-Modified"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("header,start,end", [
    ("bytes=0-99", 0, 99),
    ("bytes=100-", 100, len(MP4) - 1),
    ("bytes=-500", len(MP4) - 500, len(MP4) - 1),
    ("bytes=40000-999999", 40000, len(MP4) - 1),
    ("bytes=0-0", 0, 0),
    ("bytes=-999999", 0, len(MP4) - 1),
])
def test_single_range_is_206(client, video, header, start, end):
    sign_in(client, "sam")
    response = client.get(url(video), headers={"Range": header})
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes {start}-{end}/{len(MP4)}"
    assert response.headers["Content-Length"] == str(end - start + 1)
    assert response.get_data() == MP4[start:end + 1]
    assert response.headers["Content-Type"] == "video/mp4"


@pytest.mark.parametrize("header", ["bytes=999999-", f"bytes={len(MP4)}-", "bytes=-0",
                                    "bytes=abc", "bytes=5-2", "bytes=-", "bytes=1-2-3",
                                    "bytes=0x10-20", "bytes=" + "9" * 5000 + "-",
                                    "bytes=0-" + "9" * 5000])
def test_malformed_or_unsatisfiable_range_is_416(client, video, header):
    sign_in(client, "sam")
    response = client.get(url(video), headers={"Range": header})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{len(MP4)}"
    assert response.get_data() == b""


@pytest.mark.parametrize("header", ["items=0-5", "bytes=0-1,5-9"])
def test_other_units_and_multiple_ranges_are_ignored(client, video, header):
    sign_in(client, "sam")
    response = client.get(url(video), headers={"Range": header})
    assert response.status_code == 200 and response.get_data() == MP4


def test_conditional_requests(client, video):
    sign_in(client, "sam")
    first = client.get(url(video))
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(url(video), headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url(video), headers={"If-Modified-Since": modified}).status_code == 304
    stale = client.get(url(video), headers={"Range": "bytes=0-9", "If-Range": '"old"'})
    assert stale.status_code == 200 and stale.get_data() == MP4
    fresh = client.get(url(video), headers={"Range": "bytes=0-9", "If-Range": etag})
    assert fresh.status_code == 206 and fresh.get_data() == MP4[:10]


def test_unknown_slot_or_missing_file_is_404(client, video, media_dir):
    sign_in(client, "sam")
    assert client.get(url(video, "source")).status_code == 404
    assert client.get(url(video, "../../etc/passwd")).status_code == 404
    (media_dir / video.poster_file).unlink()
    assert client.get(url(video, "poster")).status_code == 404


def test_seeking_works_against_the_real_eventlet_server(database_url, tmp_path, video,
                                                        media_dir):
    """`python wsgi.py` (eventlet) answers Range requests with 206 and the right bytes."""
    from tests.live_server import live_server

    with live_server(database_url, tmp_path, SHARON_MEDIA_DIR=str(media_dir)) as base:
        host = urllib.parse.urlsplit(base)
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
        conn.request("GET", "/sign-in")
        page = conn.getresponse()
        cookie = page.getheader("Set-Cookie").split(";")[0]
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.read().decode())[1]
        form = urllib.parse.urlencode({"csrf_token": token, "username": "sam",
                                       "password": "correct horse battery"})
        conn.request("POST", "/sign-in", body=form, headers={
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        signed_in = conn.getresponse()
        signed_in.read()
        assert signed_in.status == 302
        cookie = signed_in.getheader("Set-Cookie").split(";")[0]
        for header, status, body in (("bytes=1000-1999", 206, MP4[1000:2000]),
                                     ("bytes=-10", 206, MP4[-10:]),
                                     ("bytes=99999999-", 416, b""),
                                     (None, 200, MP4)):
            headers = {"Cookie": cookie, **({"Range": header} if header else {})}
            conn.request("GET", url(video), headers=headers)
            response = conn.getresponse()
            assert response.status == status, header
            assert response.read() == body
            if status == 206:
                assert response.getheader("Content-Range").endswith(f"/{len(MP4)}")
        conn.close()
