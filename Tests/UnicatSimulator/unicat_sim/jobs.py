"""Background jobs (backups, restores, permanent deletes, bulk record mutations).

A job is visible only through `jobs` cc items (digest §9): `queued` when it is
accepted, `processing` one step later, and `done` one step after that, right after its
work ran. Jobs of one project run one at a time, like a per-project work queue.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Callable

from .domain import Domain, DomainError, new_gid
from .settings import Settings

log = logging.getLogger("unicat_sim.jobs")


class JobRunner:
    def __init__(self, domain: Domain, settings: Settings):
        self._domain = domain
        self._settings = settings
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task] = set()

    def start(self, project: str, job: str, work: Callable[[], object], total: int = 1) -> str:
        """Appends the `queued` item now (so it exists before the API answers) and runs
        the rest in the background. Returns the job token."""
        token = new_gid()
        self._domain.job_item(token, project, job, "queued", {})
        task = asyncio.get_running_loop().create_task(self._run(token, project, job, work, total))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return token

    async def _run(self, token: str, project: str, job: str, work: Callable[[], object], total: int) -> None:
        lock = self._locks.setdefault(project, asyncio.Lock())
        async with lock:
            await asyncio.sleep(self._settings.job_step_seconds)
            self._domain.job_item(token, project, job, "processing", {"total": total, "remaining": total})
            await asyncio.sleep(self._settings.job_step_seconds)
            info = {"total": total, "remaining": 0}
            try:
                outcome = work()
                if isinstance(outcome, dict):  # a bulk job's extra info (its failed items)
                    info.update(outcome)
            except DomainError as err:
                # The official client treats an "error" key in info as failure.
                info["error"] = err.message
                log.warning("job %s (%s) failed: %s", token, job, err.message)
            self._domain.job_item(token, project, job, "done", info)

    @property
    def tasks(self) -> set[asyncio.Task]:
        return set(self._tasks)

    def cancel(self, tasks: set[asyncio.Task]) -> None:
        """Cancels jobs before they ran (those a rolled-back /batch started)."""
        for task in tasks:
            task.cancel()

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
