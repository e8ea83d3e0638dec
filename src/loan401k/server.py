"""The HTTP server's own timeouts (issue 17): uvicorn closes an idle keep-alive connection
(`timeout_keep_alive`), but never a connection that sends its request headers or body
slowly, or one that opens and sends nothing. This protocol adds both:

- HEADER_TIMEOUT_S from a connection's start (or the end of its previous response) to the
  end of the request's headers;
- BODY_TIMEOUT_S from the end of the headers to the end of the body (64 KiB at most:
  ten seconds is a 6.5 KB/s link).

Past either, the connection is closed (there is no request to answer yet, or only half of
one). `loan401k serve` runs uvicorn with this protocol; `LOAN401K_HEADER_TIMEOUT` and
`LOAN401K_BODY_TIMEOUT` (seconds) override the defaults, in every worker process.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEADER_TIMEOUT_S = 10.0
BODY_TIMEOUT_S = 10.0
KEEP_ALIVE_S = 5  # uvicorn's own idle keep-alive timeout (its default, stated)
HEADER_TIMEOUT_ENV = "LOAN401K_HEADER_TIMEOUT"
BODY_TIMEOUT_ENV = "LOAN401K_BODY_TIMEOUT"


def seconds(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise ValueError(f"{name} must be a number of seconds above 0 (at most 3600); got {text!r}")
    return value


class TimedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with header and body deadlines."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = seconds(HEADER_TIMEOUT_ENV, HEADER_TIMEOUT_S)
        self.body_timeout = seconds(BODY_TIMEOUT_ENV, BODY_TIMEOUT_S)
        self._deadline: asyncio.TimerHandle | None = None

    def _arm(self, delay: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(delay, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.header_timeout)  # a connection that never sends a request

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:  # the next request on a kept-alive connection
            self._arm(self.header_timeout)

    def on_headers_complete(self) -> None:
        self._arm(self.body_timeout)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()  # the app has the whole request; answering takes what it takes
        super().on_message_complete()
