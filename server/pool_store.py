"""The class's pool saved with its session (saving.py): its runs, their students and
pictures, and how the presenter shows it, in the saved snapshot's JSON, so a restarted
server (or a worker's sessions brought back) has the class's runs as they were."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .session import Session

KEPT = ("runs", "students", "pictures", "numbers", "shown", "x", "y", "spotlight")


def mark(session: Session) -> int:
    """Changes whenever the pool does: a save is due."""
    return session.room.pool.version


def state(session: Session) -> dict | None:
    """What a save holds of the pool (a student's copy has none: its runs are in its class's)."""
    if session.parent is not None:
        return None
    pool = session.room.pool
    return {name: getattr(pool, name) for name in KEPT}


def restore(session: Session, saved: dict | None) -> None:
    if not saved:
        return
    pool = session.room.pool
    for name in KEPT:
        if name in saved:
            setattr(pool, name, saved[name])
