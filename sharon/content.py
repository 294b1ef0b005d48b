"""User text to safe HTML: the only place bleach is called.

Markdown (CommonMark, raw HTML off: markdown-it-py's js-default preset) is
rendered once, at write time, then sanitized with an explicit allow-list. The
source and the result are both stored; templates mark only this output safe.
"""

from __future__ import annotations

import re
from functools import cache, partial
from html import unescape

import bleach
from bleach.linkifier import URL_RE, LinkifyFilter
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

ALLOWED_TAGS = frozenset({
    "p", "br", "strong", "em", "del", "s", "a", "ul", "ol", "li", "blockquote", "code", "pre",
    "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
})
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"], "ol": ["start"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto", "tel"})
LINK_REL = "nofollow ugc noopener noreferrer"


def _set_rel(attrs: dict, new: bool = False) -> dict:  # type: ignore[type-arg]
    """Every link leaves with rel=nofollow ugc noopener noreferrer and no target."""
    href = attrs.get((None, "href"), "")
    if not href or href.startswith(("#", "/")) and not href.startswith("//"):
        attrs.pop((None, "rel"), None)
        return attrs
    attrs[(None, "rel")] = LINK_REL
    attrs.pop((None, "target"), None)
    return attrs


@cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("js-default", {"linkify": True, "breaks": True, "typographer": False})
    md.enable(["linkify", "strikethrough", "table"])
    md.disable(["image"])
    # People's own headings must not compete with the page's h1/h2: shift them down.
    def shift_headings(state) -> None:  # type: ignore[no-untyped-def]
        for token in state.tokens:
            if token.type in ("heading_open", "heading_close"):
                token.tag = f"h{min(6, int(token.tag[1]) + 2)}"

    md.core.ruler.push("shift_headings", shift_headings)
    return md


@cache
def _cleaner() -> bleach.Cleaner:
    # The linkify filter runs inside the cleaner, in one pass: it sets rel on every
    # link and turns bare web addresses in plain text into links.
    linkify = partial(LinkifyFilter, callbacks=[_set_rel], skip_tags={"pre", "code"},
                      parse_email=False)
    return bleach.Cleaner(tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                          protocols=ALLOWED_PROTOCOLS, strip=True, strip_comments=True,
                          filters=[linkify])


def render_markdown(source: str) -> Markup:
    """Markdown source to sanitized HTML, ready to store and show."""
    return Markup(_cleaner().clean(_markdown().render(source)))


def render_plain(source: str) -> Markup:
    """Plain text (the Wall) to HTML: escaped, line breaks kept, web links made safe."""
    escaped = str(escape(source)).replace("\n", "<br>\n")
    if "&" not in source and URL_RE.search(source) is None:
        # Nothing the linkifier would turn into a link (its own pattern), no tags (escaped)
        # and nothing that reads as an entity (which its filter decodes once): bleach
        # would hand it back unchanged, after a full HTML parse.
        return Markup(escaped)
    return Markup(_cleaner().clean(escaped))


def to_text(html: str) -> str:
    """Rendered HTML back to plain text, for search snippets and previews (templates
    escape it again when they show it)."""
    return unescape(bleach.clean(html, tags=set(), strip=True))


_CONTROLS = dict.fromkeys(c for c in range(32) if chr(c) not in "\n\t")
_CONTROLS[0x7F] = None
# Half of a UTF-16 pair. A Python string holds one only when it came from JSON ("\ud83d")
# or a client that cut a string in the middle of an emoji: it cannot be encoded as UTF-8,
# so neither database can store it, and no page can show it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def unstorable(text: str) -> bool:
    """Whether text holds what must never reach the database: a NUL byte (PostgreSQL
    refuses it) or a lone surrogate (nothing can encode it). The one rule, used by every
    form (sharon.forms) and, through clean_text, by every service."""
    return "\x00" in text or _SURROGATE.search(text) is not None


def _drop_lone_surrogates(text: str) -> str:
    if _SURROGATE.search(text) is None:
        return text
    # Two halves that belong together become their one character; a lone half is dropped
    # (it shows nothing readable: a browser would draw it as a replacement mark).
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")


def storable(text: str) -> str:
    """The text without what `unstorable` finds, and nothing else changed."""
    return _drop_lone_surrogates(text).replace("\x00", "")


def clean_text(text: str) -> str:
    """Drop NUL, other control characters and lone surrogates, keep newlines and tabs:
    what is left can be stored and shown anywhere."""
    return _drop_lone_surrogates(text.replace("\r\n", "\n")).translate(_CONTROLS)


def required_text(value: object, limit: int, empty: str, too_long: str) -> str:
    """Text someone must write (a post, a message, a reason), cleaned, or a refusal.

    `too_long` may use {limit} and {length}, so people see both numbers.
    """
    from sharon.refusals import Refused

    text = clean_text(value).strip() if isinstance(value, str) else ""
    if not text:
        raise Refused("empty", empty)
    if len(text) > limit:
        raise Refused("too_long", too_long.format(limit=f"{limit:,}", length=f"{len(text):,}"))
    return text
