"""A bounded door for expensive or blocking work in one server process (issue 17).

`Gate(slots, queue, wait)`: at most `slots` calls run at once, each in a worker thread of
the gate's own (never the thread pool the pages and reads share, so a pile of saves
waiting on a locked database cannot stall the page); up to `queue` more wait up to `wait`
seconds for a slot; past that, `Busy` with the seconds to wait before retrying. Nothing
queues without bound, and nothing waits longer than `wait` for its turn.
"""

from __future__ import annotations

import asyncio
import math
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.to_thread

from .i18n import N_, _

#: What a full gate says is taken, for the catalogue (the gates are made at start-up, in
#: English: app.py's save gate, web/pdf.py's PDF gate); `Busy` translates it.
TAKEN = (
    N_("every save slot of this server process is taken"),
    N_("every PDF slot of this server process is taken"),
)


class Busy(Exception):
    """Every slot and queue place of a gate is taken: retry after `retry_after` seconds.
    `what` is marked for the catalogue where the gate is made (N_) and translated here, in
    the request that is refused."""

    def __init__(self, what: str, retry_after: int):
        self.what, self.retry_after = what, retry_after
        super().__init__(_("busy: {what}; retry in {seconds} s").format(what=_(what), seconds=retry_after))


@dataclass
class _State:
    slots: anyio.Semaphore
    threads: anyio.CapacityLimiter
    waiting: int = 0


class Gate:
    def __init__(self, what: str, slots: int = 1, queue: int = 4, wait: float = 5.0):
        self.what, self.slots, self.queue, self.wait = what, slots, queue, wait
        # anyio primitives belong to one event loop; a test client may start several
        self._states: weakref.WeakKeyDictionary[Any, _State] = weakref.WeakKeyDictionary()

    def _state(self) -> _State:
        loop = asyncio.get_running_loop()
        state = self._states.get(loop)
        if state is None:
            state = _State(anyio.Semaphore(self.slots), anyio.CapacityLimiter(self.slots))
            self._states[loop] = state
        return state

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.wait))

    async def enter(self) -> _State:
        """Take a slot (waiting in the bounded queue), or raise Busy."""
        state = self._state()
        if state.slots.value > 0:
            await state.slots.acquire()
            return state
        if state.waiting < self.queue:
            state.waiting += 1
            try:
                with anyio.move_on_after(self.wait):
                    await state.slots.acquire()
                    return state
            finally:
                state.waiting -= 1
        raise Busy(self.what, self.retry_after)

    async def run(self, function: Callable[..., Any], *args: Any) -> Any:
        """`function(*args)` in a worker thread, behind the gate."""
        state = await self.enter()
        try:
            return await anyio.to_thread.run_sync(function, *args, limiter=state.threads)
        finally:
            state.slots.release()
