"""Small helpers that act like a person with a browser: read the page, fill the form."""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

PASSWORD = "correct horse battery"
# Hidden fields a browser sends back as they were drawn: one-time tokens, and the version
# of a post an edit began from.
_SUBMISSION = re.compile(r'name="((?:[\w-]+-)?submission|version)"[^>]*value="([^"]+)"')
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


def submission_tokens(html: str) -> dict[str, str]:
    """The page's one-time form tokens (sharon.forms.OnceForm) and an edit's version."""
    return dict(_SUBMISSION.findall(html))


def submit(client: FlaskClient, url: str, data: dict[str, Any], page: str | None = None,
           **kwargs: Any) -> TestResponse:
    """GET the page with the form (or `page`), then POST `data` with its CSRF token and,
    as a browser would, the form's other hidden state."""
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token(html), **submission_tokens(html),
                                  **data}, **kwargs)


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD) -> TestResponse:
    return submit(client, "/sign-in", {"username": username, "password": password})


def sign_out(client: FlaskClient) -> TestResponse:
    return submit(client, "/sign-out", {}, page="/account/")


def text(response: TestResponse) -> str:
    """The page's text with tags removed and whitespace squeezed, as a person reads it."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))).strip()


def pager_link(response: TestResponse, rel: str) -> str | None:
    """The href of the page's "Newer" (rel="prev") or "Older" (rel="next") link, as a
    person would follow it without JavaScript; None when there is none."""
    match = re.search(r'<a [^>]*href="([^"]+)"[^>]*rel="' + rel + '"',
                      response.get_data(as_text=True))
    return html_lib.unescape(match.group(1)) if match else None
