"""Plain text (the Wall) to HTML: escaped, line breaks kept, web links made safe."""

from __future__ import annotations

import random

import pytest
from markupsafe import escape

from sharon.content import _cleaner, render_plain

SAMPLES = [
    "Feeling a bit better today. Thanks, all.",
    '<img src=x onerror="alert(1)"><script>alert(2)</script> & "quotes" \'too\'',
    "line one\n<b>line two</b>\n\nline four",
    "see www.nhs.uk or https://www.samaritans.org/how-we-can-help/",
    "javascript:alert(1) and data:text/html,<script>x</script>",
    "mail me at someone@example.com, or not",
    "a.b c.d e.f:80 (nhs.uk) ends in .uk.",
    "&lt;3 &amp; &#34; &copy; & ; #",
    "",
]


@pytest.mark.parametrize("source", SAMPLES)
def test_plain_text_is_what_the_full_sanitizer_makes_of_it(source):
    # render_plain skips the HTML parse when no link can be made: the result must be
    # exactly what the sanitizer and linkifier would have returned.
    escaped = str(escape(source)).replace("\n", "<br>\n")
    assert str(render_plain(source)) == _cleaner().clean(escaped)


def test_random_text_is_what_the_full_sanitizer_makes_of_it():
    pick = random.Random(2026)
    alphabet = "ab .:/&;#<>\"'=\nwx3-@()"
    for _ in range(3000):
        source = "".join(pick.choice(alphabet) for _ in range(pick.randint(0, 24)))
        escaped = str(escape(source)).replace("\n", "<br>\n")
        assert str(render_plain(source)) == _cleaner().clean(escaped), source


def test_hostile_html_stays_text_and_links_leave_safely():
    html = str(render_plain('<script>alert(1)</script> "hi"\nvisit www.nhs.uk'))
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<br>\n" in html
    assert ('<a href="http://www.nhs.uk" rel="nofollow ugc noopener noreferrer">www.nhs.uk</a>'
            in html)
