"""What a session says when training stops by itself: the `state` message's text for a
divergence, early stopping and an internal error, each naming the step it concerns."""

from __future__ import annotations

from engine.stopping import EarlyStopping


def diverged(step: int, runs: list[str], compared: bool, shown: bool) -> str:
    """The step that failed; `shown`: its whole-set loss overflowed, so that step is the one
    shown; otherwise it was never kept and the one shown is the one before."""
    which = f"run {' and '.join(runs)}: " if compared else ""
    if shown:
        return (
            f"{which}step {step} diverged (the loss over the whole training or test set is not finite); "
            f"showing step {step}, where it happened"
        )
    return f"{which}step {step} diverged (loss or weights not finite); showing step {step - 1}, the last finite one"


def early(step: int, stopper: EarlyStopping) -> str:
    return (
        f"early stopping at step {step}: the test loss has not improved for "
        f"{stopper.patience} steps (best {stopper.best:.4g} at step {stopper.best_step})"
    )


def failed(step: int) -> str:
    return f"training stopped at step {step} by an internal error (logged on the server); reset to continue"


def refused(
    kind: str, role: str, diverged_at: int | None, failed_at: int | None, untrainable: str | None
) -> str | None:
    """Why a command may not run now (None: it may): a watcher's, or training after a stop
    only a reset undoes, or with too few of one's own points."""
    if role != "controller":
        return "this connection is watching; only the controller changes the session"
    if kind in ("play", "step") and diverged_at is not None:
        return f"the run diverged at step {diverged_at}; reset to continue"
    if kind in ("play", "step") and failed_at is not None:
        return f"training stopped at step {failed_at} by an internal error; reset to continue"
    if kind in ("play", "step", "explain") and untrainable:
        return untrainable
    return None
