"""``asyncio.run`` for tests that drive a server with a protocol client. In a whole run
the browser tests' Playwright (sync API) keeps an event loop running in the main thread
for the session, and ``asyncio.run`` refuses to start inside it ("cannot be called from a
running event loop"): run the coroutine on a thread of its own instead."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor


def run_apart(coro):
    """``asyncio.run(coro)`` on a fresh thread; returns its result, raises its error."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
