"""Security headers on every response, and HTTPS only in production."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# Answered over plain HTTP all the same: load balancers ask /healthz on the server's own
# port, and the HTTPS page needs its stylesheet.
PLAIN_HTTP_ENDPOINTS = frozenset({"pages.healthz", "static"})


def require_https() -> Any:
    """In production, refuse a request that came over plain HTTP with a page saying so.

    Secure cookies never travel over HTTP, so every form would otherwise fail with a
    misleading "this form had expired". HTTPS counts when the request came over TLS or
    when one of the SHARON_PROXY_COUNT trusted proxies says so (ProxyFix has already
    set the scheme); an X-Forwarded-Proto from anyone else is ignored. Not a redirect:
    behind a proxy that is not trusted it would loop for ever, and the page tells the
    people who run the service what to fix.
    """
    if request.is_secure or request.endpoint in PLAIN_HTTP_ENDPOINTS:
        return None
    from sharon.infra import errors

    return errors.https_required()


def init_app(app: Flask) -> None:
    """Security headers and cookie settings for every response; HTTPS in production."""
    production = app.config["SHARON_ENV"] == "production"
    if production:
        # First of all: before the CSRF check, the session and the rate limits.
        app.before_request_funcs.setdefault(None, []).insert(0, require_https)

    @app.after_request
    def set_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if production:
            headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        # Pages may show private things: never keep them in shared caches.
        if response.mimetype == "text/html":
            headers.setdefault("Cache-Control", "no-store")
        return response
