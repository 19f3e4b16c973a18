"""`backprop-lab train CONFIG.json --steps N --out DIR`: a run without a browser, for homework
and automatic grading. The config is the page's (the keys of its address and of docs/protocol.md,
checked by the same schema, so a bad file gets the page's errors); the session is the server's
own, so the numbers are those the page would show. Written to DIR:

- history.csv: one row per step, a column per recorded quantity, named with its meaning;
- weights.npz and weights.json: every parameter at the last step, by its wire name (layer0.W, ...);
- config.json: the whole config the run used, defaults filled in;
- run.py and run.ipynb: the PyTorch script and notebook that rebuild run A's steps (or
  pytorch-not-exported.txt saying why not: a recurrent or convolutional run, MNIST, too big);
- with --png, network.png, output.png, loss.png and gradients.png: the page's panels (pictures.py).
With `compare`, run B's history and weights follow with the prefix `b_`."""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from pathlib import Path

import numpy as np

from engine.diagnostics import DIAGNOSTICS, MEASURES
from engine.userdata import FIELDS

from . import changes
from .csvdata import CsvError, parse
from .errors import Invalid
from .export import MAX_STEPS, export_text
from .history import SCALARS
from .pictures import pictures
from .run import Run
from .schema import defaults, make_fields
from .session import Session
from .settings import Settings
from .validate import validate

# What each history column holds, as its CSV header says it.
MEANING = {
    "loss": "batch loss",
    "train_loss": "training-set loss",
    "test_loss": "test-set loss",
    "learning_rate": "learning rate",
}


SCRIPTS = (("py", "run.py"), ("ipynb", "run.ipynb"))


def train(
    config: object, steps: int, out: Path, settings: Settings | None = None, png: float | None = None
) -> list[Path]:
    """Train `config` for `steps` steps (fewer if it diverges or stops early) and write the files;
    raises Invalid naming the field of a bad config, before anything is written. With `png` (device
    pixels per CSS pixel), also the page's panels as PNG pictures (pictures.py)."""
    settings = settings or Settings()
    fields = make_fields(settings.limits)
    config = changes.consistent(validate(config, defaults(fields), fields)[0])
    session = Session("headless", config, settings, fields)
    for _ in range(steps):
        if not session.step() or not all(run.evaluated() for run in session.runs):
            break  # diverged or stopped early: the files say where
    out.mkdir(parents=True, exist_ok=True)
    written = [_write_json(out / "config.json", session.config)]
    for prefix, run in zip(("", "b_"), session.runs):
        written += [_history(out / f"{prefix}history.csv", run), *_weights(out, prefix, run)]
    written += _scripts(out, session, fields)
    return written + (pictures(session.config, session.history.last, out, png) if png else [])


def _scripts(out: Path, session: Session, fields: list) -> list[Path]:
    """run.py and run.ipynb, the PyTorch script and notebook that rebuild run A's steps, as the
    page's Export menu makes them (export.py); where the run cannot be exported, a note why."""
    steps = str(max(1, min(session.history.last, MAX_STEPS)))
    try:
        texts = {name: export_text(session.config, steps, fields, fmt) for fmt, name in SCRIPTS}
    except Invalid as e:
        note = out / "pytorch-not-exported.txt"
        note.write_text(f"No PyTorch script: {e.field}: {e.message}\n")
        return [note]
    for name, text in texts.items():
        (out / name).write_text(text)
    return [out / name for name in texts]


def _history(path: Path, run: Run) -> Path:
    path.write_text(history_csv(run), newline="")
    return path


def history_csv(run: Run) -> str:
    """Every retained step of a run as CSV: a row a step, a column per quantity, named with its meaning."""
    h = run.history
    table, steps = h.window(h.count), h.steps.tolist()  # every retained step (older ones thinned: history.py)
    layers = [f"hidden layer {i + 1}" for i in range(h.n_layers - 1)] + ["output layer"] * (h.n_layers > 0)
    header = ["step", *(MEANING[s] for s in SCALARS)]
    header += [f"{m['label']} of {layer} ({m['name']})" for m in MEASURES for layer in layers]
    f = io.StringIO(newline="")
    w = csv.writer(f)
    w.writerow(header)
    for k in range(h.count):
        row = [steps[k], *(table[s][k] for s in SCALARS), *(v for d in DIAGNOSTICS for v in table[d][k])]
        w.writerow(["" if isinstance(v, float) and math.isnan(v) else v for v in row])
    return f.getvalue()


def _weights(out: Path, prefix: str, run: Run) -> list[Path]:
    arrays = weights(run)
    npz = out / f"{prefix}weights.npz"
    npz.write_bytes(weights_npz(arrays))
    return [npz, _write_json(out / f"{prefix}weights.json", weights_json(arrays))]


def weights(run: Run) -> dict[str, np.ndarray]:
    """Every parameter of a run at the step its frame shows, by its wire name (layer0.W, ...)."""
    return {name: np.asarray(a) for name, a in run.tensors().items() if is_weight(name)}


def weights_npz(arrays: dict[str, np.ndarray]) -> bytes:
    f = io.BytesIO()
    np.savez(f, **arrays)  # type: ignore[arg-type]
    return f.getvalue()


def weights_json(arrays: dict[str, np.ndarray]) -> dict[str, list]:
    return {k: v.tolist() for k, v in arrays.items()}


def is_weight(name: str) -> bool:
    """layer{i}.W, .b, .Wx, .Wh (not their gradients, updates or bands)."""
    return name.startswith("layer") and name.split(".", 1)[1] in ("W", "b", "Wx", "Wh", "gamma", "beta")


def _own_points(path: Path) -> dict:
    """The settings a CSV of your own points makes: its dataset kind and rows (csvdata.py)."""
    kind, rows = parse(path.read_bytes(), Settings().limits.max_samples)
    return {"dataset": kind, FIELDS[kind]: rows}


def _write_json(path: Path, value: object) -> Path:
    path.write_text(json.dumps(value, indent=1) + "\n")
    return path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="backprop-lab train", description=__doc__.split("\n")[0].strip("`: "))
    parser.add_argument("config", type=Path, help="a JSON object of settings, as the page's address holds them")
    parser.add_argument("--steps", type=int, default=1000, help="training steps (default 1000)")
    parser.add_argument("--out", type=Path, default=Path("run"), help="the folder to write to (default ./run)")
    parser.add_argument(
        "--data", type=Path, help="your own points, a CSV file of x1,x2,label or x,y rows (the page's 'load CSV')"
    )
    parser.add_argument(
        "--png",
        type=float,
        nargs="?",
        const=2,
        metavar="SCALE",
        help="also the page's network, output, loss and gradient panels as PNG, drawn by the page in a headless "
        "Chromium at SCALE device pixels per CSS pixel (default 2); needs the test tools (Playwright, Chromium)",
    )
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error("--steps must be at least 1")
    if args.png is not None and not 0.5 <= args.png <= 4:
        parser.error("--png SCALE must be between 0.5 and 4 device pixels per CSS pixel")
    try:
        config = json.loads(args.config.read_text())
        if args.data is not None:
            config = {**config, **_own_points(args.data)} if isinstance(config, dict) else config
        files = train(config, args.steps, args.out, png=args.png)
    except OSError as e:
        parser.exit(2, f"backprop-lab train: cannot read {e.filename or args.config}: {e.strerror}\n")
    except json.JSONDecodeError as e:
        parser.exit(2, f"backprop-lab train: {args.config} is not JSON: {e.msg} at line {e.lineno}, column {e.colno}\n")
    except CsvError as e:
        parser.exit(2, f"backprop-lab train: {args.data}: {e}\n")
    except Invalid as e:
        parser.exit(2, f"backprop-lab train: {args.config}: {e.field}: {e.message}\n")
    print(f"wrote {', '.join(str(f) for f in files)}", file=sys.stdout)
    return 0
