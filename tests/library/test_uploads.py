"""Uploads: streamed to disk, typed by their bytes, limited while streaming, random names."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.library import media
from sharon.models import ModerationAction, Resource
from tests.helpers import sign_in, text
from tests.library.conftest import MP4, PNG, SMALL_LIMIT, VTT, WEBM, stored_files, upload

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200  # a Linux program
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200  # a Windows program


@pytest.fixture
def draft_video(make_video):  # type: ignore[no-untyped-def]
    video = make_video(publish=False, captions=False)
    return video


def test_staff_upload_stores_under_a_random_name_and_records_it(client, clinician, media_dir):
    from sharon.library import services
    from sharon.models import ResourceKind
    from tests.factories import default_network

    video = services.create(clinician, ResourceKind.VIDEO, services.ResourceInput(
        title="New", summary="s", network_ids=[default_network().id]))
    db.session.commit()
    sign_in(client, "dr_ellis")
    response = upload(client, video.id, "video", MP4, filename="my holiday.mp4")
    assert response.status_code == 303
    db.session.refresh(video)
    assert video.video_type == "video/mp4" and video.video_bytes == len(MP4)
    assert video.duration_seconds == 6  # read from the MP4's mvhd box
    assert media.STORED_NAME.fullmatch(video.video_file)
    assert stored_files(media_dir) == [video.video_file]
    assert (media_dir / video.video_file).read_bytes() == MP4
    assert "holiday" not in repr(db.session.execute(sa.select(Resource.__table__)).all())
    log = db.session.scalars(sa.select(ModerationAction).where(
        ModerationAction.subject_id == video.id).order_by(ModerationAction.id)).all()
    assert [entry.action for entry in log] == ["resource_create", "resource_file_upload"]
    assert log[1].detail["slot"] == "video"


def test_webm_png_and_vtt_are_accepted(client, clinician, draft_video, media_dir):
    sign_in(client, "dr_ellis")
    assert upload(client, draft_video.id, "video", WEBM, "x.webm").status_code == 303
    assert upload(client, draft_video.id, "poster", PNG, "p.png").status_code == 303
    assert upload(client, draft_video.id, "poster", b"\xff\xd8\xff\xe0" + b"\0" * 100,
                  "p.jpg").status_code == 303
    assert upload(client, draft_video.id, "captions", VTT, "c.vtt").status_code == 303
    db.session.refresh(draft_video)
    assert draft_video.video_type == "video/webm"
    assert draft_video.poster_type == "image/jpeg"
    assert sorted(stored_files(media_dir)) == sorted(draft_video.stored_files)


@pytest.mark.parametrize("slot,data,name", [
    ("video", ELF, "cute-cats.mp4"),
    ("video", EXE, "therapy.webm"),
    ("video", PNG, "poster.mp4"),
    ("video", b"#!/bin/sh\nrm -rf /\n" * 10, "clip.mp4"),
    ("poster", EXE, "poster.png"),
    ("poster", b"<svg onload=alert(1)></svg>" * 4, "poster.jpg"),
    ("captions", b"<script>alert(1)</script>" * 4, "captions.vtt"),
    ("captions", b"WEBVTTX but not really", "captions.vtt"),
    ("captions", b"WEBVTT\n\n00:00.000 --> 00:01.000\n\xff\xfe bad bytes", "captions.vtt"),
])
def test_a_program_or_wrong_type_renamed_is_refused(client, draft_video, media_dir, slot,
                                                    data, name):
    sign_in(client, "dr_ellis")
    before = stored_files(media_dir)
    files = (draft_video.video_file, draft_video.poster_file, draft_video.captions_file)
    response = upload(client, draft_video.id, slot, data, filename=name)
    assert response.status_code == 415
    assert "There is a problem" in text(response) and "not" in text(response)
    assert stored_files(media_dir) == before
    db.session.refresh(draft_video)
    assert (draft_video.video_file, draft_video.poster_file, draft_video.captions_file) == files


def test_program_renamed_mp4_leaves_the_resource_unchanged(client, draft_video, media_dir):
    sign_in(client, "dr_ellis")
    old = draft_video.video_file
    assert upload(client, draft_video.id, "video", ELF, "a.mp4").status_code == 415
    db.session.refresh(draft_video)
    assert draft_video.video_file == old
    assert (media_dir / old).read_bytes() == MP4


def test_over_the_limit_while_streaming_leaves_nothing_on_disk(client, draft_video, media_dir):
    """Just over the limit: Content-Length passes the early check, the stream does not."""
    sign_in(client, "dr_ellis")
    before = stored_files(media_dir)
    big = MP4[:64] + b"\0" * (SMALL_LIMIT + 1 - 64)
    response = upload(client, draft_video.id, "video", big)
    assert response.status_code == 413
    assert "larger than the 100 KB allowed" in text(response)
    assert stored_files(media_dir) == before  # no .part file either


def test_far_over_the_limit_is_refused_before_reading(client, draft_video, media_dir):
    sign_in(client, "dr_ellis")
    before = stored_files(media_dir)
    response = upload(client, draft_video.id, "video", MP4[:64] + b"\0" * (3 * SMALL_LIMIT))
    assert response.status_code == 413
    assert stored_files(media_dir) == before


def test_the_limit_itself_is_accepted(client, draft_video, media_dir):
    sign_in(client, "dr_ellis")
    exact = MP4[:64] + b"\0" * (SMALL_LIMIT - 64)
    assert upload(client, draft_video.id, "video", exact).status_code == 303


@pytest.mark.parametrize("name", ["../../../etc/passwd.mp4", "/etc/cron.d/x.mp4",
                                  "..\\..\\windows\\x.mp4", "a/../../b.mp4", "x.mp4\0.sh",
                                  ".htaccess", "con.mp4"])
def test_path_tricks_in_file_names_go_nowhere(client, draft_video, media_dir, tmp_path, name):
    sign_in(client, "dr_ellis")
    before = {p for p in tmp_path.rglob("*")}
    response = upload(client, draft_video.id, "video", MP4, filename=name)
    assert response.status_code == 303
    db.session.refresh(draft_video)
    created = {p for p in tmp_path.rglob("*")} - before
    assert created == {media_dir / draft_video.video_file}
    assert media.STORED_NAME.fullmatch(draft_video.video_file)


def test_stored_names_are_checked_before_touching_the_disk(media_dir):
    for name in ("../x.mp4", "abc.mp4", "0" * 32 + ".exe", "/etc/passwd"):
        with pytest.raises(ValueError):
            media.path_for(media_dir, name)


def test_reupload_replaces_the_old_file(client, draft_video, media_dir):
    sign_in(client, "dr_ellis")
    old = draft_video.video_file
    assert upload(client, draft_video.id, "video", WEBM, "new.webm").status_code == 303
    db.session.refresh(draft_video)
    assert draft_video.video_file != old
    assert not (media_dir / old).exists()
    assert sorted(stored_files(media_dir)) == sorted(draft_video.stored_files)


def test_deleting_a_resource_deletes_its_files(client, make_video, media_dir):
    video = make_video()
    assert len(stored_files(media_dir)) == 3
    sign_in(client, "dr_ellis")
    from tests.helpers import submit

    response = submit(client, f"/library/manage/{video.id}/delete", {})
    assert response.status_code == 303
    assert stored_files(media_dir) == []
    assert db.session.get(Resource, video.id) is None
    assert db.session.scalar(sa.select(ModerationAction.action).where(
        ModerationAction.subject_id == video.id).order_by(ModerationAction.id.desc())
    ) == "resource_delete"


def test_upload_needs_the_csrf_token_before_the_file(client, draft_video, media_dir):
    sign_in(client, "dr_ellis")
    before = stored_files(media_dir)
    response = upload(client, draft_video.id, "video", MP4, token="forged")
    assert response.status_code == 400 and "expired" in text(response)
    # The file part first, token after: refused too, as nothing is kept before the check.
    page = client.get(f"/library/manage/{draft_video.id}/edit")
    from tests.helpers import csrf_token

    token = csrf_token(page.get_data(as_text=True))
    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"a.mp4\"\r\nContent-Type: video/mp4\r\n\r\n").encode() + MP4 + (
            f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{token}\r\n--{boundary}--\r\n").encode()
    response = client.post(f"/library/manage/{draft_video.id}/upload/video", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400
    assert stored_files(media_dir) == before


def test_broken_or_empty_uploads_are_refused(client, draft_video, media_dir):
    sign_in(client, "dr_ellis")
    before = stored_files(media_dir)
    assert upload(client, draft_video.id, "video", b"").status_code == 400
    response = client.post(f"/library/manage/{draft_video.id}/upload/video", data=b"junk",
                           content_type="application/octet-stream")
    assert response.status_code == 400
    page = client.get(f"/library/manage/{draft_video.id}/edit")
    from tests.helpers import csrf_token

    token = csrf_token(page.get_data(as_text=True))
    truncated = (f"--b\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}"
                 "\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n"
                 "\r\n").encode() + MP4[:5000]
    response = client.post(f"/library/manage/{draft_video.id}/upload/video", data=truncated,
                           content_type="multipart/form-data; boundary=b")
    assert response.status_code == 400
    assert stored_files(media_dir) == before


def test_members_cannot_upload_or_edit(client, member, draft_video, make_blog, media_dir):
    blog = make_blog()
    sign_in(client, "sam")
    for url in (f"/library/manage/{blog.id}/edit", "/library/manage/", "/library/manage/new/blog",
                f"/library/manage/{blog.id}/delete"):
        assert client.get(url).status_code == 403, url
    response = client.post(f"/library/manage/{draft_video.id}/upload/video",
                           data={"file": (io.BytesIO(MP4), "a.mp4")},
                           content_type="multipart/form-data")
    assert response.status_code == 403
    token_page = client.get("/library/")
    from tests.helpers import csrf_token

    token = csrf_token(token_page.get_data(as_text=True))
    for action in ("publish", "unpublish", "delete", "edit"):
        response = client.post(f"/library/manage/{blog.id}/{action}",
                               data={"csrf_token": token, "title": "Hacked", "summary": "x"})
        assert response.status_code == 403, action
    db.session.refresh(blog)
    assert blog.title == "Sleep well" and blog.status == "published"
    assert stored_files(media_dir) == sorted(draft_video.stored_files)
