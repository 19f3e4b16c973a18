"""Limits answer with clear errors (and a documented close code when there is no room);
connections that come and go leave nothing behind."""

import asyncio
import gc
import json
import tracemalloc

import pytest
from fastapi.testclient import TestClient

from server import Settings, create_app
from server.settings import Limits

from .conftest import Peer


def closed_with(ws) -> int:
    """Read until the server closes; the close code."""
    for _ in range(100):
        m = ws.receive()
        if m["type"] == "websocket.close":
            return m["code"]
    raise AssertionError("no close")


def test_a_full_server_says_so_and_closes_with_1013():
    app = create_app(Settings(limits=Limits(max_sessions=2)))
    with TestClient(app) as client, client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        Peer(a).join()
        Peer(b).join()
        with client.websocket_connect("/ws") as c:
            Peer(c).send(type="join", session=None, token=None, config=None)
            err = json.loads(c.receive()["text"])
            assert err["type"] == "error" and "server is full (2 sessions)" in err["message"]
            assert closed_with(c) == 1013


@pytest.mark.parametrize(
    "limits,reason",
    [
        (Limits(max_connections_per_session=2), "this session is full (2 connections)"),
        (Limits(max_connections=2), "server is full (2 connections)"),
    ],
    ids=["per-session", "in-all"],
)
def test_a_connection_past_the_limit_is_told_and_closed_with_1013(limits, reason):
    app = create_app(Settings(limits=limits))
    with TestClient(app) as client, client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        hello, _, _ = Peer(a).join()
        Peer(b).join(session=hello["session"])
        with client.websocket_connect("/ws") as c:
            Peer(c).send(type="join", session=hello["session"], token=None, config=None)
            assert reason in json.loads(c.receive()["text"])["message"]
            assert closed_with(c) == 1013


def test_too_many_messages_are_refused_with_one_error():
    app = create_app(Settings(limits=Limits(max_messages_per_second=2)))  # bursts of 4
    with TestClient(app) as client, client.websocket_connect("/ws") as ws:
        peer = Peer(ws)
        peer.join()  # the join was message 1
        for _ in range(10):
            peer.send(type="pause")
        replies = [peer.recv() for _ in range(4)]
        assert [r["type"] for r in replies] == ["state", "state", "state", "error"]
        assert replies[-1]["message"].startswith("too many messages: at most 2 a second")


def test_rate_limit_refills_with_time():
    from server.ratelimit import RateLimit

    limit = RateLimit(10)
    clock = [100.0]
    limit.last = clock[0]
    import server.ratelimit as ratelimit_module

    real = ratelimit_module.time.monotonic
    ratelimit_module.time.monotonic = lambda: clock[0]
    try:
        assert sum(limit.allow() for _ in range(50)) == 20  # a burst of twice the rate
        clock[0] += 0.5
        assert sum(limit.allow() for _ in range(50)) == 5  # half a second refills five
    finally:
        ratelimit_module.time.monotonic = real


def test_a_connection_that_never_joins_is_closed():
    with TestClient(create_app(Settings(join_timeout=0.2))) as client, client.websocket_connect("/ws") as ws:
        assert closed_with(ws) == 1008


def test_a_thousand_connections_that_come_and_go_leave_nothing_behind():
    app = create_app(Settings(grace_seconds=0.0, reap_interval=0.01))
    registry = app.state.registry
    with TestClient(app) as client:
        tasks = lambda: client.portal.call(_task_count)  # noqa: E731

        def cycle(n):
            for i in range(n):
                with client.websocket_connect("/ws") as ws:
                    Peer(ws).join({"hidden": [3]} if i % 2 else None)
            for _ in range(500):  # the reaper removes the abandoned sessions
                if not registry.sessions:
                    break
                client.portal.call(asyncio.sleep, 0.01)

        cycle(100)  # warm-up: imports, caches
        gc.collect()
        tracemalloc.start()
        before_mem, before_tasks = tracemalloc.get_traced_memory()[0], tasks()
        cycle(1000)
        gc.collect()
        after_mem, after_tasks = tracemalloc.get_traced_memory()[0], tasks()
        tracemalloc.stop()
    assert registry.sessions == {}
    assert after_tasks == before_tasks
    assert after_mem - before_mem < 2_000_000, f"grew {after_mem - before_mem} bytes over 1000 cycles"


async def _task_count() -> int:
    return len(asyncio.all_tasks())


@pytest.mark.parametrize(
    "config",
    [
        {"dataset": "plane", "hidden": [8, 8], "activation": "relu", "learning_rate": 10},
        {
            "dataset": "plane",
            "hidden": [16] * 4,
            "activation": "relu",
            "initializer": "large_normal",
            "learning_rate": 0.1,
        },
        {"dataset": "plane", "hidden": [8, 8], "activation": "linear", "momentum": 0.999, "learning_rate": 0.3},
        {
            "dataset": "plane",
            "hidden": [16] * 4,
            "activation": "tanh",
            "initializer": "large_normal",
            "learning_rate": 0.3,
            "batch_size": 32,
        },
    ],
    ids=["learning-rate", "initialization", "momentum", "no-clipping"],
)
def test_every_way_to_diverge_ends_paused_reported_and_resettable(client, config):
    with client.websocket_connect("/ws") as ws:
        peer = Peer(ws)
        peer.join({**config, "speed": 0})
        peer.send(type="play")
        state, seen = peer.until(lambda m: m.get("type") == "state" and m.get("diverged_at"), limit=100_000)
        n = state["diverged_at"]
        assert state["running"] is False and state["message"].startswith(f"step {n} diverged")
        # Two ways to diverge, each naming the step it shows: a step whose own loss or weights
        # are not finite is dropped (the one before is shown); a kept step whose loss over the
        # whole sets (evaluated when a frame is built) is past float32 is itself shown.
        if state["step"] == n - 1:
            assert f"showing step {n - 1}," in state["message"]
        else:
            assert state["step"] == n and "the loss over the whole training or test set" in state["message"]
        peer.send(type="step", n=1)
        assert "reset to continue" in peer.expect(type="error")["message"]
        peer.send(type="reset")
        reset, _ = peer.until(lambda m: m.get("type") == "state")
        assert reset["diverged_at"] is None and reset["step"] == 0
