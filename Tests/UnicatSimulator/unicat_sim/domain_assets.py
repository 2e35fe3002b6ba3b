"""Asset mutations: folders, uploads, updates, deletes and metadata (digest §10, §11).

A folder's `childcount` and `info` (`filecount`, `foldercount`) follow its children, so
a new or removed child also appends an UPDATE for its folder.
"""

from __future__ import annotations

import copy
import os
import random

from .domain_base import DomainError, DomainPart, new_gid, now
from .synclog import LogEntry

FORMATS = {"jpg": "jpeg", "jpeg": "jpeg", "png": "png", "gif": "gif", "svg": "svg", "pdf": "pdf"}


class AssetMutations(DomainPart):
    def asset(self, project: str, gid: str) -> dict:
        asset = self.store.get(project, "assets", gid)
        if asset is None:
            raise DomainError("asset not found", {"asset": gid})
        return asset

    def asset_children(self, project: str, gid: str) -> list[dict]:
        """A folder's contents, folders first, then by name (assets/children)."""
        return sorted((a for a in self.store.objects(project, "assets").values()
                       if len(a["path"]) > 1 and a["path"][1] == gid), key=lambda a: (a["is_file"], a["name"]))

    def folder(self, project: str, gid: str) -> dict:
        folder = self.asset(project, gid)
        if folder["is_file"]:
            raise DomainError("asset is not a folder", {"asset": gid})
        return folder

    def _save_asset(self, project: str, asset: dict, action: str = "UPDATE") -> LogEntry:
        self.store.put(project, "assets", asset["gid"], asset)
        return self.log.append_project(project, action, "assets", asset["gid"])

    def _check_asset_name(self, project: str, folder_gid: str, name: str, gid: str | None = None) -> None:
        if not name or "/" in name:
            raise DomainError("invalid name", {"name": name})
        for other in self.store.objects(project, "assets").values():
            if len(other["path"]) > 1 and other["path"][1] == folder_gid and other["name"] == name \
                    and other["gid"] != gid:
                raise DomainError("asset already exists", {"name": name})

    def _add(self, project: str, folder_gid: str, name: str, is_file: bool, info: dict) -> list[LogEntry]:
        """A new asset in a folder: INSERT for it, UPDATE for the folder."""
        folder = copy.deepcopy(self.folder(project, folder_gid))
        self._check_asset_name(project, folder_gid, name)
        gid, t = new_gid(), now()
        languages = self.project_options(project)["languages"]
        asset = {
            "gid": gid, "pathname": folder["pathname"].rstrip("/") + "/" + name,
            "path": [gid, *folder["path"]], "name": name, "is_file": is_file,
            "type": os.path.splitext(name)[1].lstrip(".").lower() if is_file else "folder",
            "childcount": 0, "status": "published", "info": info, "transforms": {},
            "title": {lang: name for lang in languages}, "description": {lang: "" for lang in languages},
            "metadata": {}, "created_on": t, "updated_on": t, "version": 1}
        folder["childcount"] += 1
        folder["info"]["filecount" if is_file else "foldercount"] += 1
        folder["updated_on"] = t
        return [self._save_asset(project, asset, "INSERT"), self._save_asset(project, folder)]

    def create_folder(self, project: str, parent_gid: str, name: str) -> list[LogEntry]:
        return self._add(project, parent_gid, name, False, {"filecount": 0, "foldercount": 0})

    def upload(self, project: str, folder_gid: str, name: str, content: bytes) -> list[LogEntry]:
        extension = os.path.splitext(name)[1].lstrip(".").lower()
        entries = self._add(project, folder_gid, name, True,
                            {"format": FORMATS.get(extension, extension), "filesize": len(content)})
        self.store.put_media(project, entries[0].item["data_key"], content)
        return entries

    def upload_update(self, project: str, gid: str, content: bytes) -> list[LogEntry]:
        """New content for a file: a new version and file size."""
        asset = copy.deepcopy(self.asset(project, gid))
        if not asset["is_file"]:
            raise DomainError("asset is not a file", {"asset": gid})
        asset["version"] += 1
        asset["info"]["filesize"] = len(content)
        asset["updated_on"] = now()
        self.store.put_media(project, gid, content)
        return [self._save_asset(project, asset)]

    def update_asset(self, project: str, gid: str, props: dict) -> list[LogEntry]:
        """name, title, description, metadata [INF]; a new name moves the pathnames
        below it too (an UPDATE for each)."""
        asset = copy.deepcopy(self.asset(project, gid))
        entries = []
        if "name" in props and props["name"] != asset["name"]:
            if len(asset["path"]) == 1:
                raise DomainError("cannot rename the root asset", {"asset": gid})
            self._check_asset_name(project, asset["path"][1], props["name"], gid)
            old = asset["pathname"]
            asset["pathname"] = old[:len(old) - len(asset["name"])] + props["name"]
            for below in list(self.store.objects(project, "assets").values()):
                if gid in below["path"][1:]:
                    moved = copy.deepcopy(below)
                    moved["pathname"] = asset["pathname"] + below["pathname"][len(old):]
                    moved["updated_on"] = now()
                    entries.append(self._save_asset(project, moved))
        for key, value in copy.deepcopy(props).items():
            # Localized texts are merged per language; name and metadata are replaced.
            asset[key] = {**asset[key], **value} if key in ("title", "description") else value
        asset["updated_on"] = now()
        return [self._save_asset(project, asset)] + entries

    def set_asset_metadata(self, project: str, gid: str, name: str, entry: dict | None) -> list[LogEntry]:
        """Sets (entry) or clears (None) one metadata entry."""
        asset = copy.deepcopy(self.asset(project, gid))
        if entry is None:
            asset["metadata"].pop(name, None)
        else:
            asset["metadata"][name] = entry
        asset["updated_on"] = now()
        return [self._save_asset(project, asset)]

    def set_asset_deleted(self, project: str, gid: str, deleted: bool) -> list[LogEntry]:
        """Soft delete / undelete, like records: a status change, announced as UPDATE."""
        asset = copy.deepcopy(self.asset(project, gid))
        if len(asset["path"]) == 1:
            raise DomainError("cannot delete the root asset", {"asset": gid})
        if deleted == (asset["status"] == "deleted"):
            return []
        asset["status"] = "deleted" if deleted else "published"
        asset["updated_on"] = now()
        return [self._save_asset(project, asset)]

    def permanent_delete_asset(self, project: str, gid: str) -> list[LogEntry]:
        """Removes the asset and everything below it (DELETE items, deepest first), then
        updates its folder."""
        asset = self.asset(project, gid)
        if len(asset["path"]) == 1:
            raise DomainError("cannot delete the root asset", {"asset": gid})
        doomed = sorted((a for a in self.store.objects(project, "assets").values() if gid in a["path"]),
                        key=lambda a: -len(a["path"]))
        entries = []
        for a in doomed:
            self.store.remove(project, "assets", a["gid"])
            self.store.put_media(project, a["gid"], None)
            entries.append(self.log.append_project(project, "DELETE", "assets", a["gid"]))
        folder = copy.deepcopy(self.asset(project, asset["path"][1]))
        folder["childcount"] -= 1
        folder["info"]["filecount" if asset["is_file"] else "foldercount"] -= 1
        folder["updated_on"] = now()
        return entries + [self._save_asset(project, folder)]

    # -- generated changes (control API /changes, activity) ------------------------------

    def touch_asset(self, project: str, gid: str, rng: random.Random) -> list[LogEntry]:
        """A re-upload: new version, new file size, new update time."""
        asset = copy.deepcopy(self.asset(project, gid))
        asset["version"] += 1
        if asset["is_file"]:
            asset["info"]["filesize"] = rng.randrange(20_000, 900_000)
        asset["updated_on"] = now()
        return [self._save_asset(project, asset)]

    def create_asset(self, project: str, folder_gid: str, rng: random.Random) -> list[LogEntry]:
        name = f"upload-{new_gid()[:8]}.jpg"
        return self._add(project, folder_gid, name, True, {"width": 1600, "height": 1200, "format": "jpeg",
                                                           "filesize": rng.randrange(20_000, 900_000)})
