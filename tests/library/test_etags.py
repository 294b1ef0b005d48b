"""The library's index carries an ETag (sharon/infra/etags.py): a repeat visit is a 304,
and any change the reader would see, a scheduled resource coming live included, is not."""

from __future__ import annotations

from datetime import timedelta

from sharon.extensions import db
from sharon.library import services
from sharon.models import Network, User
from tests.forums.test_etags import settled
from tests.helpers import sign_in


def test_library_index_etag(client, app, member, clinician, make_blog, frozen_clock):
    make_blog(title="Sleep well")
    scheduled = make_blog(title="Morning light", publish=False)
    services.publish(clinician, scheduled, when=frozen_clock() + timedelta(hours=2))
    db.session.commit()
    sign_in(client, "sam")
    etag = settled(client, "/library/")
    assert client.get("/library/", headers={"If-None-Match": etag}).status_code == 304

    frozen_clock.advance(hours=3)  # the scheduled resource comes live
    response = client.get("/library/", headers={"If-None-Match": etag})
    assert response.status_code == 200 and "Morning light" in response.get_data(as_text=True)
    etag = settled(client, "/library/")

    make_blog(title="Breathing space")  # a new resource
    response = client.get("/library/", headers={"If-None-Match": etag})
    assert response.status_code == 200 and "Breathing space" in response.get_data(as_text=True)
    etag = settled(client, "/library/")

    # Leaving the network the resources are for: they go, and so does the ETag.
    db.session.get(User, member.id).networks = [Network(name="Elsewhere", slug="elsewhere")]
    db.session.commit()
    response = client.get("/library/", headers={"If-None-Match": etag})
    assert response.status_code == 200 and "Breathing space" not in response.get_data(
        as_text=True)

    other = app.test_client()
    sign_in(other, "dr_ellis")
    assert other.get("/library/", headers={"If-None-Match": etag}).status_code == 200
    assert "ETag" not in client.get("/library/?after=nonsense").headers
