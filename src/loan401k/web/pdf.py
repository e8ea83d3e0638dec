"""PDF reports, bounded (issue 17): a WeasyPrint render takes about a second of one core and
60 MB, so a burst of /report.pdf requests must neither pile renders up in memory nor starve
the page.

- Each worker process renders at most `LOAN401K_PDF_SLOTS` (1) reports at once, in the
  gate's own thread; a few more requests wait briefly for the slot; past that, 503 with
  Retry-After (loan401k.gate).
- A report is cached per input, day and language (the caller's key, with
  `cache.context()`), up to MAX_CACHE_BYTES per process, least recently used out first
  (`cache.Answers`, the store the pages and the API keep their answers in).
- Requests for a report being rendered wait for that render instead of starting another.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable

from ..cache import Answers
from ..gate import Gate

MAX_CACHE_BYTES = 24 * 1024 * 1024  # ≈ 300 reports of 80 KB
QUEUE = 4  # requests that may wait for a slot
WAIT_S = 5.0  # how long one waits; with a 1 s render every answer comes within ≈ 7 s


class PdfReports:
    def __init__(
        self, slots: int = 1, queue: int = QUEUE, wait: float = WAIT_S, max_bytes: int = MAX_CACHE_BYTES
    ):
        what = "every PDF slot of this server process is taken"
        self.gate = Gate(what, slots=slots, queue=queue, wait=wait)
        self._cache = Answers(max_bytes)  # the same bounded store as the pages' and the API's
        self._rendering: dict[tuple[int, Hashable], asyncio.Future[bytes]] = {}
        self.renders = 0  # reports actually rendered (the tests count cache hits with it)

    async def get(self, key: Hashable, render: Callable[[], bytes]) -> bytes:
        """The report for `key` (the input with `cache.context()`: the day and the language):
        from the cache, from a render under way, or rendered now (in the gate's thread, which
        carries the language)."""
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        loop = asyncio.get_running_loop()
        flight = (id(loop), key)
        under_way = self._rendering.get(flight)
        if under_way is not None:
            return await asyncio.shield(under_way)
        future: asyncio.Future[bytes] = loop.create_future()
        self._rendering[flight] = future
        try:
            pdf: bytes = await self.gate.run(render)
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError):
                future.cancel()
            else:
                future.set_exception(exc)
                future.exception()  # retrieved: a render nobody else waited for logs nothing
            raise
        finally:
            self._rendering.pop(flight, None)
        self.renders += 1
        future.set_result(pdf)
        self._cache.put(key, pdf)
        return pdf
