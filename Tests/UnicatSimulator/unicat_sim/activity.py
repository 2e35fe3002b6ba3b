"""--activity RATE: a steady stream of changes (RATE per second) in the background."""

from __future__ import annotations

import asyncio
import logging
import time

from .changes import ChangeMaker

log = logging.getLogger("unicat_sim.activity")

MAX_BACKLOG_SECONDS = 1.0  # after a stall, catch up at most this much, not in one burst


class Activity:
    def __init__(self, changes: ChangeMaker):
        self._changes = changes
        self._rate = 0.0
        self._task: asyncio.Task | None = None

    def set_rate(self, rate: float) -> None:
        """Starts, retunes or stops the generator; needs the running loop when rate > 0."""
        self._rate = rate
        if rate > 0 and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())
        elif rate == 0 and self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self) -> None:
        # A change budget that grows with elapsed time keeps the rate right even when the
        # rate is higher than the sleep granularity.
        budget, last = 0.0, time.monotonic()
        while True:
            await asyncio.sleep(min(1.0 / self._rate, 0.05))
            now = time.monotonic()
            budget = min(budget + (now - last) * self._rate, self._rate * MAX_BACKLOG_SECONDS + 1)
            last = now
            while budget >= 1:
                budget -= 1
                try:
                    self._changes.random_change()
                except Exception:
                    log.exception("activity change failed")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
