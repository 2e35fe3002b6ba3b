"""Fixtures: real simulator processes (through the unicat-sim launcher) and a small
HTTP helper. One simulator is shared by the tests that do not rewrite history; tests
that need special options or restores start their own."""

from __future__ import annotations

import asyncio
import json
import select
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

SIM_DIR = Path(__file__).resolve().parent.parent
LAUNCHER = SIM_DIR / "unicat-sim"
DEFAULT_SETTINGS = {"page_size": 100, "jwt_ttl": 900.0, "refresh_policy": "sliding",
                    "error_401_shape": "result", "socket_reply": "ack", "socket_payload": "mixed",
                    "authorization_payload": "object", "restore_cursor": "rewind",
                    "sync_retention": None, "job_step_seconds": 0.05, "activity": 0.0}
FAST_JOBS = ["--job-step-seconds", "0.05"]


class SimProcess:
    """One `unicat-sim` process and what its ready line says."""

    def __init__(self, args: list[str], log_path: Path, cwd: Path | None = None,
                 launcher: Path = LAUNCHER, timeout: float = 300):
        self.log_path = log_path
        self._log = open(log_path, "ab")
        self.proc = subprocess.Popen([str(launcher), "--host", "127.0.0.1", "--port", "0", *args],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self._log, cwd=cwd)
        self.ready_line = self._read_line(timeout)
        ready = json.loads(self.ready_line)
        self.ready = ready
        self.url, self.project, self.api_key, self.control = (
            ready["url"], ready["project"], ready["api_key"], ready["control"])

    def _read_line(self, timeout: float) -> str:
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            self.proc.kill()
            raise TimeoutError(f"no ready line; see {self.log_path}")
        line = self.proc.stdout.readline().decode()
        if not line:
            raise RuntimeError(f"simulator exited ({self.proc.wait()}); see {self.log_path}")
        return line

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=15)
        finally:
            self._log.close()

    def rest_of_stdout(self) -> bytes:
        return self.proc.stdout.read()


@dataclass
class Resp:
    status: int
    headers: Any
    body: Any
    text: str


class Api:
    """HTTP against one simulator: the Unicat API (with a current token) and control."""

    def __init__(self, sim: SimProcess, session: aiohttp.ClientSession):
        self.sim = sim
        self.session = session
        self.token: str | None = None

    @property
    def project(self) -> str:
        return self.sim.project

    async def request(self, method: str, path: str, body: Any = None, token: str | None = None,
                      raw: bytes | None = None, headers: dict | None = None, base: str | None = None) -> Resp:
        headers = dict(headers or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        kwargs: dict = {"headers": headers}
        if raw is not None:
            kwargs["data"] = raw
        elif body is not None:
            kwargs["json"] = body
        async with self.session.request(method, (base or self.sim.url) + path, **kwargs) as r:
            text = await r.text()
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = None
            return Resp(r.status, r.headers, parsed, text)

    async def post(self, path: str, body: Any = None, **kw) -> Resp:
        return await self.request("POST", path, {} if body is None and "raw" not in kw else body, **kw)

    async def auth(self, **extra) -> Resp:
        r = await self.post(f"/api/p/{self.project}/auth", {"api_key": self.sim.api_key, **extra})
        assert r.status == 200, r.text
        self.token = r.headers["Authorization"]
        return r

    async def call(self, endpoint: str, body: Any = None, **kw) -> Resp:
        """POST /api/p/<project>/<endpoint> with the current token."""
        kw.setdefault("token", self.token)
        return await self.post(f"/api/p/{self.project}/{endpoint}", body, **kw)

    async def control(self, path: str, body: Any = None, method: str | None = None) -> Any:
        method = method or ("GET" if body is None else "POST")
        r = await self.request(method, path, body, base=self.sim.control)
        assert r.status == 200, r.text
        return r.body


@pytest.fixture(scope="session")
def sim(tmp_path_factory) -> SimProcess:
    process = SimProcess(FAST_JOBS, tmp_path_factory.mktemp("shared") / "simulator.log")
    yield process
    assert process.stop() == 0


@pytest.fixture
def start_sim(tmp_path):
    """Starts extra simulators with given options; each must exit 0 on SIGTERM."""
    started: list[SimProcess] = []

    def start(*args: str, **kw) -> SimProcess:
        process = SimProcess([*FAST_JOBS, *args], tmp_path / f"simulator-{len(started)}.log", **kw)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.proc.poll() is None:
            assert process.stop() == 0


@pytest.fixture
async def api(sim):
    """An Api on the shared simulator, already authenticated; settings and faults are
    put back afterwards so tests stay independent."""
    async with aiohttp.ClientSession() as session:
        client = Api(sim, session)
        await client.auth()
        yield client
        await client.control("/faults/clear", {})
        await client.control("/settings", DEFAULT_SETTINGS)


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


def api_for(sim: SimProcess, session: aiohttp.ClientSession) -> Api:
    return Api(sim, session)


def envelope_ok(r: Resp) -> tuple[dict, dict]:
    assert r.status == 200, r.text
    assert set(r.body) == {"success", "result", "data"}
    assert r.body["success"] is True
    return r.body["result"], r.body["data"]


def envelope_error(r: Resp, status: int, code: int | None = None, message: str | None = None,
                   info: dict | None = None) -> dict:
    assert r.status == status, r.text
    assert r.body == {"success": False, "result": r.body["result"], "data": {}}, r.text
    err = r.body["result"]
    assert set(err) == {"code", "message", "info"}
    assert err["code"] == (code if code is not None else status)
    if message is not None:
        assert err["message"] == message
    if info is not None:
        assert err["info"] == info
    return err


async def track_job(api: Api, cc_cursor: int, token: str, timeout: float = 5) -> list[dict]:
    """Polls /sync/get {cc_cursor} like the official client until the job is done;
    returns the job's data objects in order."""
    states, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        result, _ = envelope_ok(await api.post("/sync/get", {"cc_cursor": cc_cursor}, token=api.token))
        for item in result["sync"]:
            cc_cursor = item["cursor"]
            if item["data_type"] == "jobs" and item["data_key"] == token:
                assert item["type"] == "cc" and item["action"] == "UPDATE"
                states.append(item["data"])
                if item["data"]["status"] == "done":
                    return states
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {token} not done: {states}")
