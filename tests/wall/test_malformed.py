"""Malformed Engine.IO / Socket.IO traffic from anonymous clients, against a real server.

The server answers 400 or closes the connection, never shows a traceback or internal
detail, and keeps serving everyone else.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import socketio as python_socketio
import websocket

from tests.live_server import live_server
from tests.wall.live import LiveClient, prepare_database

LEAKS = ("Traceback", 'File "', "sharon/", "site-packages", "Exception", "Error:")


def assert_clean(text: str) -> None:
    for leak in LEAKS:
        assert leak not in text, text[:500]


@pytest.fixture(scope="module")
def live_wall(template_db, tmp_path_factory) -> Iterator[tuple[str, Path]]:  # type: ignore[no-untyped-def]
    url = template_db.copy()
    prepare_database(url, {"robin": "member", "sam_peer": "peer_supporter"})
    logs = tmp_path_factory.mktemp("live-wall")
    try:
        with live_server(url, logs) as base:
            yield base, logs
    finally:
        template_db.drop(url)


def test_anonymous_connection_is_refused_with_a_reason(live_wall):
    base, _ = live_wall
    client = python_socketio.Client(reconnection=False)
    reasons = []
    client.on("connect_error", reasons.append, namespace="/wall")
    with pytest.raises(python_socketio.exceptions.ConnectionError):
        client.connect(base, namespaces=["/wall"], transports=["polling"], wait_timeout=5)
    assert reasons == [{"message": "Please sign in to use the Wall.",
                        "data": {"error": "unauthenticated"}}]


def test_garbage_over_http_long_polling(live_wall):
    base, _ = live_wall
    sio = f"{base}/socket.io/"
    bad_requests = [
        ("get", "?EIO=3&transport=polling", None),
        ("get", "?EIO=4&transport=carrier-pigeon", None),
        ("get", "?EIO=4&transport=polling&sid=not-a-session", None),
        ("post", "?EIO=4&transport=polling&sid=not-a-session", b"4hello"),
        ("post", "?EIO=4&transport=polling", b"\x00\xff\xfe garbage"),
        ("get", "?EIO=banana&transport=polling", None),
    ]
    for method, query, body in bad_requests:
        response = requests.request(method, sio + query, data=body, timeout=5)
        assert response.status_code == 400, (query, response.status_code)
        assert_clean(response.text)

    # Real (anonymous) polling sessions, each fed nonsense, then asked what it has to say.
    for body in (b"40/wall,", b'42/wall,["send",{"body":"hi"}', b"9999", b"4" + b"x" * 5000,
                 b"\xff\xfe\xfd", b'42/wall,999["hide",{"id":1}]', b"\x1e\x1e\x1e",
                 b'40/wall,{"last_seen_id":{"$gt":0}}'):
        opened = requests.get(sio + "?EIO=4&transport=polling", timeout=5)
        assert opened.status_code == 200 and opened.text.startswith("0{")
        sid = opened.text.split('"sid":"')[1].split('"')[0]
        session = f"{sio}?EIO=4&transport=polling&sid={sid}"
        # An unknown packet type ("9…") used to hang in python-engineio 4.x; the packet
        # guard answers it (and other non-packets) with a plain 400 at once.
        response = requests.post(session, data=body, timeout=1.5)
        if body in (b"9999", b"\xff\xfe\xfd", b"\x1e\x1e\x1e"):
            assert response.status_code == 400, body
        assert response.status_code in (200, 400), (body[:20], response.status_code)
        assert_clean(response.text)
        try:
            answer = requests.get(session, timeout=0.5).text
        except requests.exceptions.ReadTimeout:
            answer = ""  # a long poll with nothing to say
        assert_clean(answer)
        assert "42/wall" not in answer  # nothing from the Wall reaches an anonymous client
        if body.startswith(b"40/wall"):
            assert "Please sign in to use the Wall" in answer


def test_garbage_over_a_raw_websocket(live_wall):
    base, _ = live_wall
    ws_url = base.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    for frames in (["zzz"], ["4"], ["42/wall,[\"send\""], ["40/wall,{\"last_seen_id\":\"x\"}"],
                   ["4" + "}" * 100_000]):
        ws = websocket.create_connection(ws_url, timeout=5)
        try:
            opening = ws.recv()
            assert opening.startswith("0{")
            for frame in frames:
                ws.send(frame)
            ws.send_binary(b"\x00\x01\x02\xff")
            received = []
            ws.settimeout(0.5)
            try:
                while True:
                    message = ws.recv()
                    if not message:
                        break
                    received.append(message if isinstance(message, str) else repr(message))
            except websocket.WebSocketException:
                pass  # timed out with nothing to say, or closed by the server
            for message in received:
                assert_clean(message)
                assert not message.startswith("42/wall"), message  # no Wall events leak
        finally:
            ws.close()


def test_the_server_keeps_serving_everyone_else(live_wall):
    base, logs = live_wall
    # Another burst of nonsense, then real people carry on.
    for _ in range(20):
        requests.post(f"{base}/socket.io/?EIO=4&transport=polling&sid=x", data=b"\xff",
                      timeout=5)
    sam = LiveClient(base, "sam_peer")
    robin = LiveClient(base, "robin", transports=["polling"])
    try:
        assert sam.emit("duty", {"on": True})["ok"]
        ack = robin.emit("send", {"body": "still here?"})
        assert ack["ok"] and ack["status"] == "visible"
        sam.wait_for("message", lambda m: m["body"] == "still here?")
        assert requests.get(f"{base}/healthz", timeout=5).status_code == 200
    finally:
        sam.close()
        robin.close()
    time.sleep(0.2)
    log_text = "".join(p.read_text() for p in logs.glob("server-*.log"))
    assert "Traceback" not in log_text, log_text[-3000:]
