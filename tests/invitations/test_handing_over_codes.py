"""Invitations that are easy to hand over: a short code with a check character, a join
link that fills it in, and a printable slip with the link as a QR code."""

from __future__ import annotations

import base64
import math
import re
from datetime import timedelta

import pytest
import segno
import sqlalchemy as sa

from sharon import codes
from sharon.extensions import db
from sharon.infra import clock
from sharon.invitations import services
from sharon.models import Invitation, User
from sharon.refusals import Refused
from tests.helpers import sign_in, submit, text

GOOD = {"username": "blue_heron", "password": "kettle lantern orchard",
        "confirm": "kettle lantern orchard", "accept_guidelines": "y"}
SHAPE = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}-[0-9A-HJKMNP-TV-Z]")


def join(client, code, **changes):
    return submit(client, "/join", {"code": code, **GOOD, **changes})


def count_users() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def mistype(code: str, position: int, char: str) -> str:
    body = codes.normalise(code)
    return body[:position] + char + body[position + 1:]


def test_a_code_is_four_groups_of_four_and_a_check_character_with_80_random_bits():
    made = {services.new_code() for _ in range(200)}
    assert len(made) == 200
    for code in made:
        assert SHAPE.fullmatch(code), code
        assert codes.check_passes(codes.normalise(code))
    assert services.CODE_LENGTH * math.log2(len(codes.ALPHABET)) >= 75
    assert not set("ILOU") & set(codes.ALPHABET)


def test_the_check_character_catches_every_single_slip_and_swapped_neighbours():
    for _ in range(100):
        code = codes.normalise(services.new_code())
        for position, right in enumerate(code):
            for wrong in codes.ALPHABET.replace(right, ""):
                assert not codes.check_passes(mistype(code, position, wrong))
            if position + 1 < len(code) and code[position + 1] != right:
                swapped = code[:position] + code[position + 1] + right + code[position + 2:]
                assert not codes.check_passes(swapped)


def test_codes_are_forgiving_about_case_spaces_and_look_alikes():
    code = services.new_code()
    sloppy = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert services.hash_code(sloppy) == services.hash_code(code)
    assert services.code_problem(sloppy) is None


def test_a_mistyped_code_is_told_apart_before_any_lookup(client, app, make_invitation):
    invitation = make_invitation()
    right = codes.normalise(invitation.code)
    wrong = mistype(right, 5, "Z" if right[5] != "Z" else "Y")
    with pytest.raises(Refused) as refused:
        services.check(wrong)
    assert refused.value.code == "mistyped"
    statements: list[str] = []

    def remember(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    before = count_users()
    page = client.get("/join").get_data(as_text=True)
    assert page
    sa.event.listen(db.engine, "before_cursor_execute", remember)
    try:
        response = join(client, codes.grouped(wrong))
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", remember)
    assert response.status_code == 400
    assert "Check the code: one character looks wrong" in text(response)
    assert not any("invitations" in statement for statement in statements)
    assert count_users() == before
    assert db.session.get(Invitation, invitation.id).used_at is None


def test_a_code_with_a_character_missing_says_how_long_codes_are(client, make_invitation):
    invitation = make_invitation()
    response = join(client, invitation.code[:-2])
    assert response.status_code == 400
    assert "an invitation code has 17" in text(response)


def test_an_expired_short_code_says_so_and_creates_nothing(client, make_invitation):
    invitation = make_invitation(expires_at=clock.now() - timedelta(minutes=1))
    before = count_users()
    response = join(client, invitation.code)
    assert response.status_code == 400
    assert "This invitation code has expired" in text(response)
    assert count_users() == before


def test_the_join_link_fills_in_the_code(client, make_invitation):
    invitation = make_invitation()
    page = client.get(f"/join?code={invitation.code}").get_data(as_text=True)
    assert f'value="{invitation.code}"' in page
    filled = re.search(r'name="code"[^>]*value="([^"]+)"', page).group(1)
    assert join(client, filled).status_code == 302


@pytest.mark.parametrize("state", ["open", "expired"])
def test_a_code_in_the_older_32_character_form_still_works_until_it_expires(
        client, make_invitation, state):
    legacy = base64.b32encode(b"OIL-" + bytes(range(16))).decode().rstrip("=")
    legacy = "OILA" + legacy[4:]  # letters the new alphabet leaves out
    legacy = "-".join(legacy[i:i + 4] for i in range(0, 32, 4))
    expires = clock.now() + (timedelta(days=3) if state == "open" else -timedelta(days=1))
    invitation = make_invitation(code=legacy, expires_at=expires)
    response = join(client, legacy.lower().replace("-", " "))
    if state == "open":
        assert response.status_code == 302
        assert db.session.get(Invitation, invitation.id).used_at is not None
    else:
        assert response.status_code == 400
        assert "This invitation code has expired" in text(response)


def _dark_modules(svg: str) -> set[tuple[int, int]]:
    """Read segno's SVG path back into the (row, column) of each dark module."""
    path = re.search(r'stroke="#000" d="([^"]+)"', svg).group(1)
    x = y = 0.0
    dark = set()
    for op, first, second in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if op == "M":
            x, y = float(first), float(second)
        elif op == "m":
            x, y = x + float(first), y + float(second)
        else:
            dark.update((int(y), int(x) + step) for step in range(int(float(first))))
            x += float(first)
    return dark


def test_the_printable_slip_has_the_join_link_as_a_qr_code_and_is_never_cached(
        client, make_user):
    make_user(username="dr_lee", role="clinician")
    sign_in(client, "dr_lee")
    response = submit(client, "/invitations/new", {"role": "member", "networks": "1",
                                                   "days": "14", "note": ""})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    code = re.search(r'class="slip-code">([0-9A-Z-]+)<', html).group(1)
    assert SHAPE.fullmatch(code)
    link = f"http://localhost/join?code={code}"
    assert f"Link in the square code: {link}" in text(response)
    svg = re.search(r"<svg .*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and "<title>" in svg
    matrix = segno.make(link, error="m", micro=False).matrix
    expected = {(row + 4, col + 4) for row, line in enumerate(matrix)
                for col, value in enumerate(line) if value}
    assert _dark_modules(svg) == expected
    assert "<script" not in html.split('class="slip"')[1].split("</section>")[0]
    # The code is not kept anywhere to show again.
    assert code not in client.get("/invitations/").get_data(as_text=True)
