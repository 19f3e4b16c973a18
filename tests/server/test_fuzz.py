"""A property-based fuzzer (hypothesis) sends thousands of malformed, oversized, wrongly
typed and out-of-range messages down one websocket: every one is answered with an error,
the server stays up, and the session is exactly as it was."""

import json

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server import Settings, create_app
from server.presets import BY_NAME as PRESETS
from server.schema import make_fields
from server.settings import Limits

from .conftest import Peer

LIMITS = Limits(max_messages_per_second=1e9)  # the fuzzer is not testing the rate limit
FIELDS = {f.name: f for f in make_fields(LIMITS)}
TYPES = {"join", "play", "pause", "step", "reset", "regenerate", "set", "preset"}

json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30))
json_any = st.recursive(
    json_leaf,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)


def bad_value(field):
    """A value this config field must refuse."""
    wrong_type = json_any.filter(lambda v: not isinstance(v, int | float) or isinstance(v, bool))
    if field.kind in ("number", "integer"):
        out_of_range = st.one_of(
            st.floats(max_value=field.min, exclude_max=True, allow_nan=False),
            st.floats(min_value=field.max, exclude_min=True, allow_nan=False),
        )
        return (
            st.one_of(wrong_type, out_of_range)
            if field.kind == "number"
            else st.one_of(
                wrong_type,
                out_of_range,
                st.floats(min_value=field.min, max_value=field.max).filter(lambda v: v != int(v)),
            )
        )
    if field.kind == "bool":
        return json_any.filter(lambda v: not isinstance(v, bool))
    if field.kind == "choice":
        allowed = [c["value"] for c in field.choices]
        return json_any.filter(lambda v: isinstance(v, bool) or v not in allowed or isinstance(v, list | dict))
    if field.kind == "layers":
        return st.one_of(
            json_any.filter(lambda v: not isinstance(v, list)),
            st.lists(st.integers(max_value=0), min_size=1, max_size=3),
            st.lists(st.integers(min_value=1, max_value=4), min_size=17, max_size=20),
        )
    if field.kind in ("multi", "per_layer"):
        return st.one_of(
            json_any.filter(lambda v: not isinstance(v, list)),
            st.lists(
                st.text(min_size=1, max_size=5).filter(lambda t: t not in ("x1", "x2", "relu")), min_size=1, max_size=3
            ),
        )
    return st.one_of(json_leaf.filter(lambda v: v is not None), st.fixed_dictionaries({"field": st.text(max_size=8)}))


bad_config = st.one_of(
    json_any.filter(lambda v: not isinstance(v, dict)),
    st.dictionaries(st.text(max_size=10).filter(lambda k: k not in FIELDS), json_any, min_size=1, max_size=3),
    st.sampled_from(sorted(FIELDS)).flatmap(lambda name: bad_value(FIELDS[name]).map(lambda v: {name: v})),
)

malformed = st.one_of(
    st.text(max_size=60).filter(lambda t: not _is_json_object(t)).map(lambda t: ("text", t)),
    json_any.filter(lambda v: not isinstance(v, dict)).map(lambda v: ("text", json.dumps(v))),
    st.text(max_size=12).filter(lambda t: t not in TYPES).map(lambda t: ("text", json.dumps({"type": t}))),
    st.dictionaries(
        st.text(max_size=6).filter(lambda k: k not in ("type", "id", "n", "config", "name", "session", "token")),
        json_any,
        min_size=1,
        max_size=2,
    ).flatmap(
        lambda extra: st.sampled_from(sorted(TYPES - {"join"})).map(
            lambda t: ("text", json.dumps({"type": t, **extra}))
        )
    ),
    json_any.filter(lambda v: not (isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 1000)).map(
        lambda n: ("text", json.dumps({"type": "step", "n": n}))
    ),
    bad_config.map(lambda c: ("text", json.dumps({"type": "set", "config": c}))),
    st.text(max_size=20)
    .filter(lambda n: n not in PRESETS)
    .map(lambda n: ("text", json.dumps({"type": "preset", "name": n}))),
    st.integers(min_value=16 * 1024 + 1, max_value=40_000).map(
        lambda n: ("text", json.dumps({"type": "play", "pad": "x" * n}))
    ),
    st.binary(max_size=64).map(lambda b: ("bytes", b)),
    st.just(("text", json.dumps({"type": "join", "session": None, "token": None, "config": None}))),
)


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


@pytest.fixture(scope="module")
def fuzz_peer():
    with TestClient(create_app(Settings(limits=LIMITS))) as client, client.websocket_connect("/ws") as ws:
        peer = Peer(ws)
        hello, _, _ = peer.join({"dataset": "xor", "hidden": [3]})
        yield client, peer, hello


@settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(message=malformed)
def test_malformed_messages_get_errors_and_change_nothing(fuzz_peer, message):
    _, peer, _ = fuzz_peer
    kind, payload = message
    if kind == "bytes":
        peer.ws.send_bytes(payload)
    else:
        peer.ws.send_text(payload)
    reply = peer.recv()
    assert reply.get("type") == "error" and reply["field"] and reply["message"], (payload[:200], reply)


def test_after_the_fuzzing_the_session_is_unchanged_and_the_server_serves(fuzz_peer):
    client, peer, hello = fuzz_peer
    peer.send(type="set", config={})
    cfg = peer.expect(type="config")
    assert cfg["config"] == hello["config"] and cfg["changed"] == []
    peer.send(type="pause")
    assert peer.expect(type="state")["step"] == 0  # no malformed message ever trained it
    with client.websocket_connect("/ws") as ws:
        again, _, _ = Peer(ws).join(session=hello["session"])
        assert again["role"] == "viewer" and again["config"] == hello["config"]
