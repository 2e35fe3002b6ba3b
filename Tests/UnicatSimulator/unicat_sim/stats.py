"""Request and socket.io counters for the control API's /stats."""

from __future__ import annotations

import re
from collections import Counter

PROJECT_IN_PATH = re.compile(r"^/(api|dam)/p/[^/]+")


def normalize_path(path: str) -> str:
    """The project gid in /api/p/<gid>/... and /dam/p/<gid>/... becomes {gid}."""
    return PROJECT_IN_PATH.sub(r"/\1/p/{gid}", path)


class Stats:
    def __init__(self):
        self.reset()

    def reset(self) -> None:
        self.requests: Counter[str] = Counter()
        self.connects_total = 0
        self.refused_total = 0

    def count_request(self, method: str, path: str) -> None:
        self.requests[f"{method} {normalize_path(path)}"] += 1

    def as_dict(self, connected: int) -> dict:
        return {"requests": dict(self.requests), "requests_total": sum(self.requests.values()),
                "socketio": {"connected": connected, "connects_total": self.connects_total,
                             "refused_total": self.refused_total}}
