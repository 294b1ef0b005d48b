"""flask commands, run the way an operator runs them: `flask --app wsgi …`."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import sqlalchemy as sa

from sharon.config import ROOT
from sharon.extensions import db
from sharon.models import Invitation, User
from tests.helpers import submit, text


def flask(database_url: str, *args: str, password: str | None = None, input: str | None = None,
          media_dir: str | None = None):
    env = {**os.environ, "SHARON_DATABASE_URL": database_url, "SHARON_ASYNC_MODE": "threading",
           "SHARON_ARGON2_PROFILE": "fast", "SHARON_SECRET_KEY": "cli-test"}
    if media_dir:
        env["SHARON_MEDIA_DIR"] = media_dir
    env.pop("SHARON_PASSWORD", None)
    if password:
        env["SHARON_PASSWORD"] = password
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, input=input, timeout=120)


@pytest.fixture(autouse=True)
def media_outside_the_repo(tmp_path, monkeypatch):
    """Commands that write media (seed-demo) never write into the real instance folder."""
    monkeypatch.setenv("SHARON_MEDIA_DIR", str(tmp_path / "cli-media"))


@pytest.fixture
def empty_database_url(template_db, tmp_path):
    if template_db.is_postgres:
        url = template_db.url.set(database=f"{template_db.url.database}_cli_{os.getpid()}")
        admin = sa.create_engine(template_db.url.set(database="postgres"),
                                 isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}"')
            conn.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
        yield url.render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        admin.dispose()
    else:
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"


def test_init_db_creates_the_schema_on_an_empty_database(empty_database_url):
    result = flask(empty_database_url, "init-db")
    assert result.returncode == 0, result.stderr
    assert "Database ready" in result.stdout
    engine = sa.create_engine(empty_database_url, poolclass=sa.pool.NullPool)
    assert {"users", "invitations", "networks"} <= set(sa.inspect(engine).get_table_names())
    engine.dispose()
    again = flask(empty_database_url, "init-db")  # idempotent
    assert again.returncode == 0


def test_create_user_then_invite_then_join(client, database_url):
    result = flask(database_url, "create-user", "dr_lee", "--role", "clinician",
                   "--email", "lee@example.org", password="granite willow copper")
    assert result.returncode == 0, result.stderr
    assert "Created dr_lee (Clinician)" in result.stdout
    result = flask(database_url, "invite", "--role", "carer", "--by", "dr_lee",
                   "--network", "talking-therapies", "--days", "3", "--note", "from cli")
    assert result.returncode == 0, result.stderr
    code = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}-[0-9A-Z]", code), code
    invitation = db.session.scalar(sa.select(Invitation))
    assert invitation.role == "carer" and invitation.note == "from cli"
    response = submit(client, "/join", {"code": code, "username": "new_carer",
                                        "password": "kettle lantern orchard",
                                        "confirm": "kettle lantern orchard",
                                        "accept_guidelines": "y"}, follow_redirects=True)
    assert "Welcome to SHaRON, new_carer" in text(response)


def test_create_user_prompts_for_a_password(app, database_url):
    result = flask(database_url, "create-user", "sam_peer", "--role", "peer_supporter",
                   input="meadow quartz violin\nmeadow quartz violin\n")
    assert result.returncode == 0, result.stderr
    assert db.session.scalar(sa.select(User).where(User.username == "sam_peer")) is not None


@pytest.mark.parametrize("args, password, message", [
    (["create-user", "x", "--role", "clinician"], "granite willow copper", "3 to 30"),
    (["create-user", "okname", "--role", "wizard"], "granite willow copper", "Invalid value"),
    (["create-user", "okname", "--role", "admin"], "password", "at least 10"),
    (["create-user", "okname", "--role", "admin", "--network", "nope"], "granite willow copper",
     "Unknown network"),
    (["invite", "--role", "member", "--by", "nobody"], None, "No account called"),
    (["invite", "--role", "admin", "--by", "nobody"], None, "Invalid value"),
    (["invite", "--role", "member"], None, "Missing option"),
    (["invite", "--role", "member", "--by", "nobody", "--days", "0"], None, "Invalid value"),
])
def test_bad_arguments_fail_clearly(runner, monkeypatch, args, password, message):
    monkeypatch.delenv("SHARON_PASSWORD", raising=False)
    if password:
        monkeypatch.setenv("SHARON_PASSWORD", password)
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_invite_by_someone_not_allowed(database_url, make_user):
    make_user(username="river")
    result = flask(database_url, "invite", "--role", "member", "--by", "river")
    assert result.returncode != 0 and "not allowed to issue invitations" in result.stderr
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_seed_demo_prints_accounts_for_every_role_and_can_run_twice(client, database_url,
                                                                    tmp_path):
    media = str(tmp_path / "media")
    first = flask(database_url, "seed-demo", media_dir=media)
    assert first.returncode == 0, first.stderr
    for role in ("Member", "Carer", "Peer supporter", "Volunteer", "Clinician", "Admin"):
        assert role in first.stdout
    second = flask(database_url, "seed-demo", media_dir=media)
    assert second.returncode == 0, second.stderr
    line = next(line for line in second.stdout.splitlines() if "demo_clinician" in line)
    username, _, password = line.split()[0], line.split()[1], line.split()[-1]
    response = submit(client, "/sign-in", {"username": username, "password": password},
                      follow_redirects=True)
    assert "Hello, demo_clinician" in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
        User.username.like("demo_%"))) == 6
