"""A per-address limit on inbox requests, kept in memory, as GoToSocial limits its ActivityPub
routes (300 requests in 5 minutes per address by default). A burst from one address past the
limit gets 429 with Retry-After, so a flood costs us a dictionary look-up, not a key fetch."""

import time
from collections import deque
from dataclasses import dataclass, field

DEFAULT_LIMIT = 300
DEFAULT_WINDOW = 300  # seconds
MAX_ADDRESSES = 100_000  # forget the oldest addresses beyond this, so memory stays bounded


@dataclass
class FloodGuard:
    limit: int = DEFAULT_LIMIT  # 0: no limit
    window_seconds: int = DEFAULT_WINDOW
    _hits: dict[str, deque[float]] = field(default_factory=dict)

    def hit(self, address: str, now: float | None = None) -> int | None:
        """Count a request; None when it may pass, else the seconds to wait."""
        if self.limit <= 0:
            return None
        moment = time.monotonic() if now is None else now
        hits = self._hits.get(address)
        if hits is None:
            if len(self._hits) >= MAX_ADDRESSES:
                self._hits.pop(next(iter(self._hits)))
            hits = self._hits[address] = deque()
        while hits and hits[0] <= moment - self.window_seconds:
            hits.popleft()
        if len(hits) >= self.limit:
            return max(1, int(hits[0] + self.window_seconds - moment))
        hits.append(moment)
        return None
