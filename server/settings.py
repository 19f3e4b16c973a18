"""Every tunable of the server in one place: network limits, frame rate, timeouts."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def default_data_dir() -> str:
    """Where `backprop-lab` keeps what outlives it, per user: $XDG_DATA_HOME/backprop-lab,
    else ~/.local/share/backprop-lab."""
    xdg = os.environ.get("XDG_DATA_HOME", "")
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".local" / "share"
    return str(base / "backprop-lab")


@dataclass(frozen=True)
class Limits:
    max_hidden_layers: int = 16
    max_neurons: int = 32
    max_batch_size: int = 500
    min_samples: int = 50
    max_samples: int = 2000
    max_step_n: int = 1000
    max_message_bytes: int = 16 * 1024
    max_sessions: int = 50
    max_connections_per_session: int = 250  # a presenter, a room of 200 followers, and spare
    max_connections: int = 500
    # Per client address (registry.client_address), so one device cannot take a class's room:
    # a teacher's laptop with a few tabs fits. The server's own machine (loopback) is not capped.
    max_sessions_per_address: int = 5
    max_connections_per_address: int = 20
    max_messages_per_second: float = 50.0  # per connection, with bursts of twice that


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    frame_rate: float = 30.0  # frames per second per session, at most
    grace_seconds: float = 60.0  # how long a session outlives its last connection
    reap_interval: float = 5.0
    join_timeout: float = 10.0  # a connection that has not joined a session by then is closed
    # Bytes of per-step history each run keeps (two runs when comparing): every step of the
    # recent past, older steps thinned (history.py). 4 MiB: 4,228 rows of the largest network
    # (16 hidden layers: its newest 1,057 steps at least step by step), 20,164 of the default.
    history_bytes: int = 4 * 2**20
    # What all sessions together may hold (memory.py estimates each from its config): past it, a
    # new session is refused. 1.5 GiB: 50 sessions of the largest network (about 20 MiB each
    # with batches of 10), or 180 of the default one (about 8 MiB).
    memory_bytes: int = 3 * 2**29
    slice_seconds: float = 0.002  # longest stretch of training between two event-loop turns
    grid_res: int = 50  # output heatmap resolution
    node_res: int = 20  # per-neuron thumbnail resolution (smaller for big networks: views.node_res)
    allowed_origins: tuple[str, ...] = ()  # besides the page's own
    public_url: str | None = None  # the address students join at, if not this server's own (share.py)
    mnist_dir: str | None = None  # a folder of MNIST's IDX files: offers the "mnist" dataset
    # What outlives the process (the secret that signs presenters' tokens, secret.py). None: in
    # memory, nothing written. `backprop-lab` uses default_data_dir() unless told otherwise.
    data_dir: str | None = None
    # Sessions kept in the data directory (store.py): each changed one is saved this often (so
    # `kill -9` loses at most about this much training), all on shutdown. One nobody has used
    # for store_expiry is deleted; past store_bytes, the least recently used go first.
    save_interval: float = 2.0
    store_expiry: float = 7 * 24 * 3600.0
    store_bytes: int = 1 << 30
    sweep_interval: float = 600.0
    # Proxies (addresses or networks, e.g. "127.0.0.1", "10.0.0.0/8") whose X-Forwarded-For or
    # X-Real-IP names the client (README, "Serving a whole school"); from any other peer those are ignored.
    trusted_proxies: tuple[str, ...] = ()
    room_interval: float = 0.5  # a presenter hears who follows at most this often (room.py)
    eval_limit: int = 2000  # train/test loss after each step is measured on at most this many samples
    limits: Limits = field(default_factory=Limits)
    # Processes that train (`--workers`): 1 trains in the web process itself; N >= 2 starts N
    # worker processes (workers.py). BACKPROP_LAB_WORKERS sets the default, e.g. under uvicorn.
    workers: int = field(default_factory=lambda: int(os.environ.get("BACKPROP_LAB_WORKERS", "1")))
    # A worker whose event loop has not answered for this long (hung in a step, stopped) is
    # killed, and its sessions re-created on a live one. The longest step the limits allow
    # takes well under a second; the loop turns between slices of slice_seconds.
    worker_timeout: float = 10.0
