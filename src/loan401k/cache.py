"""Answers kept per input (issue 16): the same input asked again is answered from memory.

Every calculation is a pure function of its validated input, the law's parameter files and
the day (a missing start date means today). So an answer's bytes — the JSON of an API call,
the HTML of the page before its per-visitor token is put in — can be kept under a key made
of the endpoint, the input as validated (every field, defaults included: the canonical
form), the day and the language, and handed out again while they are the same. A page
edited back and forth, a link shared in a group chat or a benefits site's embed asked a
thousand times a day costs one computation.

Bounded by bytes (least recently used first out) in each worker process; nothing is kept
between processes or across a restart. `LOAN401K_CACHE_MB` sets the bound per cache (settings.py;
0 turns caching off). No arithmetic here, and nothing that could change an answer: a key that
misses computes exactly as before.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Hashable

from . import i18n


class Answers:
    """A least-recently-used map of key → bytes, bounded by total size; safe across threads
    (calculations run in worker threads)."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    @property
    def size(self) -> int:
        return self._size

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Hashable, value: bytes) -> None:
        if len(value) > self.max_bytes:
            return  # larger than the whole cache (or caching is off): not kept
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._size -= len(old)
            self._items[key] = value
            self._size += len(value)
            while self._size > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0


def context() -> tuple[str, str]:
    """What every key adds to the input: the day (an input without a start date starts
    today) and the request's language (loan401k.i18n: the words differ, the figures not)."""
    return dt.date.today().isoformat(), i18n.current()
