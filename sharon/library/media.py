"""Library media on disk: streaming uploads, type sniffing, and Range serving.

Nothing here holds a whole file in memory. Uploads are parsed straight from
the request stream with Werkzeug's sans-IO multipart decoder and written in
chunks to a `.part` file under SHARON_MEDIA_DIR; the size limit is checked as
the bytes arrive and the type is decided from the first bytes, so a refused
upload stops early and leaves nothing behind. Stored names are random hex;
the name the uploader's computer gave the file never reaches a path.
"""

from __future__ import annotations

import os
import re
import secrets
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, BinaryIO

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import http_date, parse_options_header, quote_etag, unquote_etag
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData
from werkzeug.wrappers import Response

from sharon.refusals import Refused

CHUNK = 64 * 1024
SNIFF_BYTES = 64
POSTER_LIMIT = 5 * 1024 * 1024
CAPTIONS_LIMIT = 1024 * 1024
# Room for the multipart boundaries and the CSRF field around the file itself.
MULTIPART_SLACK = 64 * 1024
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(mp4|webm|vtt|png|jpg)$")


class Slot(StrEnum):
    VIDEO = "video"
    POSTER = "poster"
    CAPTIONS = "captions"


@dataclass(frozen=True)
class Stored:
    name: str
    content_type: str
    size: int
    path: Path


def _is_mp4(head: bytes) -> bool:
    # ISO base media: a box size, then "ftyp" and a brand. (QuickTime .mov says "qt  ".)
    return len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] != b"qt  "


def _is_webm(head: bytes) -> bool:
    # EBML magic, and the DocType element says "webm" (Matroska says "matroska").
    return head.startswith(b"\x1a\x45\xdf\xa3") and b"\x42\x82\x84webm" in head[:SNIFF_BYTES]


def sniff(slot: Slot, head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from a file's first bytes, or None if it is not allowed."""
    if slot is Slot.VIDEO:
        if _is_mp4(head):
            return "video/mp4", "mp4"
        if _is_webm(head):
            return "video/webm", "webm"
    elif slot is Slot.POSTER:
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return "image/png", "png"
        if head.startswith(b"\xff\xd8\xff"):
            return "image/jpeg", "jpg"
    elif slot is Slot.CAPTIONS:
        text = head.removeprefix(b"\xef\xbb\xbf")
        if text.startswith(b"WEBVTT") and (len(text) == 6 or text[6:7] in (b" ", b"\t", b"\n",
                                                                            b"\r")):
            return "text/vtt", "vtt"
    return None


REFUSED_TYPE = {
    Slot.VIDEO: "That file is not an MP4 or WebM video. Please choose a video file.",
    Slot.POSTER: "That file is not a PNG or JPEG image. Please choose a picture.",
    Slot.CAPTIONS: "That file is not WebVTT captions (a .vtt file starting with WEBVTT).",
}


def limit_for(slot: Slot, max_video_bytes: int) -> int:
    """The largest file accepted in this slot."""
    return {Slot.VIDEO: max_video_bytes, Slot.POSTER: POSTER_LIMIT,
            Slot.CAPTIONS: CAPTIONS_LIMIT}[slot]


def describe_size(size: int) -> str:
    """A size in the words the upload form uses ("20 MB")."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB"
    return f"{max(1, size // 1024)} KB"


def too_large(slot: Slot, limit: int) -> Refused:
    """The refusal for a file over its slot's limit."""
    return Refused("too_large", f"That file is larger than the {describe_size(limit)} allowed "
                                f"for a {slot.value} file. Nothing was saved.")


def receive(stream: IO[bytes], content_type: str | None, directory: Path, slot: Slot,
            limit: int, check_token: Callable[[str], bool]) -> Stored:
    """Stream one multipart upload (fields `csrf_token` then `file`) to a new stored file.

    `check_token` is called with the CSRF field before any file byte is written,
    so the field must come first (it does in the page's form). Raises Refused;
    on any failure the partial file is deleted.
    """
    mimetype, options = parse_options_header(content_type)
    boundary = options.get("boundary", "").encode("latin-1")
    if mimetype != "multipart/form-data" or not boundary:
        raise Refused("bad_request", "Please choose a file with the form on this page.")
    directory.mkdir(parents=True, exist_ok=True)
    # The decoder's own buffer stays under two chunks: memory is bounded whatever the size.
    decoder = MultipartDecoder(boundary, max_form_memory_size=2 * CHUNK + 1024, max_parts=8)
    fields: dict[str, str] = {}
    field_name: str | None = None
    field_buffer = bytearray()
    out: BinaryIO | None = None
    part_path: Path | None = None
    in_file = False
    finished_file = False
    size = 0
    head = bytearray()
    kind: tuple[str, str] | None = None
    try:
        while True:
            chunk = stream.read(CHUNK)
            decoder.receive_data(chunk or None)
            event = decoder.next_event()
            while not isinstance(event, NeedData | Epilogue):
                if isinstance(event, Field):
                    field_name, in_file = event.name, False
                    field_buffer.clear()
                elif isinstance(event, File):
                    if event.name != "file" or out is not None or finished_file:
                        raise Refused("bad_request", "Send one file at a time.")
                    if not check_token(fields.get("csrf_token", "")):
                        raise Refused("csrf", "This form had expired, so nothing was saved. "
                                              "Please reload the page and try again.")
                    part_path = directory / f"{secrets.token_hex(16)}.part"
                    out = open(part_path, "xb")  # closed in finally
                    in_file = True
                elif isinstance(event, Data):
                    if in_file:
                        assert out is not None
                        size += len(event.data)
                        if size > limit:
                            raise too_large(slot, limit)
                        if kind is None:
                            head += event.data[:SNIFF_BYTES]
                            if not head and not event.more_data:
                                raise Refused("no_file", "Choose a file to upload.")
                            if len(head) >= SNIFF_BYTES or not event.more_data:
                                kind = sniff(slot, bytes(head))
                                if kind is None:
                                    raise Refused("bad_type", REFUSED_TYPE[slot])
                        out.write(event.data)
                        if not event.more_data:
                            in_file, finished_file = False, True
                    else:
                        field_buffer += event.data
                        if len(field_buffer) > 4096:
                            raise Refused("bad_request", "That form field is too long.")
                        if not event.more_data and field_name is not None:
                            fields[field_name] = field_buffer.decode("utf-8", "replace")
                event = decoder.next_event()
            if not chunk or isinstance(event, Epilogue):
                break
        if not finished_file or out is None or part_path is None or size == 0 or kind is None:
            raise Refused("no_file", "Choose a file to upload.")
        out.close()
        if slot is Slot.CAPTIONS:
            _check_captions(part_path)
        content, extension = kind
        final = part_path.with_suffix(f".{extension}")
        os.replace(part_path, final)
        part_path = None
        return Stored(final.name, content, size, final)
    except (ValueError, RequestEntityTooLarge) as error:  # a broken or odd multipart body
        raise Refused("bad_request", "The upload was incomplete or damaged. Please try "
                                     "again.") from error
    finally:
        if out is not None and not out.closed:
            out.close()
        if part_path is not None:
            part_path.unlink(missing_ok=True)


def store_copy(source: Path, directory: Path, slot: Slot) -> Stored:
    """Copy a file we already trust the origin of (demo data) in as a new stored file."""
    with open(source, "rb") as f:
        kind = sniff(slot, f.read(SNIFF_BYTES))
    if kind is None:
        raise Refused("bad_type", REFUSED_TYPE[slot])
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / f"{secrets.token_hex(16)}.{kind[1]}"
    with open(source, "rb") as src, open(final, "xb") as out:
        while chunk := src.read(CHUNK):
            out.write(chunk)
    return Stored(final.name, kind[0], final.stat().st_size, final)


def _check_captions(path: Path) -> None:
    """Captions must be UTF-8 text (the whole file is small: CAPTIONS_LIMIT)."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Refused("bad_type", "Captions must be saved as UTF-8 text.") from error
    if b"\x00" in data:
        raise Refused("bad_type", REFUSED_TYPE[Slot.CAPTIONS])


def path_for(directory: Path, name: str) -> Path:
    """The path of a stored file; refuses anything that is not one of our own names."""
    if not STORED_NAME.fullmatch(name):
        raise ValueError(f"not a stored media name: {name!r}")
    return directory / name


def delete(directory: Path, names: list[str]) -> None:
    """Remove stored files (after the commit that stopped pointing at them)."""
    for name in names:
        path_for(directory, name).unlink(missing_ok=True)


def mp4_duration(path: Path) -> int | None:
    """Whole seconds from an MP4's moov/mvhd box, or None if it cannot be read cheaply."""
    try:
        with open(path, "rb") as f:
            end = path.stat().st_size
            return _find_mvhd(f, 0, end, depth=0)
    except (OSError, struct.error):
        return None


def _find_mvhd(f: BinaryIO, start: int, end: int, depth: int) -> int | None:
    position = start
    while position + 8 <= end and depth < 3:
        f.seek(position)
        size, box = struct.unpack(">I4s", f.read(8))
        header = 8
        if size == 1:
            size = struct.unpack(">Q", f.read(8))[0]
            header = 16
        elif size == 0:
            size = end - position
        if size < header:
            return None
        if box == b"moov":
            return _find_mvhd(f, position + header, position + size, depth + 1)
        if box == b"mvhd":
            version = f.read(1)[0]
            f.read(3)
            if version == 1:
                _, _, timescale, duration = struct.unpack(">QQIQ", f.read(28))
            else:
                _, _, timescale, duration = struct.unpack(">IIII", f.read(16))
            return round(duration / timescale) if timescale else None
        position += size
    return None


# --- Serving ----------------------------------------------------------------------------------

# A real player's Range header is a few dozen characters ("bytes=1048576-"); anything
# longer is refused unread.
MAX_RANGE_HEADER = 200
# At most 19 digits: larger numbers are no real file offset (and int() of thousands of
# digits raises).
MAX_DIGITS = 19


class _Unsatisfiable(Exception):
    pass


def _position(text: str) -> str:
    """A byte position as written (digits, maybe surrounded by spaces), or "" if absent."""
    text = text.strip()
    if text and not (len(text) <= MAX_DIGITS and text.isascii() and text.isdigit()):
        raise _Unsatisfiable
    return text


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) inclusive for one byte range; None to serve the whole file.

    RFC 9110 §14.2: ranges in another unit are ignored, and so are several ranges at
    once (players ask for one). A malformed or unsatisfiable byte range is refused
    with 416, as the RFC allows.

    Parsed with splits and string tests only, each a single pass over the header: the
    regular expression this replaced backtracked on runs of spaces, so that a crafted
    8 KB header held the worker for minutes.
    """
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes":
        return None
    if "," in spec:
        return None
    if len(header) > MAX_RANGE_HEADER:
        raise _Unsatisfiable
    first, dash, last = spec.partition("-")
    if not dash:
        raise _Unsatisfiable
    first, last = _position(first), _position(last)
    if not first and not last:
        raise _Unsatisfiable
    if not first:  # a suffix: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise _Unsatisfiable
        return max(0, size - length), size - 1
    start = int(first)
    stop = int(last) if last else size - 1
    if stop < start or start >= size:
        raise _Unsatisfiable
    return start, min(stop, size - 1)


def _chunks(path: Path, start: int, length: int) -> Iterator[bytes]:
    with open(path, "rb") as f:
        f.seek(start)
        remaining = length
        while remaining > 0:
            data = f.read(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data


def serve(path: Path, content_type: str, environ_headers: dict[str, str | None]) -> Response:
    """A private, conditional, Range-aware response for a stored file.

    `environ_headers` carries the request's Range, If-Range, If-None-Match and
    If-Modified-Since. The body is read in chunks as it is sent.
    """
    stat = path.stat()
    size = stat.st_size
    modified = datetime.fromtimestamp(int(stat.st_mtime), UTC)
    # The stored name changes with every upload, so it makes a strong validator with the size.
    etag = f"{path.stem[:16]}-{size:x}-{int(stat.st_mtime):x}"
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": quote_etag(etag),
        "Last-Modified": http_date(modified),
        # Private content for signed-in people: browsers may keep it, but must ask again
        # (a cheap 304) so that a resource taken down stops playing; shared caches never.
        "Cache-Control": "private, no-cache",
        "Vary": "Cookie",
        "Content-Disposition": "inline",
    }
    if_none_match = environ_headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {unquote_etag(t.strip())[0] for t in if_none_match.split(",")}
        if etag in tags or "*" in tags:
            return Response(status=304, headers=headers)
    elif environ_headers.get("If-Modified-Since") == headers["Last-Modified"]:
        return Response(status=304, headers=headers)

    range_header = environ_headers.get("Range")
    if_range = environ_headers.get("If-Range")
    if range_header and if_range and if_range.strip() not in (quote_etag(etag),
                                                              headers["Last-Modified"]):
        range_header = None  # the file changed since the client's copy: send it whole
    try:
        byte_range = parse_range(range_header, size)
    except _Unsatisfiable:
        headers["Content-Range"] = f"bytes */{size}"
        return Response(b"", status=416, headers=headers, content_type=content_type)
    if byte_range is None:
        start, length, status = 0, size, 200
    else:
        start, last = byte_range
        length, status = last - start + 1, 206
        headers["Content-Range"] = f"bytes {start}-{last}/{size}"
    headers["Content-Length"] = str(length)
    return Response(_chunks(path, start, length), status=status, headers=headers,
                    content_type=content_type, direct_passthrough=True)
