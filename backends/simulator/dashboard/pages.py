"""The dashboard's documents: its two HTML pages, its static assets and the headers they carry.

Every response of the dashboard carries ``SECURITY_HEADERS``: a strict Content-Security-Policy
(everything from this origin, no inline script or style, no framing), nosniff, no referrer to other sites.
Assets are the package's own files (``static/``), read once; nothing is loaded from elsewhere.
The only server-rendered text is the login page's message, escaped.
"""

from __future__ import annotations

import functools
import html
from pathlib import Path

_HERE = Path(__file__).resolve().parent
STATIC_DIR = _HERE / "static"
HTML_DIR = _HERE / "html"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}
_TYPES = {
    ".css": "text/css",
    ".js": "text/javascript",
    ".svg": "image/svg+xml",
    ".html": "text/html",
}


@functools.lru_cache(maxsize=1)
def assets() -> dict[str, tuple[bytes, str]]:
    """The static files by their path under ``static/``: (content, content type)."""
    found = {}
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file() and path.suffix in _TYPES:
            found[path.relative_to(STATIC_DIR).as_posix()] = (
                path.read_bytes(),
                _TYPES[path.suffix],
            )
    return found


@functools.lru_cache(maxsize=2)
def _html(name: str) -> str:
    return (HTML_DIR / name).read_text(encoding="utf-8")


def index_page() -> str:
    """The application's page (its scripts build everything else)."""
    return _html("index.html")


def login_page(message: str = "") -> str:
    """The login form, with ``message`` (escaped) above it when there is one."""
    notice = f'<p class="notice" role="alert">{html.escape(message)}</p>' if message else ""
    return _html("login.html").replace("<!--MESSAGE-->", notice)
