"""NUL bytes and lone surrogates never reach the database: dropped from text to be read,
a field error in text that must be exact, and never a 500."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
import sqlalchemy as sa
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms.fields import FormField

import sharon
from sharon.content import clean_text, required_text, storable, unstorable
from sharon.extensions import db
from sharon.forms import UNSTORABLE, Form, check_storable
from sharon.models import SignInThrottle, User
from sharon.refusals import Refused
from tests.helpers import submit, text

JOIN = {"password": "kettle lantern orchard", "confirm": "kettle lantern orchard",
        "accept_guidelines": "y"}


def _all_forms() -> list[type[FlaskForm]]:
    for module in pkgutil.walk_packages(sharon.__path__, "sharon."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    found, todo = [], list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("sharon."):
            found.append(cls)
    return found


def test_every_form_in_the_app_checks_every_field_first(app):
    forms = _all_forms()
    assert len(forms) > 20
    with app.test_request_context(method="POST"):
        for cls in forms:
            assert issubclass(cls, Form), f"{cls.__module__}.{cls.__name__} is not a sharon Form"
            for field in cls(meta={"csrf": False}):
                if not isinstance(field, FormField):
                    assert field.validators[0] is check_storable, (cls.__name__, field.name)


def test_the_rule_finds_nul_and_lone_surrogates_and_mends_pairs():
    assert unstorable("a\x00b") and unstorable("a\ud800b") and unstorable("\udfff")
    assert not unstorable("plain, with é and 😀")
    assert storable("a\x00b\ud800c") == "abc"
    # Two halves sent as two code points are the one character they stand for.
    assert clean_text("hi \ud83d\ude00\x00\x07\r\n") == "hi 😀\n"
    with pytest.raises(Refused) as refusal:
        required_text("\ud800 \x00", 10, "Write something.", "Too long.")
    assert refusal.value.code == "empty"
    assert required_text(" ok \udc00", 10, "Write something.", "Too long.") == "ok"


def _form(app, cls, data):  # type: ignore[no-untyped-def]
    with app.test_request_context(method="POST"):
        form = cls(formdata=MultiDict(data), meta={"csrf": False})
        return form.validate(), form


def test_text_to_be_read_loses_them_and_exact_text_is_an_error(app):
    from sharon.auth.forms import SignInForm
    from sharon.forums.forms import ReplyForm

    ok, form = _form(app, ReplyForm, {"body": "Hello \ud800the\x00re", "submission": "t" * 22})
    assert ok and form.body.data == "Hello there"
    ok, form = _form(app, SignInForm, {"username": "robin\ud800", "password": "pass\x00word"})
    assert not ok
    assert form.username.errors == [UNSTORABLE] and form.password.errors == [UNSTORABLE]
    assert form.username.data == "robin"  # shown back without the half character


def test_a_nul_in_the_sign_in_username_is_a_field_error(client, make_user):
    make_user(username="robin")
    response = submit(client, "/sign-in", {"username": "robin\x00", "password": "whatever"})
    assert response.status_code == 400
    assert f"Error: {UNSTORABLE}" in text(response)
    assert "robin\ufffd" in response.get_data(as_text=True)  # where the character was
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignInThrottle)) == 0


@pytest.mark.parametrize("field, value", [
    ("username", "blue\x00heron"), ("code", "ABCD\x00EFGH"), ("password", "kettle\x00 lantern"),
    ("email", "me\x00@example.org"),
])
def test_a_nul_when_joining_is_an_error_on_its_field(client, make_invitation, field, value):
    invitation = make_invitation()
    data = {"code": invitation.code, "username": "blue_heron", **JOIN, field: value}
    if field == "password":
        data["confirm"] = value
    response = submit(client, "/join", data)
    assert response.status_code == 400 and f"Error: {UNSTORABLE}" in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1  # the inviter


def test_query_strings_and_loose_form_values_are_cleaned(client, make_user):
    make_user(username="boss", role="admin")
    from tests.helpers import sign_in

    sign_in(client, "boss")
    for url in ("/forums/search?q=a%00b", "/library/?tag=a%00b", "/admin/people?q=bo%00ss"):
        assert client.get(url).status_code == 200, url
    response = submit(client, "/forums/muted-words/remove", {"term": "a\x00b"},
                      page="/forums/muted-words")
    assert response.status_code == 302
