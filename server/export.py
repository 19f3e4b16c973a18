"""The run as a PyTorch script or Jupyter notebook (engine/export_torch.py), built from the config
the page sends: `POST /export/torch.py?steps=N` (or `.ipynb`) with the session's config as JSON.
The config is validated as a change would be; the data are drawn again from its data seed, which
gives the session's own points. The config, not the session, because a session may live in a
worker process (workers.py) and the config is all the export needs.

The history and the weights need the session itself: they are asked for over the websocket
(`{"type": "export", "file": "history.csv"}`), so that a session in a worker process builds
them where it lives, with `backprop-lab train`'s own code (headless.py), and answered with a
`file` message to the connection that asked."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import TYPE_CHECKING, Any

import numpy as np
from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, Response

from engine.datasets import DATASETS
from engine.export_torch import notebook, torch_script
from engine.recurrent_setup import is_sequence
from engine.userdata import dataset_for

from .changes import consistent
from .errors import Invalid
from .schema import Field, defaults
from .validate import validate
from .views import usable_features

if TYPE_CHECKING:
    from .session import Session

MAX_STEPS = 10_000  # the engine trains them once to record the batches: a few seconds at most
# Numbers embedded per step: the batch's indices, and with dropout each hidden unit's mask for each sample.
BUDGET = 2_000_000  # a script of a few MB at most
FORMATS = {
    "py": ("text/x-python; charset=utf-8", "backprop-lab-run.py"),
    "ipynb": ("application/x-ipynb+json", "backprop-lab-run.ipynb"),
}


def export_text(config: Any, steps: str, fields: list[Field], fmt: str) -> str:
    """The script (or notebook's JSON) for `config`'s first `steps` steps; raises Invalid naming the field."""
    if not steps.isdigit() or not 1 <= int(steps) <= MAX_STEPS:
        raise Invalid("steps", f"must be a whole number from 1 to {MAX_STEPS:,}")
    c = consistent(validate(config, defaults(fields), fields)[0])
    if is_sequence(c["dataset"]):
        raise Invalid("config.dataset", "recurrent networks are not exported to PyTorch yet; feed-forward ones are")
    if c["dataset"] not in DATASETS:
        raise Invalid("config.dataset", f"'{c['dataset']}' is read from files at start-up and is not exported")
    data = dataset_for(c)  # your own points too: they are in the config
    if c["conv"] and data.inputs == "image":  # the script would rebuild the dense layers alone: another run
        raise Invalid("config.conv", "convolutional networks are not exported to PyTorch yet; dense ones are")
    batch = min(c["batch_size"], len(data.x_train))
    per_step = batch * (1 + sum(c["hidden"]) * (c["dropout"] > 0))
    if int(steps) * per_step > BUDGET:
        raise Invalid("steps", f"at most {BUDGET // per_step:,} with this batch size, network and dropout")
    feats = usable_features(c["dataset"], c["features"])
    if fmt == "py":
        return torch_script(c, data, int(steps), feats)
    return json.dumps(notebook(c, data, int(steps), feats), indent=1)


async def export(request: Request, fields: list[Field], fmt: str, gate: asyncio.Semaphore) -> Response:
    """`gate`: the app's exports train one at a time, so a burst queues rather than taking every core."""
    try:
        config = await request.json()
    except ValueError:
        return PlainTextResponse("config: the request's body must be the config as JSON", status_code=400)
    try:  # in a thread: the engine trains the steps to record their batches
        async with gate:
            text = await run_in_threadpool(export_text, config, request.query_params.get("steps", "100"), fields, fmt)
    except Invalid as e:
        return PlainTextResponse(f"{e.field}: {e.message}", status_code=400)
    media, name = FORMATS[fmt]
    return Response(text, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


# The session's files (run A's, when comparing), by the name the `export` message gives.
SESSION_FILES = {"history.csv": "text/csv", "weights.npz": "application/zip", "weights.json": "application/json"}


def session_file(session: Session, name: str) -> dict:
    """The `file` message for one of SESSION_FILES: the history of every retained step, or the
    weights at the step shown (the timeline's, while it shows a kept one), in base64."""
    from .headless import history_csv, is_weight, weights, weights_json, weights_npz  # headless imports the session

    run, step = session.runs[0], session.replay.showing
    if name == "history.csv":
        data, step = history_csv(run).encode(), session.history.last
    else:
        if step is None:
            arrays, step = weights(run), session.history.last
        else:
            frame = session.replay.frame or session.replay.build(session, step)  # drawn from that step's weights
            arrays = {k: np.asarray(v) for k, v in frame.tensors.items() if is_weight(k)}
        data = weights_npz(arrays) if name.endswith(".npz") else json.dumps(weights_json(arrays)).encode()
    stem, ext = name.split(".")
    return {
        "type": "file",
        "name": f"backprop-lab-{stem}-step{step}.{ext}",
        "media": SESSION_FILES[name],
        "step": step,
        "base64": base64.b64encode(data).decode(),
    }
