"""The Engine.IO packet guard in front of python-engineio's long-polling."""

from __future__ import annotations

import pytest

from sharon.wall.packet_guard import valid_payload


@pytest.mark.parametrize("body, ok", [
    (b"40/wall,", True), (b'42/wall,["send",{"body":"hi"}]', True), (b"2", True),
    (b"40/wall,\x1e3", True), (b"bAAEC", True),
    (b"9999", False), (b"", False), (b"\x1e", False), (b"4\x1e\x1e2", False),
    (b"\xff\xfe", False), (b"x40", False),
])
def test_valid_payload(body, ok):
    assert valid_payload(body) is ok


def test_guard_refuses_bad_polling_posts_before_engineio(client):
    response = client.post("/socket.io/?EIO=4&transport=polling&sid=abc", data=b"9999")
    assert response.status_code == 400 and response.get_data() == b"Bad request"
    big = client.post("/socket.io/?EIO=4&transport=polling&sid=abc", data=b"4" * 1_000_001)
    assert big.status_code == 413
    # Everything else passes through untouched.
    assert client.get("/healthz").status_code == 200
