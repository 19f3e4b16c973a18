"""The server's memory budget (Settings.memory_bytes, memory.py): a new session that would take
the sessions' estimated memory past it is refused with a sentence naming the limit and what to
do, and the connection closes with 1013, as for the other "no room" limits; a smaller one that
fits still gets in. The web process decides, also when sessions train in worker processes."""

import json

import pytest
from fastapi.testclient import TestClient

from server import Settings, create_app
from server.errors import Invalid
from server.memory import session_bytes
from server.registry import Registry
from server.schema import defaults, make_fields
from server.session import Session

from .apart import run_apart
from .conftest import Peer
from .test_limits import closed_with

SETTINGS = Settings()
DEFAULT = defaults(make_fields(SETTINGS.limits))
BIG = {"hidden": [32] * 16, "features": ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"], "batch_size": 500}


def test_the_estimate_grows_with_the_network_its_batch_and_a_comparison():
    small, big = session_bytes(DEFAULT, SETTINGS), session_bytes({**DEFAULT, **BIG}, SETTINGS)
    compared = session_bytes({**DEFAULT, **BIG, "compare": {"field": "learning_rate", "value": 0.1}}, SETTINGS)
    assert small < big < compared
    assert big > SETTINGS.history_bytes + 4 * 2**20  # at least its history and its snapshots


@pytest.mark.parametrize("workers", [1, 2])
def test_a_session_past_the_memory_budget_is_refused_while_a_smaller_one_fits(workers):
    room = session_bytes(DEFAULT, SETTINGS) + session_bytes({**DEFAULT, **BIG}, SETTINGS) - 1
    app = create_app(Settings(memory_bytes=room, workers=workers))
    with TestClient(app) as client, client.websocket_connect("/ws") as a:
        Peer(a).join()
        with client.websocket_connect("/ws") as b:
            Peer(b).send(type="join", session=None, token=None, config=BIG)
            err = json.loads(b.receive()["text"])
            assert err["type"] == "error" and err["field"] == "session", err
            mib = f"{room / 2**20:,.0f} MiB"
            assert err["message"].startswith(f"the server's memory budget ({mib} for all sessions) is reached"), err
            assert "try again in a minute" in err["message"]
            assert closed_with(b) == 1013
        with client.websocket_connect("/ws") as c:
            hello, _, _ = Peer(c).join()  # the default network still fits
            assert hello["role"] == "controller"


def test_students_copies_past_the_budget_are_refused_and_none_is_made():
    one = session_bytes(DEFAULT, SETTINGS)

    async def release():
        registry = Registry(Settings(memory_bytes=one * 5 // 2), b"k" * 32)
        parent = Session("PARENT", DEFAULT, registry.settings, registry.fields)
        registry.sessions[parent.id] = parent
        with pytest.raises(Invalid) as refused:
            registry.forks(parent, 2, released=True)  # the class's session and two copies: past 2.5 sessions
        assert refused.value.field == "type" and "the server's memory budget" in refused.value.message
        assert list(registry.sessions) == ["PARENT"]
        made = registry.forks(parent, 1, released=True)  # one fits
        assert len(registry.sessions) == 2
        for s in [parent, *made]:
            s.pacer.stop()

    run_apart(release())
