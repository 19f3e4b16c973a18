"""The web process's side of a worker's pipe (server/workers.py, pipes.py), with the
worker played by the test on the pipe's other end: frames that waited in the pipe leave in
order without a round trip to the worker, and what the web process sends arrives whole, in
order, however much the worker leaves unread."""

import asyncio
import multiprocessing
import types

import pytest

from server import Settings
from server.connection import Connection
from server.workers import Pool, WorkerHandle

from .apart import run_apart

pytestmark = pytest.mark.timeout(30)


class Socket:
    """A websocket that records what it is sent."""

    def __init__(self):
        self.sent: list[bytes | str] = []

    async def send_bytes(self, data: bytes) -> None:
        self.sent.append(data)

    async def send_text(self, text: str) -> None:
        self.sent.append(text)


def handle_with_test_end() -> tuple[WorkerHandle, multiprocessing.connection.Connection]:
    """A WorkerHandle whose worker is the pipe end returned (no process is started)."""
    pool = Pool(Settings(workers=2), b"s" * 32)
    ours, theirs = multiprocessing.Pipe()
    pool.context = types.SimpleNamespace(
        Pipe=lambda: (ours, types.SimpleNamespace(close=lambda: None)),
        Process=lambda **_: types.SimpleNamespace(start=lambda: None, pid=0),
    )
    return WorkerHandle(pool, 0), theirs


async def until(condition, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.001)


def test_frames_that_waited_in_the_pipe_each_leave_without_asking_the_worker():
    async def scenario():
        handle, worker = handle_with_test_end()
        conn = Connection(Socket())  # type: ignore[arg-type]
        pump = asyncio.create_task(conn.pump())
        cid = handle.pool.register(conn)
        conn.run, conn.next_step = 1, 10  # it has had the frame of steps 0-9
        # Two frames, each continuing the last, waiting together (the web process was busy).
        worker.send([("frame", cid, ("s", 2, 1, 10, 19, b"steps 10-19"))])
        worker.send([("frame", cid, ("s", 3, 1, 20, 29, b"steps 20-29"))])
        try:
            await until(lambda: len(conn.ws.sent) == 2)
            assert not worker.poll()  # no `encode` of a history it lacked
        finally:
            pump.cancel()
            handle.close()
        assert conn.ws.sent == [b"steps 10-19", b"steps 20-29"]

    run_apart(scenario())


def test_what_the_worker_has_not_read_yet_arrives_whole_and_in_order():
    async def scenario():
        handle, worker = handle_with_test_end()
        big = b"x" * 300_000  # more than a pipe holds: the rest waits for the worker to read
        for i in range(20):
            handle.post(("say", "s", i, big))
        assert handle.writer.unsent  # the loop was not blocked, and kept the rest
        received = await asyncio.to_thread(lambda: [worker.recv() for _ in range(20)])
        await until(lambda: not handle.writer.unsent)
        handle.close()
        assert [m[2] for m in received] == list(range(20))
        assert all(m[3] == big for m in received)

    run_apart(scenario())
