"""asyncio.run on a thread of its own: after the browser tests, Playwright's event loop runs
on the test thread, where asyncio.run refuses to start another."""

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from typing import Any


def run_apart(coro: Coroutine[Any, Any, Any]) -> Any:
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()
