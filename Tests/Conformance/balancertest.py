"""Helpers for running several bridges behind a real load balancer: HAProxy from Debian,
configured by deploy/multi-instance/haproxy-config, on loopback, stopped by its PID."""
import csv
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

from bridgetest import REPO, Client, WebSocketConnection
import websockettest

HAPROXY_CONFIG = os.path.join(REPO, "deploy", "multi-instance", "haproxy-config")
SHIPPED_HAPROXY_CFG = os.path.join(REPO, "deploy", "multi-instance", "haproxy.cfg")


_haproxy = {}


def haproxy_binary():
    """The haproxy executable, installed from Debian (apt-get) if it is missing; the test
    is skipped, saying why, only when it is missing and cannot be installed."""
    if not _haproxy:
        _haproxy.update(_find_or_install_haproxy())
    if "skip" in _haproxy:
        pytest.skip(_haproxy["skip"])
    return _haproxy["path"]


def _find_haproxy():
    return shutil.which("haproxy") or next(
        (path for path in ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy") if os.access(path, os.X_OK)), None)


def _find_or_install_haproxy():
    found = _find_haproxy()
    if found:
        return {"path": found}
    if os.geteuid() == 0:
        prefix = []
    elif shutil.which("sudo"):
        prefix = ["sudo", "-n"]
    else:
        return {"skip": "haproxy is not installed and cannot be installed (not root, no sudo): "
                        "install Debian's haproxy package (scripts/install-deps does)"}
    environment = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = [*prefix, "apt-get", "install", "-y", "-qq", "--no-install-recommends", "haproxy"]
    attempt = subprocess.run(install, env=environment, capture_output=True, text=True)
    if attempt.returncode != 0:
        subprocess.run([*prefix, "apt-get", "update", "-qq"], env=environment, capture_output=True)
        attempt = subprocess.run(install, env=environment, capture_output=True, text=True)
    found = _find_haproxy()
    if found:
        return {"path": found}
    return {"skip": "haproxy is not installed and could not be installed with apt-get "
                    f"(exit {attempt.returncode}: {(attempt.stderr or attempt.stdout).strip()[-300:]}); "
                    "scripts/install-deps installs it"}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def haproxy_config(bridges, listen, stats, **options):
    """The configuration deploy/multi-instance/haproxy-config prints for these addresses."""
    arguments = [f"--{name.replace('_', '-')}={value}" for name, value in options.items()]
    return subprocess.check_output([sys.executable, HAPROXY_CONFIG, "--listen", listen, "--stats", stats,
                                    *arguments, *bridges], text=True)


class HAProxy:
    """HAProxy in the foreground (-db) balancing over `bridges` (host:port of each one's
    WebSocket listener), on free loopback ports, in a private temporary directory."""

    def __init__(self, bridges, **options):
        self.binary = haproxy_binary()
        self.dir = tempfile.mkdtemp(prefix="conformance-haproxy-")
        self.log_path = os.path.join(self.dir, "haproxy.log")
        self.config_path = os.path.join(self.dir, "haproxy.cfg")
        for attempt in range(3):  # a port taken between picking and binding: pick again
            self.port, self.stats_port = free_port(), free_port()
            with open(self.config_path, "w") as handle:
                handle.write(haproxy_config(bridges, f"127.0.0.1:{self.port}", f"127.0.0.1:{self.stats_port}", **options))
            self.log_file = open(self.log_path, "w")
            self.proc = subprocess.Popen([self.binary, "-db", "-f", self.config_path], stdin=subprocess.DEVNULL,
                                         stdout=self.log_file, stderr=subprocess.STDOUT)
            if self._wait_listening():
                return
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            self.log_file.close()
            if attempt == 2 or "cannot bind" not in self.log.lower():
                raise AssertionError(f"haproxy did not start:\n{self.log[-3000:]}")

    def _wait_listening(self, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.stats_port), timeout=1), \
                        socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return True
            except OSError:
                time.sleep(0.05)
        return False

    @property
    def url(self):
        return f"ws://127.0.0.1:{self.port}"

    @property
    def log(self):
        with open(self.log_path) as handle:
            return handle.read()

    def stats(self):
        """HAProxy's statistics (the stats page as CSV), one dict per frontend/backend/server."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.stats_port}/;csv", timeout=10) as response:
            text = response.read().decode()
        return list(csv.DictReader(io.StringIO(text.lstrip("# "))))

    def servers(self):
        """{server name: its row} of the bridges' backend."""
        return {row["svname"]: row for row in self.stats()
                if row["pxname"] == "unicat_bridges" and row["svname"] not in ("FRONTEND", "BACKEND")}

    def wait_for_status(self, statuses, timeout=30):
        """Waits until every server named in `statuses` has that status: "UP" or "DOWN"
        (on the way, HAProxy shows "UP 1/2" going down and "DOWN 1/2" coming up)."""
        deadline = time.time() + timeout
        while True:
            current = {name: row["status"] for name, row in self.servers().items()}
            if all(current.get(name) == status for name, status in statuses.items()):
                return current
            if time.time() > deadline:
                raise AssertionError(f"haproxy servers are {current}, expected {statuses}:\n{self.log[-2000:]}")
            time.sleep(0.1)

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)  # -db: one process; stopped by its PID
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log_file.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def start_instance(simulator, directory, name, listen="127.0.0.1:0"):
    """One bridge instance as it runs behind the balancer: its own state directory, its own
    WebSocket port, and no per-address limits to speak of (every connection comes from HAProxy)."""
    state_dir = os.path.join(directory, name, "state")
    return websockettest.start_websocket_bridge(simulator, state_dir, listen=[listen], max_connections_per_ip=100000,
                                                max_handshakes_per_ip=100000)


def address(bridge):
    """host:port of a bridge's WebSocket listener."""
    return websockettest.listening_url(bridge).split("://", 1)[1]


METRIC_LINE = re.compile(r"^([a-z_]+)(?:\{[^}]*\})? (\S+)$", re.M)


def metrics(bridge):
    """The bridge's /metrics figures as {name: value} (meant for unlabelled metrics)."""
    text = websockettest.metrics_text(websockettest.http_url(bridge))
    return {name: float(value) for name, value in METRIC_LINE.findall(text)}


def websocket_connections(bridge):
    """Open WebSocket connections on this instance (health checks and /metrics are plain HTTP)."""
    return int(metrics(bridge)["unicat_bridge_websocket_connections"])


def wait_healthy(bridge, timeout=60):
    base = websockettest.http_url(bridge)
    if not websockettest.wait_until(lambda: websockettest.http_get(base + "/healthz")[0] == 200, timeout, 0.1):
        raise AssertionError(f"{base}/healthz never answered 200:\n{bridge.log[-2000:]}")


def kill(bridge):
    """Ends a bridge at once: SIGKILL to its PID."""
    assert bridge.stop(signal.SIGKILL) == -signal.SIGKILL


class Subscriber:
    """A subscriber connected through the balancer: one `sync.subscribe`, then everything
    it is sent, kept in order, with the last position it was given (to resume with)."""

    def __init__(self, url, **params):
        self.url, self.params = url, params
        self.items, self.resets, self.notifications = [], [], 0
        self.start = self.position = self.subscription = None
        self.connect()

    def connect(self, timeout=30):
        """Connects (again) through the balancer, retrying refused handshakes as a real
        client would (HAProxy answers 503 while it has no server to offer)."""
        deadline = time.time() + timeout
        while True:
            try:
                self.client = Client(WebSocketConnection(self.url + "/"))
                return
            except Exception as error:  # refused, reset, 503, handshake timeout
                if time.time() > deadline:
                    raise AssertionError(f"could not connect to {self.url} within {timeout} s: {error!r}")
                time.sleep(0.2)

    def subscribe(self, since=None, timeout=10):
        """`sync.subscribe`, resuming after `since` if given. A position the instance has not
        reached yet (-32003: the dead one was a little ahead) is asked again shortly."""
        params = dict(self.params, **({"since": since} if since else {}))
        deadline = time.time() + timeout
        while True:
            response = self.client.request("sync.subscribe", params)
            if response.get("error", {}).get("code") != -32003 or time.time() > deadline:
                break
            time.sleep(0.1)
        assert "result" in response, response
        result = response["result"]
        self.subscription = result["subscription"]
        if self.start is None:
            self.start = self.position = result["position"]
        self._take_pending()
        return result

    def _take_pending(self):
        pending, self.client.notifications = self.client.notifications, []
        for message in pending:
            self._handle(message)

    def _handle(self, message):
        params = message.get("params", {}) if isinstance(message, dict) else {}
        if params.get("subscription") != self.subscription:
            return
        if message.get("method") == "sync.changes":
            self.items.extend(params["items"])
            self.position = params["position"]
            self.notifications += 1
        elif message.get("method") == "sync.reset":
            self.resets.append(params)
            self.position = params.get("position") or self.position

    def receive(self, until, timeout=30):
        """Handles messages until `until(self)` holds; ConnectionError if the connection ends."""
        deadline = time.time() + timeout
        self._take_pending()
        while not until(self):
            if time.time() > deadline:
                raise AssertionError(f"timed out after {timeout} s at position {self.position} ({len(self.items)} items)")
            try:
                message = self.client.connection.recv(timeout=0.2)
            except AssertionError:  # nothing within 0.2 s
                continue
            if isinstance(message, dict) and "id" in message and "method" not in message:
                continue  # a late response
            self._handle(message)
        return self

    def receive_until_closed(self, timeout=30):
        """Everything still delivered on this connection, until it ends."""
        try:
            self.receive(lambda _: False, timeout)
        except ConnectionError:
            return
        raise AssertionError("the connection did not end")

    def reached(self, cursors):
        """Whether its position is at or past the simulator's {"cc.cursor", "cursor"}."""
        return (self.position is not None and self.position["cc_cursor"] >= cursors["cc.cursor"]
                and self.position["cursor"] >= cursors["cursor"])

    def close(self):
        try:
            self.client.connection.close()
        except Exception:
            pass
