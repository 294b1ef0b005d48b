"""Public pages, the layout on every page, error pages and security headers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sharon.config import ROOT
from tests.helpers import csrf_token, sign_in, text

PUBLIC = ["/", "/help/urgent", "/guidelines", "/privacy", "/accessibility", "/sign-in", "/join"]


def test_home_explains_sharon_to_a_visitor(client):
    page = text(client.get("/"))
    assert "finished talking therapy" in page
    assert "Ask your therapist" in page
    assert "Sign in" in page and "Join with an invitation" in page


def test_home_greets_a_signed_in_member(client, make_user):
    make_user(username="river")
    sign_in(client, "river")
    page = text(client.get("/"))
    assert "Hello, river" in page and "Forums" in page
    assert "For staff" not in page


def test_home_shows_staff_their_tools(client, make_user):
    make_user(username="dr_lee", role="clinician")
    sign_in(client, "dr_lee")
    assert "Invite someone you have treated" in text(client.get("/"))


@pytest.mark.parametrize("path", PUBLIC)
def test_every_page_has_the_layout_and_a_way_to_urgent_help(client, path):
    response = client.get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="/help/urgent">Need urgent help?</a>' in html
    assert ('<a class="nhsuk-skip-link skip-link" data-module="nhsuk-skip-link" href="#main">'
            in html)
    assert '<main id="main"' in html
    assert re.search(r"<h1[^>]*>.+</h1>", html)
    assert '<html lang="en-GB">' in html
    assert 'name="viewport"' in html


def test_crisis_page_lists_every_contact(client):
    page = text(client.get("/help/urgent"))
    for words in ("999", "NHS 111", "Samaritans", "116 123", "SHOUT", "85258"):
        assert words in page
    html = client.get("/help/urgent").get_data(as_text=True)
    assert 'href="tel:116123"' in html


def test_guidelines_are_real(client):
    page = text(client.get("/guidelines"))
    for words in ("Be kind", "anonymous", "content note", "Report", "moderat"):
        assert words in page


@pytest.mark.parametrize("path", PUBLIC)
def test_security_headers(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_templates_have_no_inline_scripts_styles_or_remote_assets():
    for path in Path(ROOT / "templates").rglob("*.html"):
        html = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert " style=" not in html and "<style" not in html, path
        assert not re.search(r"\bon[a-z]+=\"", html), path
        assert "http://" not in html and "https://" not in html and "//cdn" not in html, path


def test_static_assets_are_served(client):
    with client.get("/static/css/sharon.css") as response:
        assert response.status_code == 200
        assert ":focus-visible" in response.get_data(as_text=True)


def test_404_is_styled(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in text(response) and "Need urgent help?" in text(response)


def test_405_and_400_are_styled(client):
    assert "not allowed" in text(client.post("/"))
    response = client.post("/sign-in", data={})
    assert response.status_code == 400 and "nothing was saved" in text(response)


def test_500_is_styled_and_hides_details(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "Sorry, something went wrong on our side" in text(response)
    assert "secret internal detail" not in response.get_data(as_text=True)


def test_nav_links_every_area(client):
    html = client.get("/").get_data(as_text=True)
    for href, label in (("/forums/", "Forums"), ("/library/", "Library"), ("/wall/", "The Wall")):
        assert f'<a class="nhsuk-header__navigation-link" href="{href}">{label}</a>' in html
    assert "coming soon" not in html


def test_health_check(client):
    assert client.get("/healthz").get_data(as_text=True) == "ok"


def test_the_header_leads_everyone_to_their_own_staying_well_plan(client, make_user):
    link = '<a class="nhsuk-header__navigation-link" href="/staying-well/">Staying well</a>'
    for username, role, shown in (("river", "member", True), ("ash", "carer", True),
                                  ("dr_lee", "clinician", True), ("boss", "admin", True)):
        make_user(username=username, role=role)
        sign_in(client, username)
        assert (link in client.get("/forums/").get_data(as_text=True)) is shown, username
        token = csrf_token(client.get("/").get_data(as_text=True))
        client.post("/sign-out", data={"csrf_token": token})
        assert link not in client.get("/guidelines").get_data(as_text=True)  # signed out


def test_the_design_system_is_ours_to_serve_with_its_version_and_licence(client):
    vendor = ROOT / "static" / "vendor" / "nhsuk-frontend"
    assert re.fullmatch(r"\d+\.\d+\.\d+\n", (vendor / "VERSION").read_text())
    assert "MIT License" in (vendor / "LICENSE").read_text()
    html = client.get("/").get_data(as_text=True)
    for asset in ("vendor/nhsuk-frontend/nhsuk-frontend.min.css", "js/nhsuk-init.js",
                  "js/enhance.js"):
        assert f"/static/{asset}" in html
        with client.get(f"/static/{asset}") as response:
            assert response.status_code == 200
    with client.get("/static/vendor/nhsuk-frontend/nhsuk-frontend.min.css") as response:
        css = response.get_data(as_text=True)
    # No web font from a CDN, and the icons it names are served from beside it.
    assert "://" not in css and "Frutiger" not in css and "font-family:arial" in css
    for icon in set(re.findall(r'url\("(assets/images/[^"]+)"\)', css)):
        with client.get(f"/static/vendor/nhsuk-frontend/{icon}") as response:
            assert response.status_code == 200, icon
    with client.get("/static/js/nhsuk-init.js") as response:
        assert "../vendor/nhsuk-frontend/nhsuk-frontend.min.js" in response.get_data(as_text=True)
