"""The embeddable calculator in Chromium: a page on another loopback origin frames
/embed?plan=ID; an allowed origin shows it with the plan's rules, any other is refused."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator

import pytest

from loan401k.web.embed import EMBED_ORIGINS_ENV

from .test_browser import wait_until


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def parent(base_url) -> Iterator[str]:
    """A benefits site on its own origin: one page with the calculator in an iframe."""
    src = f"{base_url}/embed?plan=acme-401k&amount=10000&vested_balance=80000&age=40"
    body = (
        f'<!doctype html><title>Benefits</title><h1>Your benefits</h1><p id="height">?</p>'
        f'<iframe id="calc" src="{src}" width="400" height="600" title="401(k) loan calculator"></iframe>'
        "<script>addEventListener('message', (e) => { if (e.data && e.data.type === 'loan401k:height')"
        " document.getElementById('height').textContent = String(e.data.height); });</script>"
    ).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", _free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def frame_text(page) -> str:
    frame = page.frame_locator("#calc")
    return frame.locator("body").inner_text(timeout=10_000)


def test_an_allowed_origin_shows_the_calculator_with_the_plan(page, parent, monkeypatch):
    monkeypatch.setenv(EMBED_ORIGINS_ENV, f"https://benefits.example.com {parent}")
    page.goto(parent + "/")
    text = frame_text(page)
    assert "Acme Corp 401(k) Savings Plan" in text and "Borrowing" in text
    assert (
        "What a 401(k) loan really costs"
        not in page.frame_locator("#calc").locator("header").all_inner_texts()
    )
    # the frame reports its height to the parent page (postMessage), which can size the iframe
    wait_until(page, "() => /^[0-9]+$/.test(document.getElementById('height').textContent)")
    assert int(page.inner_text("#height")) > 600
    frame = next(f for f in page.frames if "/embed" in f.url)
    assert frame.evaluate("document.documentElement.dataset.embed") == "1"
    assert frame.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()"
    ) == (
        "#1d5e8c"  # acme-401k's accent_color
    )


def test_another_origin_is_refused(page, parent, monkeypatch):
    monkeypatch.setenv(EMBED_ORIGINS_ENV, "https://benefits.example.com")
    page.goto(parent + "/")
    page.wait_for_timeout(1500)
    frame = next(f for f in page.frames if f != page.main_frame)
    # Chromium replaces a frame its CSP frame-ancestors refuses with its error page
    assert "Acme" not in (frame.content() if not frame.url.startswith("chrome-error") else "")
    assert frame.url.startswith("chrome-error://") or "Borrowing" not in frame.content()


def test_nothing_may_frame_it_by_default(page, parent, monkeypatch):
    monkeypatch.delenv(EMBED_ORIGINS_ENV, raising=False)
    page.goto(parent + "/")
    page.wait_for_timeout(1500)
    frame = next(f for f in page.frames if f != page.main_frame)
    assert frame.url.startswith("chrome-error://") or "Borrowing" not in frame.content()
