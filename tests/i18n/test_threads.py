"""The language reaches the code that writes the words: through awaits, into anyio's worker
threads (api.Workload, FastAPI's sync routes), and through `bind_locale` into the threads
that do not copy the context (a ThreadPoolExecutor, loop.run_in_executor)."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import anyio
import anyio.to_thread
import pytest

from loan401k import i18n
from loan401k.api import Workload

from .threads import run_alone


def test_use_locale_sets_the_language_for_the_block_only():
    assert i18n.current() == "en"
    with i18n.use_locale("es-US") as chosen:
        assert chosen == "es" and i18n.current() == "es"
        with i18n.use_locale("en"):
            assert i18n.current() == "en"
        assert i18n.current() == "es"
    assert i18n.current() == "en"


def test_an_unsupported_locale_is_refused_not_guessed():
    with pytest.raises(ValueError, match="unsupported locale 'fr'"):
        with i18n.use_locale("fr"):
            pass
    with pytest.raises(ValueError):
        i18n.bind_locale(i18n.current, "xx")


def test_a_plain_thread_pool_loses_the_language_and_bind_locale_carries_it():
    with i18n.use_locale("es"), ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(i18n.current).result() == "en"  # why the wrapper exists
        assert pool.submit(i18n.bind_locale(i18n.current)).result() == "es"
    with ThreadPoolExecutor(max_workers=1) as pool:  # an explicit locale, bound from anywhere
        assert pool.submit(i18n.bind_locale(i18n.current, "es")).result() == "es"


def test_bind_locale_takes_the_language_when_bound_and_keeps_the_function():
    def shout(text: str, end: str = "!") -> str:
        return f"{i18n.current()}:{text}{end}"

    with i18n.use_locale("es"):
        bound = i18n.bind_locale(shout)
    assert bound("hola", end="?") == "es:hola?"  # called later, outside the block
    assert bound.__name__ == "shout"
    assert i18n.current() == "en"  # and the caller's language is left as it was


def test_run_in_executor_does_not_copy_the_context_but_anyio_to_thread_does():
    async def main() -> tuple[str, str, str, str]:
        loop = asyncio.get_running_loop()
        with i18n.use_locale("es"):
            plain = await loop.run_in_executor(None, i18n.current)
            bound = await loop.run_in_executor(None, i18n.bind_locale(i18n.current))
            anyio_thread = await anyio.to_thread.run_sync(i18n.current)
            asyncio_thread = await asyncio.to_thread(i18n.current)
        return plain, bound, anyio_thread, asyncio_thread

    assert run_alone(main()) == ("en", "es", "es", "es")


def test_the_api_workload_threads_see_the_request_language():
    """api.Workload runs every calculation with anyio.to_thread.run_sync: the calculation's
    messages are written in the request's language with no wrapper."""
    workload = Workload(cpu_threads=1)
    seen: dict[str, str] = {}

    def calculation() -> str:
        seen["thread"] = threading.current_thread().name
        return i18n.current()

    async def main() -> tuple[str, str]:
        with i18n.use_locale("es"):
            light = await workload.run(calculation)
            heavy = await workload.run_heavy(calculation)
        return light, heavy

    assert run_alone(lambda: anyio.run(main)) == ("es", "es")
    assert seen["thread"] != threading.current_thread().name  # it did run in another thread


def test_concurrent_requests_keep_their_own_language():
    async def request(locale: str, out: list[tuple[str, str]]) -> None:
        with i18n.use_locale(locale):
            for _step in range(5):
                await asyncio.sleep(0)  # the other request runs in between
                out.append((locale, await anyio.to_thread.run_sync(i18n.current)))

    async def main() -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        await asyncio.gather(request("es", out), request("en", out))
        return out

    out = run_alone(main())
    assert len(out) == 10 and all(asked == seen for asked, seen in out)
