"""Write-through storage of the simulator state for --state-dir (SQLite).

The in-memory structures stay the source of truth while running; every change is
mirrored here and committed shortly after (coalesced), and on shutdown. Without
--state-dir, NoPersistence drops everything.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS objects (
    project TEXT NOT NULL, data_type TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (project, data_type, key));
CREATE TABLE IF NOT EXISTS synclog (
    seq INTEGER PRIMARY KEY, project TEXT, item TEXT NOT NULL, scope_project TEXT,
    scope_user TEXT, appended_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS backups (
    project TEXT NOT NULL, version INTEGER NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (project, version));
CREATE TABLE IF NOT EXISTS media (
    project TEXT NOT NULL, asset TEXT NOT NULL, content BLOB NOT NULL,
    PRIMARY KEY (project, asset));
"""

COMMIT_DELAY = 0.05


class NoPersistence:
    def load(self) -> dict | None:
        return None

    def put_meta(self, key: str, value: Any) -> None:
        pass

    def put_object(self, project: str, data_type: str, key: str, value: dict | None) -> None:
        pass

    def replace_project(self, project: str, data: dict) -> None:
        pass

    def append_log(self, entry) -> None:
        pass

    def delete_log(self, seqs: list[int]) -> None:
        pass

    def put_backup(self, project: str, version: int, value: dict | None) -> None:
        pass

    def put_media(self, project: str, asset: str, content: bytes | None) -> None:
        pass

    def commit(self) -> None:
        pass

    def close(self) -> None:
        pass


class SqlitePersistence(NoPersistence):
    def __init__(self, state_dir: str):
        os.makedirs(state_dir, exist_ok=True)
        self._db = sqlite3.connect(os.path.join(state_dir, "unicat-sim.sqlite"))
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._db.commit()
        self._commit_handle: asyncio.TimerHandle | None = None

    def load(self) -> dict | None:
        meta = {k: json.loads(v) for k, v in self._db.execute("SELECT key, value FROM meta")}
        if not meta.get("seeded"):
            return None
        objects: dict[str, dict[str, dict]] = {}
        for project, data_type, key, value in self._db.execute(
                "SELECT project, data_type, key, value FROM objects"):
            objects.setdefault(project, {}).setdefault(data_type, {})[key] = json.loads(value)
        log = [{"seq": seq, "project": project, "item": json.loads(item), "scope_project": sp,
                "scope_user": su, "appended_at": at}
               for seq, project, item, sp, su, at in self._db.execute(
                   "SELECT seq, project, item, scope_project, scope_user, appended_at "
                   "FROM synclog ORDER BY seq")]
        backups: dict[str, dict[int, dict]] = {}
        for project, version, value in self._db.execute("SELECT project, version, value FROM backups"):
            backups.setdefault(project, {})[version] = json.loads(value)
        media = {(project, asset): content for project, asset, content in
                 self._db.execute("SELECT project, asset, content FROM media")}
        return {"meta": meta, "objects": objects, "log": log, "backups": backups, "media": media}

    def put_meta(self, key: str, value: Any) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))
        self._schedule()

    def put_object(self, project: str, data_type: str, key: str, value: dict | None) -> None:
        if value is None:
            self._db.execute("DELETE FROM objects WHERE project=? AND data_type=? AND key=?",
                             (project, data_type, key))
        else:
            self._db.execute("INSERT OR REPLACE INTO objects VALUES (?, ?, ?, ?)",
                             (project, data_type, key, json.dumps(value)))
        self._schedule()

    def replace_project(self, project: str, data: dict) -> None:
        self._db.execute("DELETE FROM objects WHERE project=?", (project,))
        self._db.executemany(
            "INSERT INTO objects VALUES (?, ?, ?, ?)",
            [(project, data_type, key, json.dumps(value))
             for data_type, objects in data.items() for key, value in objects.items()])
        self._schedule()

    def append_log(self, entry) -> None:
        self._db.execute("INSERT INTO synclog VALUES (?, ?, ?, ?, ?, ?)",
                         (entry.seq, entry.project, json.dumps(entry.item), entry.scope_project,
                          entry.scope_user, entry.appended_at))
        self._schedule()

    def delete_log(self, seqs: list[int]) -> None:
        self._db.executemany("DELETE FROM synclog WHERE seq=?", [(s,) for s in seqs])
        self._schedule()

    def put_backup(self, project: str, version: int, value: dict | None) -> None:
        if value is None:
            self._db.execute("DELETE FROM backups WHERE project=? AND version=?", (project, version))
        else:
            self._db.execute("INSERT OR REPLACE INTO backups VALUES (?, ?, ?)",
                             (project, version, json.dumps(value)))
        self._schedule()

    def put_media(self, project: str, asset: str, content: bytes | None) -> None:
        if content is None:
            self._db.execute("DELETE FROM media WHERE project=? AND asset=?", (project, asset))
        else:
            self._db.execute("INSERT OR REPLACE INTO media VALUES (?, ?, ?)", (project, asset, content))
        self._schedule()

    def _schedule(self) -> None:
        if self._commit_handle is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # not serving yet (seeding): the caller commits at the end
        self._commit_handle = loop.call_later(COMMIT_DELAY, self.commit)

    def commit(self) -> None:
        if self._commit_handle is not None:
            self._commit_handle.cancel()
            self._commit_handle = None
        self._db.commit()

    def close(self) -> None:
        self.commit()
        self._db.close()
