"""Security headers on every response: pages, API, errors and static files.

The Content-Security-Policy allows scripts, styles, fetches and forms from the app itself
only — plus jsDelivr for htmx when it is loaded from the CDN (the page pins it with its
SRI hash) — and no inline script or style at all: the few behaviours pages need live in
static/app.js. Posters are the sites' own images, so images may come from any https
origin. Framing is refused (clickjacking), MIME sniffing off, the Referer kept on this
origin, and HSTS sent once the request came over HTTPS (behind a trusted proxy too).
"""

from __future__ import annotations

from flask import Flask, Response, request

HTMX_CDN_ORIGIN = "https://cdn.jsdelivr.net"
HSTS = "max-age=31536000; includeSubDomains"


def content_security_policy(htmx_from_cdn: bool) -> str:
    """The CSP of every response."""
    scripts = "'self'" + (f" {HTMX_CDN_ORIGIN}" if htmx_from_cdn else "")
    return "; ".join([
        "default-src 'self'", f"script-src {scripts}", "style-src 'self'",
        "img-src 'self' https: data:", "connect-src 'self'", "font-src 'self'",
        "object-src 'none'", "base-uri 'self'", "form-action 'self'",
        "frame-ancestors 'none'"])


def install(app: Flask) -> None:
    """Add the headers to every response of `app`."""
    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        from_cdn = app.config.get("HTMX_SRC", "cdn") != "local"
        headers.setdefault("Content-Security-Policy", content_security_policy(from_cdn))
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
