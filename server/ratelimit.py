"""How many messages a connection may send: a token bucket, so a page that sends in
bursts (a slider dragged) is served while a script that floods is slowed, and told so
once a second rather than once per dropped message."""

from __future__ import annotations

import time


class RateLimit:
    """`rate` messages a second, bursts of twice that."""

    def __init__(self, rate: float):
        self.rate, self.tokens, self.last = rate, 2 * rate, time.monotonic()
        self.warned = 0.0

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(2 * self.rate, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def should_warn(self) -> bool:
        """One error a second at most: answering every dropped message would be a flood too."""
        now = time.monotonic()
        if now - self.warned >= 1.0:
            self.warned = now
            return True
        return False
