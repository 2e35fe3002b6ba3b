"""The process: ready line, signals, --state-dir persistence, TLS, concurrent first runs."""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import ssl
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import aiohttp
import pytest
import socketio

from conftest import SIM_DIR, Api, SimProcess, envelope_ok, track_job


def test_ready_line_and_sigterm(start_sim):
    sim = start_sim()
    assert set(sim.ready) == {"url", "project", "api_key", "control"}
    assert sim.ready_line == json.dumps(sim.ready) + "\n"
    assert sim.url.startswith("http://127.0.0.1:") and sim.control.startswith("http://127.0.0.1:")
    assert sim.url != sim.control
    assert sim.stop(signal.SIGTERM) == 0
    assert sim.rest_of_stdout() == b""  # exactly one line on stdout


def test_sigint_and_fixed_seed(start_sim):
    first, second = start_sim(), start_sim()
    assert (first.project, first.api_key) == (second.project, second.api_key)
    third = start_sim("--seed", "7")
    assert third.project != first.project
    assert first.stop(signal.SIGINT) == 0


async def test_state_dir_survives_restart(start_sim, tmp_path):
    state = tmp_path / "state"
    sim = start_sim("--state-dir", str(state))
    async with aiohttp.ClientSession() as session:
        api = Api(sim, session)
        await api.auth()
        made = (await api.control("/changes", {"count": 3}))["items"]
        baseline = await api.control("/cursors")
        backup = envelope_ok(await api.call("backups/create", {"created_by": "tests"}))[0]
        # The job moves the cc cursor until it is done: snapshot after that.
        await track_job(api, baseline["cc.cursor"], backup["job.token"])
        await api.control("/jwt/expire-all", {})
        await api.auth()
        cursors = await api.control("/cursors")
        record = await api.control(f"/object/records/{made[0]['data_key']}")
        log = await api.control("/log")
        token = api.token
    assert sim.stop() == 0

    again = start_sim("--state-dir", str(state))
    assert (again.project, again.api_key) == (sim.project, sim.api_key)
    async with aiohttp.ClientSession() as session:
        api = Api(again, session)
        api.token = token  # tokens survive: the secret is kept in the state dir
        assert await api.control("/cursors") == cursors
        assert await api.control(f"/object/records/{made[0]['data_key']}") == record
        fetched = envelope_ok(await api.call("records/get", {"record": made[0]["data_key"]}))[1]["records"]
        assert fetched[made[0]["data_key"]] == record
        assert (await api.control("/log"))["entries"] == log["entries"]
        init = envelope_ok(await api.call("init"))[1]
        assert len(init["cc.projects"][api.project]["backups"]["versions"]) == 2
        body = {"cc_cursor": cursors["cc.cursor"], "project": api.project, "cursor": cursors["cursor"]}
        assert envelope_ok(await api.post("/sync/get", body, token=token))[0] == {"sync": []}
        more = (await api.control("/changes", {"count": 1}))["items"]
        assert more[0]["cursor"] == cursors["cursor"] + 1


async def test_tls_https_and_wss(start_sim, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    sim = start_sim("--tls-cert", str(cert), "--tls-key", str(key))
    assert sim.url.startswith("https://127.0.0.1:") and sim.control.startswith("http://")
    context = ssl.create_default_context(cafile=str(cert))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context)) as session:
        api = Api(sim, session)
        await api.auth()
        assert (await api.call("records/root")).status == 200
        client = socketio.AsyncClient(reconnection=False, http_session=session)
        await client.connect(sim.url, socketio_path="/sync/io", auth={"JWT": api.token},
                             transports=["websocket"], wait_timeout=5)
        assert client.transport() == "websocket"
        cursors = await api.control("/cursors")
        reply = await client.call("initsync", {"cc_cursor": cursors["cc.cursor"], "project": api.project,
                                               "cursor": cursors["cursor"] - 1}, timeout=5)
        assert len(reply["sync"]) == 1
        await client.disconnect()
    async with aiohttp.ClientSession() as session:  # the default trust store refuses the cert
        try:
            await session.post(sim.url + "/sync/cursors", json={})
            raise AssertionError("self-signed certificate accepted")
        except aiohttp.ClientConnectorCertificateError:
            pass


def test_concurrent_first_runs_share_one_venv(tmp_path):
    """Three launchers start at once in a fresh copy of this folder (no .venv)."""
    copy = tmp_path / "UnicatSimulator"
    copy.mkdir()
    for name in ("unicat-sim", "ensure-venv", "requirements.txt"):
        shutil.copy2(SIM_DIR / name, copy / name)
    shutil.copytree(SIM_DIR / "unicat_sim", copy / "unicat_sim",
                    ignore=shutil.ignore_patterns("__pycache__"))
    with ThreadPoolExecutor(3) as pool:
        sims = list(pool.map(lambda i: SimProcess([], tmp_path / f"first-run-{i}.log",
                                                  launcher=copy / "unicat-sim"), range(3)))
    try:
        assert len({s.url for s in sims}) == 3
        logs = "".join((tmp_path / f"first-run-{i}.log").read_text() for i in range(3))
        assert logs.count("creating virtualenv") == 1
        assert (copy / ".venv" / ".stamp-runtime").exists()
    finally:
        assert all(s.stop() == 0 for s in sims)


async def test_sigterm_with_open_socket_and_slow_request(start_sim):
    sim = start_sim()
    async with aiohttp.ClientSession() as session:
        api = Api(sim, session)
        await api.auth()
        client = socketio.AsyncClient(reconnection=False)
        disconnected = asyncio.Event()
        client.on("disconnect", lambda *reason: disconnected.set())
        await client.connect(sim.url, socketio_path="/sync/io", auth={"JWT": api.token}, transports=["websocket"])
        await api.control("/faults", {"match": "*", "status": None, "delay": 60})
        slow = asyncio.create_task(api.call("records/root"))
        await asyncio.sleep(0.2)
        started = time.monotonic()
        assert await asyncio.to_thread(sim.stop) == 0
        assert time.monotonic() - started < 3
        await asyncio.wait_for(disconnected.wait(), 3)
        with pytest.raises(aiohttp.ClientError):
            await slow
