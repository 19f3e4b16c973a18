"""The server's secret and the presenter's token made from it. A token is the HMAC-SHA256
of the session id under the secret (URL-safe base64): the server can check one for a
session it does not hold (after a restart, or on another instance sharing the data
directory), and nobody without the secret can make one, so knowing a session's id (it is
in every watch link) gives no control over it.

The secret is 32 random bytes in `secret.key` in the data directory, made with mode 0600
on first start. Without a data directory (in memory) each process draws its own: tokens
then last as long as the process. Worker processes get the web process's secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

SECRET_FILE = "secret.key"
SECRET_BYTES = 32


class Tokens:
    """Makes and checks presenters' tokens with one secret."""

    def __init__(self, secret: bytes):
        self.secret = secret

    def make(self, sid: str) -> str:
        digest = hmac.new(self.secret, sid.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def valid(self, sid: str, token: str | None) -> bool:
        # Bytes: compare_digest refuses str with characters beyond ASCII.
        return token is not None and hmac.compare_digest(token.encode(), self.make(sid).encode())


def load_secret(data_dir: str | None) -> tuple[bytes, str | None]:
    """The secret kept in `data_dir` (made there if it is not yet), or a fresh one when
    there is no data directory or it cannot be used; then also a one-line reason to show."""
    if data_dir is None:
        return secrets.token_bytes(SECRET_BYTES), None
    path = Path(data_dir) / SECRET_FILE
    if path.parent.exists() and not path.parent.is_dir():
        return secrets.token_bytes(SECRET_BYTES), _unusable(data_dir, "it is a file, not a folder")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.exists():
            _create(path)
        secret = path.read_bytes()
    except OSError as e:
        reason = e.strerror or str(e)
        return secrets.token_bytes(SECRET_BYTES), _unusable(data_dir, f"{reason}: {e.filename or path}")
    if len(secret) != SECRET_BYTES:
        why = f"{path} holds {len(secret)} bytes, not {SECRET_BYTES}; delete it to make a new one"
        return secrets.token_bytes(SECRET_BYTES), _unusable(data_dir, why)
    return secret, None


def _create(path: Path) -> None:
    """Write a new secret whole, then link it into place: an instance starting at the same
    moment either makes the file or reads the one the other made, never half of one."""
    temp = path.with_name(f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(SECRET_BYTES))
        try:
            os.link(temp, path)
        except FileExistsError:
            pass  # another instance made it first: read theirs
    finally:
        temp.unlink(missing_ok=True)


def _unusable(data_dir: str, why: str) -> str:
    return (
        f"backprop-lab: cannot use the data directory {data_dir} ({why}); serving in memory: "
        "after a restart, presenters start new sessions"
    )
