"""Helpers for the language tests."""

from __future__ import annotations

import asyncio
import threading
from typing import Any


def run_alone(coroutine: Any) -> Any:
    """asyncio.run in a thread of its own: a browser test in the same pytest worker may have
    left an event loop running in this one (pytest-playwright's sync API). A callable is
    called there instead (anyio.run)."""
    out: dict[str, Any] = {}

    def main() -> None:
        try:
            out["value"] = coroutine() if callable(coroutine) else asyncio.run(coroutine)
        except BaseException as exc:  # re-raised below, in the test's thread
            out["error"] = exc

    thread = threading.Thread(target=main)
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out["value"]
