"""The history and weights a page downloads (`export` message, server/export.py): built with
`backprop-lab train`'s code, the weights those of the step shown, a watcher may ask too."""

import base64
import csv
import io
import json

import numpy as np

from server.export import session_file
from server.schema import defaults, make_fields
from server.session import Session
from server.settings import Settings
from tests.server.conftest import Peer, steps, text_of

SETTINGS = Settings()
FIELDS = make_fields(SETTINGS.limits)


def contents(message):
    return base64.b64decode(message["base64"])


def test_the_weights_are_those_of_the_step_shown_live_or_replayed():
    s = Session("S", {**defaults(FIELDS), "batch_norm": True}, SETTINGS, FIELDS)
    for _ in range(30):
        s.step()
    live = np.load(io.BytesIO(contents(session_file(s, "weights.npz"))))
    layers = s.runs[0].trainer.network.layers
    assert np.array_equal(live["layer0.W"], layers[0].params["W"])
    as_json = json.loads(contents(session_file(s, "weights.json")))
    assert as_json["layer1.b"] == layers[1].params["b"].tolist()
    kept = s.replay.ring.at(12)[0]
    s.replay.showing = 12
    message = session_file(s, "weights.npz")
    replayed = np.load(io.BytesIO(contents(message)))
    assert message["step"] == 12 and message["name"] == "backprop-lab-weights-step12.npz"
    assert np.array_equal(replayed["layer0.W"], kept["layer0/W"]) and not np.array_equal(
        replayed["layer0.W"], live["layer0.W"]
    )


def test_the_history_has_a_row_a_step_and_columns_named_with_their_meaning(client):
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        presenter, viewer = Peer(a), Peer(b)
        hello, _, _ = presenter.join()
        viewer.join(session=hello["session"])
        steps(presenter, 7)
        viewer.send(type="export", file="history.csv")  # a watcher takes the run home too
        message = text_of(viewer, "file")
        rows = list(csv.reader(io.StringIO(contents(message).decode())))
        assert message["media"] == "text/csv" and message["name"] == "backprop-lab-history-step7.csv"
        assert rows[0][:3] == ["step", "batch loss", "training-set loss"] and len(rows) == 8
        assert [r[0] for r in rows[1:]] == [str(k) for k in range(1, 8)]
        presenter.send(type="export", file="weights.exe")
        e = text_of(presenter, "error")
        assert e["field"] == "file" and "history.csv, weights.npz, weights.json" in e["message"]
