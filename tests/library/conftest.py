"""Library fixtures: a media folder per test, a small video limit, resources made by staff."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from sharon.config import ROOT
from sharon.extensions import db
from sharon.library import media, services
from sharon.models import Audience, ResourceKind
from tests.factories import default_network
from tests.helpers import csrf_token

DEMO = ROOT / "sharon" / "data" / "demo"
MP4 = (DEMO / "breathing.mp4").read_bytes()
VTT = (DEMO / "breathing.vtt").read_bytes()
PNG = (DEMO / "poster.png").read_bytes()
# A WebM's first bytes: the EBML header with DocType "webm".
WEBM = bytes.fromhex("1a45dfa39f4286810142f7810142f2810442f381084282847765626d42878104"
                     "42858102") + b"\x00" * 64
SMALL_LIMIT = 100 * 1024


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    return tmp_path / "media"


@pytest.fixture
def app_config(media_dir: Path) -> dict[str, object]:
    return {"SHARON_MEDIA_DIR": str(media_dir), "SHARON_MAX_VIDEO_BYTES": SMALL_LIMIT}


@pytest.fixture
def clinician(make_user):  # type: ignore[no-untyped-def]
    return make_user(username="dr_ellis", role="clinician")


@pytest.fixture
def member(make_user):  # type: ignore[no-untyped-def]
    return make_user(username="sam")


@pytest.fixture
def make_blog(clinician):  # type: ignore[no-untyped-def]
    def make(title="Sleep well", body="Go to bed at the same time.", publish=True,
             audience=Audience.BOTH, networks=None, tags="sleep"):
        blog = services.create(clinician, ResourceKind.BLOG, services.ResourceInput(
            title=title, summary=f"About {title.lower()}.", body=body, audience=audience,
            network_ids=[n.id for n in (networks or [default_network()])], tags=tags))
        if publish:
            services.publish(clinician, blog)
        db.session.commit()
        return blog

    return make


@pytest.fixture
def make_video(clinician, media_dir):  # type: ignore[no-untyped-def]
    def make(title="Breathing", publish=True, captions=True, tags="anxiety"):
        video = services.create(clinician, ResourceKind.VIDEO, services.ResourceInput(
            title=title, summary="Breathe.", transcript="Breathe in. Breathe out.",
            network_ids=[default_network().id], tags=tags))
        slots = [(media.Slot.VIDEO, "breathing.mp4"), (media.Slot.POSTER, "poster.png")]
        if captions:
            slots.append((media.Slot.CAPTIONS, "breathing.vtt"))
        for slot, name in slots:
            services.attach(clinician, video, slot, media.store_copy(DEMO / name, media_dir, slot))
        if publish:
            services.publish(clinician, video)
        db.session.commit()
        return video

    return make


def upload(client, resource_id: int, slot: str, data: bytes, filename: str = "clip.mp4",
           token: str | None = None):  # type: ignore[no-untyped-def]
    """POST a file to the streaming upload route the way the edit page's form does."""
    if token is None:
        page = client.get(f"/library/manage/{resource_id}/edit")
        token = csrf_token(page.get_data(as_text=True))
    return client.post(f"/library/manage/{resource_id}/upload/{slot}",
                       data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def stored_files(media_dir: Path) -> list[str]:
    return sorted(p.name for p in media_dir.rglob("*")) if media_dir.exists() else []


def switch_to(client, username: str):  # type: ignore[no-untyped-def]
    """Sign out whoever is signed in on this client, then sign in as `username`."""
    from tests.helpers import sign_in, sign_out

    if client.get("/account/").status_code == 200:
        sign_out(client)
    return sign_in(client, username)
