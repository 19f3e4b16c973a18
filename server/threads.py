"""Every server process does its arithmetic on one BLAS thread. The cores are shared by
many sessions (and, with --workers, by one process per core): a multithreaded BLAS then
waits at every matrix product for a partner thread that another process has taken the
core from. Measured on the 2-core machine with a class's load on it: one frame of 16
hidden layers of 32 took 134 ms with OpenBLAS's 2 threads and 18 ms with one; the
default network's 2.9 ms and 1.5 ms."""

from __future__ import annotations

from threadpoolctl import threadpool_limits

_limits: threadpool_limits | None = None


def one_blas_thread() -> None:
    """For the rest of this process's life (numpy may already be imported: threadpoolctl
    sets the loaded BLAS libraries themselves, which an environment variable cannot)."""
    global _limits
    if _limits is None:
        _limits = threadpool_limits(limits=1, user_api="blas")
