"""The sync log: the cc stream and one stream per project, each with its own cursor.

Items have the wire shape {type, cursor, action, data_type, data_key[, data]}; the
entry around an item also keeps what the wire shape does not carry: a global append
sequence (to interleave the streams by time of append), the project or user a cc item
concerns (for visibility), and the append time (for latency measurements).
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import time
from dataclasses import dataclass
from typing import Callable, Iterable


@dataclass
class LogEntry:
    seq: int
    item: dict
    project: str | None
    scope_project: str | None
    scope_user: str | None
    appended_at: float

    @property
    def cursor(self) -> int:
        return self.item["cursor"]


class CursorTooOld(Exception):
    """Items after the given cursor were pruned (sync_retention)."""

    def __init__(self, parameter: str, oldest: int):
        super().__init__(parameter)
        self.parameter = parameter
        self.oldest = oldest


class SyncLog:
    def __init__(self, persistence):
        self._persistence = persistence
        self._seq = 0
        self.cc_cursor = 0
        self.project_cursors: dict[str, int] = {}
        self._cc: list[LogEntry] = []
        self._projects: dict[str, list[LogEntry]] = {}
        # Highest cursor removed by pruning, per stream ("" = cc).
        self._pruned: dict[str, int] = {}
        self.retention: int | None = None
        self.listeners: list[Callable[[LogEntry], None]] = []

    # -- loading ----------------------------------------------------------------------

    def load(self, rows: list[dict], meta: dict) -> None:
        for row in rows:
            entry = LogEntry(**row)
            self._stream(entry.project).append(entry)
            self._seq = max(self._seq, entry.seq)
        counters = meta.get("cursors", {})
        self.cc_cursor = counters.get("cc", 0)
        self.project_cursors = dict(counters.get("projects", {}))
        self._pruned = dict(meta.get("pruned", {}))

    # -- appending --------------------------------------------------------------------

    @property
    def last_seq(self) -> int:
        return self._seq

    def cursor(self, project: str) -> int:
        return self.project_cursors.get(project, 0)

    def append_cc(self, action: str, data_type: str, data_key: str, data: dict | None = None,
                  scope_project: str | None = None, scope_user: str | None = None) -> LogEntry:
        self.cc_cursor += 1
        item = {"type": "cc", "cursor": self.cc_cursor, "action": action,
                "data_type": data_type, "data_key": data_key}
        if data is not None:
            item["data"] = data
        return self._append(item, None, scope_project, scope_user)

    def append_project(self, project: str, action: str, data_type: str, data_key: str) -> LogEntry:
        cursor = self.project_cursors.get(project, 0) + 1
        self.project_cursors[project] = cursor
        item = {"type": "project", "cursor": cursor, "action": action,
                "data_type": data_type, "data_key": data_key}
        return self._append(item, project, project, None)

    def _append(self, item, project, scope_project, scope_user) -> LogEntry:
        self._seq += 1
        entry = LogEntry(self._seq, item, project, scope_project, scope_user, time.time())
        self._stream(project).append(entry)
        self._persistence.append_log(entry)
        self._prune_stream(project)
        self._save_counters()
        for listener in self.listeners:
            listener(entry)
        return entry

    def _stream(self, project: str | None) -> list[LogEntry]:
        if project is None:
            return self._cc
        return self._projects.setdefault(project, [])

    def _save_counters(self) -> None:
        self._persistence.put_meta("cursors", {"cc": self.cc_cursor, "projects": self.project_cursors})

    # -- reading ----------------------------------------------------------------------

    def after(self, cc_cursor: int, project: str | None, cursor: int | None,
              visible: Callable[[LogEntry], bool], limit: int) -> tuple[list[LogEntry], bool]:
        """Visible entries strictly after the cursors, by time of append; `more` tells
        whether entries beyond `limit` remain."""
        if cc_cursor < self._pruned.get("", 0):
            raise CursorTooOld("cc_cursor", self._pruned[""])
        streams = [self._tail(self._cc, cc_cursor)]
        if project is not None:
            if cursor < self._pruned.get(project, 0):
                raise CursorTooOld("cursor", self._pruned[project])
            streams.append(self._tail(self._projects.get(project, []), cursor))
        out: list[LogEntry] = []
        for entry in heapq.merge(*streams, key=lambda e: e.seq):
            if not visible(entry):
                continue
            if len(out) == limit:
                return out, True
            out.append(entry)
        return out, False

    def all_after(self, cc_cursor: int, project: str, cursor: int) -> list[LogEntry]:
        """Everything (no visibility filter, no page limit) for the control API."""
        return list(heapq.merge(self._tail(self._cc, cc_cursor),
                                self._tail(self._projects.get(project, []), cursor),
                                key=lambda e: e.seq))

    @staticmethod
    def _tail(entries: list[LogEntry], cursor: int) -> Iterable[LogEntry]:
        start = bisect.bisect_right(entries, cursor, key=lambda e: e.cursor)
        return itertools.islice(entries, start, None)

    # -- rewriting history ------------------------------------------------------------

    def rewind(self, project: str, cursor: int) -> None:
        """A restore puts the project stream back to `cursor`: later items disappear and
        the next item reuses cursor + 1."""
        entries = self._projects.get(project, [])
        keep = bisect.bisect_right(entries, cursor, key=lambda e: e.cursor)
        self._persistence.delete_log([e.seq for e in entries[keep:]])
        del entries[keep:]
        self.project_cursors[project] = cursor
        if self._pruned.get(project, 0) > cursor:
            self._pruned[project] = cursor
            self._persistence.put_meta("pruned", self._pruned)
        self._save_counters()

    def rewind_cc(self, cursor: int) -> None:
        """The cc stream back to `cursor` (a /batch rolled back)."""
        keep = bisect.bisect_right(self._cc, cursor, key=lambda e: e.cursor)
        self._persistence.delete_log([e.seq for e in self._cc[keep:]])
        del self._cc[keep:]
        self.cc_cursor = cursor
        self._save_counters()

    def set_retention(self, retention: int | None) -> None:
        self.retention = retention
        self._prune_stream(None)
        for project in list(self._projects):
            self._prune_stream(project)

    def _prune_stream(self, project: str | None) -> None:
        entries = self._stream(project)
        if self.retention is None or len(entries) <= self.retention:
            return
        cut = len(entries) - self.retention
        self._pruned[project or ""] = entries[cut - 1].cursor
        self._persistence.delete_log([e.seq for e in entries[:cut]])
        del entries[:cut]
        self._persistence.put_meta("pruned", self._pruned)
