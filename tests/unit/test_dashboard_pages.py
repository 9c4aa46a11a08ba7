"""The dashboard's documents: escaping, security headers, and static checks of its page code
(no markup built from data, nothing loaded from elsewhere, no inline script or style)."""

from __future__ import annotations

import re

import pytest

from backends.simulator.dashboard import pages


def test_the_login_message_is_escaped() -> None:
    page = pages.login_page('<script>alert("x")</script> & co')
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in page
    assert "<script>" not in page


def test_the_login_page_without_message() -> None:
    page = pages.login_page()
    assert 'name="token"' in page and 'type="password"' in page
    assert 'role="alert"' not in page


def test_the_security_headers() -> None:
    headers = pages.SECURITY_HEADERS
    assert headers["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self';")
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "unsafe" not in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_assets_are_the_package_files_with_their_types() -> None:
    assets = pages.assets()
    assert assets["app.css"][1] == "text/css"
    assert assets["js/main.js"][1] == "text/javascript"
    assert all(not name.startswith(("/", ".")) and ".." not in name for name in assets)


def _sources() -> list[tuple[str, str]]:
    files = sorted(pages.STATIC_DIR.rglob("*.*")) + sorted(pages.HTML_DIR.glob("*.html"))
    return [(path.name, path.read_text(encoding="utf-8")) for path in files]


@pytest.mark.parametrize(
    "pattern",
    [
        r"\.innerHTML",
        r"\.outerHTML",
        r"insertAdjacentHTML",
        r"document\.write",
        r"\beval\(",
        r"new Function",
        r"DOMParser",
        r"createContextualFragment",
    ],
)
def test_no_script_builds_markup_from_strings(pattern: str) -> None:
    offenders = [
        name for name, text in _sources() if name.endswith(".js") and re.search(pattern, text)
    ]
    assert offenders == []


def test_nothing_is_loaded_from_elsewhere() -> None:
    for name, text in _sources():
        for reference in re.findall(r"""(?:src|href)=["']([^"']+)""", text) + re.findall(
            r"""url\(([^)]+)\)""", text
        ):
            assert reference.startswith(("/ui/", "#", "data:")), (name, reference)
        assert not re.search(r"""from\s+['"](?!\./)""", text), name  # modules are relative


def test_the_pages_have_no_inline_script_or_style() -> None:
    for name, text in _sources():
        if name.endswith(".html"):
            assert not re.search(r"<script(?![^>]*\bsrc=)", text), name
            assert "<style" not in text and "style=" not in text, name
            assert not re.search(r"\son[a-z]+=", text), name
