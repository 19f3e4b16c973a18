"""`backprop-lab`: serve the playground."""

from __future__ import annotations

import argparse
import errno
import os
import socket
import sys
import threading
import webbrowser

from .address import parse_proxies
from .lan import is_loopback, lan_addresses, url_host
from .settings import Settings, default_data_dir
from .share import public_url


def _port_free(host: str, port: int) -> OSError | None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as e:
            return e
    return None


def default_workers() -> int:
    """BACKPROP_LAB_WORKERS if set, else one per core this process may use (a class's
    sessions then use every core; on one core the web process trains them itself)."""
    if "BACKPROP_LAB_WORKERS" in os.environ:
        return Settings().workers
    return max(1, len(os.sched_getaffinity(0)))


def students_line(host: str, port: int, public: str | None, lan=lan_addresses) -> str:
    """Where students join (server/share.py picks the same address for the page's links)."""
    if public:
        return f"Students join at {public} with the code shown on the presenter's page"
    if is_loopback(host):
        return "Only this computer can open it; for a class, start it with --host 0.0.0.0"
    addresses = [f"http://{url_host(a)}:{port}/" for a in lan(host)]
    if not addresses:
        return "No network address found for students to join at: is this computer on a network?"
    more = f" (or {', '.join(addresses[1:])})" if len(addresses) > 1 else ""
    return f"Students join at {addresses[0]}{more} with the code shown on the presenter's page"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["train"]:  # `backprop-lab train CONFIG.json`: a run without a browser
        from .headless import main as train

        return train(argv[1:])
    parser = argparse.ArgumentParser(
        prog="backprop-lab",
        description="Serve the Backprop Lab playground. `backprop-lab train CONFIG.json --steps N --out DIR` "
        "trains without a browser instead (backprop-lab train --help).",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this computer only)"
    )
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="the address students join at, when it is not this server's own (behind a proxy, a school's name); "
        "default: this computer's network address when --host listens beyond it",
    )
    parser.add_argument("--open", action="store_true", help="open the playground in a browser tab")
    parser.add_argument(
        "--mnist", metavar="DIR", help="offer MNIST, read from the four IDX files in DIR (train-images-idx3-ubyte, ...)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="processes that train sessions: 1 is the web process itself, 2 or more that many worker processes "
        f"(default: one per core, here {default_workers()}; or BACKPROP_LAB_WORKERS)",
    )
    kept = parser.add_mutually_exclusive_group()
    kept.add_argument(
        "--data-dir",
        metavar="DIR",
        default=default_data_dir(),
        help="where the server keeps what outlives it: the secret that makes presenters' tokens, and the sessions "
        "(sessions.db, saved every 2 s and on shutdown), so a presenter finds their run again after a restart "
        "(default: %(default)s)",
    )
    kept.add_argument(
        "--in-memory",
        action="store_true",
        help="keep nothing on disk: after a restart, presenters start new sessions",
    )
    parser.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="a proxy (address or network, e.g. 127.0.0.1) whose X-Forwarded-For or X-Real-IP names the client, "
        "for the per-device limits; repeat for several (default: none, every peer is the client)",
    )
    args = parser.parse_args(argv)
    if args.workers is not None and args.workers < 1:
        parser.error("--workers must be at least 1")
    try:
        parse_proxies(args.trusted_proxy)
    except ValueError as e:
        parser.error(str(e))
    try:
        public = public_url(args.public_url) if args.public_url else None
    except ValueError as e:
        parser.error(str(e))

    problem = _port_free(args.host, args.port)
    if problem is not None:
        if problem.errno == errno.EADDRINUSE:
            print(
                f"backprop-lab: port {args.port} on {args.host} is already in use. "
                f"Stop the other program or choose another port, e.g. --port {args.port + 1}.",
                file=sys.stderr,
            )
        else:
            print(f"backprop-lab: cannot listen on {args.host}:{args.port}: {problem.strerror}", file=sys.stderr)
        return 1

    import uvicorn

    from .app import create_app

    workers = args.workers if args.workers is not None else default_workers()
    settings = Settings(
        host=args.host,
        port=args.port,
        mnist_dir=args.mnist,
        workers=workers,
        public_url=public,
        data_dir=None if args.in_memory else args.data_dir,
        trusted_proxies=tuple(args.trusted_proxy),
    )
    try:
        app = create_app(settings)  # reads MNIST now, so a bad folder fails here with its reason
    except (OSError, ValueError) as e:
        print(f"backprop-lab: cannot read MNIST from {args.mnist}: {e}", file=sys.stderr)
        return 1
    shown = "localhost" if args.host in ("127.0.0.1", "0.0.0.0", "::") else args.host
    url = f"http://{shown}:{args.port}/"
    trains = "in the web process" if workers == 1 else f"in {workers} worker processes"
    print(f"Backprop Lab is at {url}  (sessions train {trains}; Ctrl+C stops it)", flush=True)
    print(students_line(args.host, args.port, public), flush=True)
    if args.open:
        threading.Timer(1.0, webbrowser.open, [url]).start()
    # The client's address is found by the app itself (address.py, --trusted-proxy): uvicorn's
    # own reading of X-Forwarded-For (trusting loopback) would be a second, different rule.
    # No permessage-deflate: frames are float32 arrays that barely compress, and deflating
    # one frame once per viewer cost 90 ms a broadcast at 100 viewers.
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="warning",
        ws_max_size=4 * settings.limits.max_message_bytes,
        ws_per_message_deflate=False,
        proxy_headers=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
