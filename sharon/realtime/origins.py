"""Which web pages may open SHaRON's sockets: the site's own origin, always, and the
extra origins SHARON_ALLOWED_ORIGINS lists.

Handing Socket.IO a list would replace its own-origin check, so a setting meant to
add a partner site would shut out SHaRON itself; this check adds instead. The socket
server sits outside ProxyFix, so the site's origin is read here the way ProxyFix
reads it: X-Forwarded-Proto and -Host count only from SHARON_PROXY_COUNT trusted
proxies, never from whoever sends them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any


def _forwarded(environ: Mapping[str, Any], header: str, trusted: int) -> str | None:
    """The value the outermost trusted proxy set, as ProxyFix takes it."""
    values = [v.strip() for v in str(environ.get(header, "")).split(",") if v.strip()]
    return values[-trusted] if trusted and len(values) >= trusted else None


def own_origin(environ: Mapping[str, Any], proxy_count: int) -> str | None:
    """The origin this request was made to, as its browser would write it."""
    scheme = _forwarded(environ, "HTTP_X_FORWARDED_PROTO", proxy_count) \
        or environ.get("wsgi.url_scheme", "http")
    host = _forwarded(environ, "HTTP_X_FORWARDED_HOST", proxy_count) \
        or environ.get("HTTP_HOST")
    if not host:
        return None
    return f"{scheme}://{host}".lower()


def checker(extra: Iterable[str], proxy_count: int) -> Callable[[str | None, Any], bool]:
    """Socket.IO's `cors_allowed_origins`: is a socket from `origin` allowed?"""
    allowed = frozenset(o.lower().rstrip("/") for o in extra)

    def is_allowed(origin: str | None, environ: Mapping[str, Any]) -> bool:
        if not origin:
            return False
        origin = origin.lower().rstrip("/")
        return origin in allowed or origin == own_origin(environ, proxy_count)

    return is_allowed
