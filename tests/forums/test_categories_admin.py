"""Admins add and change forum spaces; nobody else may."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sharon.extensions import db
from sharon.models import Category
from tests.helpers import csrf_token, sign_in, submit, text


def test_admin_adds_and_edits_a_category(client, app, make_user, network):
    make_user(username="boss", role="admin")
    sign_in(client, "boss")
    response = submit(client, "/forums/manage/categories", {
        "network_id": str(network.id), "name": "Carers' corner", "description": "For carers",
        "position": "2", "audience": "carers"}, follow_redirects=True)
    assert "Category Carers' corner created" in text(response)
    category = db.session.scalar(sa.select(Category))
    assert (category.audience, category.position) == ("carers", 2)
    edit = f"/forums/manage/categories/{category.id}"
    assert 'value="Carers&#39; corner"' in client.get(edit).get_data(as_text=True)
    submit(client, edit, {"network_id": str(network.id), "name": "Carers together",
                          "description": "", "position": "1", "audience": "everyone"})
    db.session.expire_all()
    category = db.session.get(Category, category.id)
    assert (category.name, category.audience) == ("Carers together", "everyone")
    make_user(username="river")
    member = app.test_client()
    sign_in(member, "river")
    assert "Carers together" in text(member.get("/forums/"))


@pytest.mark.parametrize("data, message", [
    ({"name": ""}, "Enter a name"),
    ({"name": "x"}, "between 2 and 80"),
    ({"audience": "everybody"}, "Not a valid choice"),
    ({"network_id": "999"}, "Not a valid choice"),
    ({"position": "-3"}, "between 0 and 1000"),
])
def test_bad_categories_are_refused(client, make_user, network, data, message):
    make_user(username="boss", role="admin")
    sign_in(client, "boss")
    form = {"network_id": str(network.id), "name": "Good name", "position": "0",
            "audience": "everyone", **data}
    response = submit(client, "/forums/manage/categories", form)
    assert response.status_code == 400 and message in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Category)) == 0


@pytest.mark.parametrize("role", ["member", "carer", "peer_supporter", "clinician"])
def test_only_admins_manage_categories(client, make_user, network, role):
    make_user(username="someone", role=role)
    sign_in(client, "someone")
    assert client.get("/forums/manage/categories").status_code == 403
    token = csrf_token(client.get("/account/").get_data(as_text=True))
    response = client.post("/forums/manage/categories", data={
        "csrf_token": token, "network_id": str(network.id), "name": "Sneaky",
        "position": "0", "audience": "everyone"})
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Category)) == 0
