"""The processes a scenario runs: the simulator, the bridge and the references. Each is a
separate process on loopback; each logs to a file in the run's work directory."""
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

from . import paths
from .limits import raise_file_limit


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_json(url, body=None, timeout=30):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="GET" if body is None else "POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read() or b"null")


def stop_process(proc, sig=signal.SIGTERM, timeout=20):
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


class Simulator:
    """`unicat-sim` on a free port; `control()` speaks to its control API."""

    def __init__(self, workdir, *args):
        self.log = open(os.path.join(workdir, "simulator.log"), "a")
        self.proc = subprocess.Popen([paths.SIMULATOR, "--host", "127.0.0.1", "--port", "0", *args],
                                     stdout=subprocess.PIPE, stderr=self.log, stdin=subprocess.DEVNULL, text=True)
        ready = json.loads(self.proc.stdout.readline())
        self.url, self.project, self.api_key, self.control_url = (
            ready["url"], ready["project"], ready["api_key"], ready["control"])

    @property
    def pid(self):
        return self.proc.pid

    def control(self, path, body=None):
        return http_json(self.control_url + path, body)

    def settings(self, **values):
        return self.control("/settings", values)

    def cursors(self):
        answer = self.control("/cursors")
        return answer["cc.cursor"], answer["cursor"]

    def requests(self):
        """Upstream requests so far, per endpoint (method and path with {gid})."""
        return dict(self.control("/stats")["requests"])

    def last_cursor(self, data_type="records", lookback=500):
        """The newest project cursor whose item has this data type (what a filtered
        subscriber sees last)."""
        cc, cursor = self.cursors()
        entries = self.control(f"/log?cc_cursor={cc}&cursor={max(0, cursor - lookback)}")["entries"]
        found = [e["item"]["cursor"] for e in entries
                 if e["item"]["type"] == "project" and e["item"]["data_type"] == data_type]
        return max(found) if found else None

    def stop(self):
        stop_process(self.proc)
        self.log.close()


class Bridge:
    """`unicat-bridge run` against a simulator with a benchmark configuration: WebSocket
    on a free port (optionally TLS), a Unix socket, and optionally stdio on pipes. `prefix`
    runs it under another program (valgrind): the pid is still the bridge's, as valgrind
    runs its client in its own process. `options`: more top-level configuration sections."""

    def __init__(self, products, simulator, workdir, state_dir, tls=None, unix=True, stdio=False, websocket_options=None,
                 prefix=(), options=None):
        self.port = free_port()
        self.unix_path = os.path.join(workdir, f"bridge-{self.port}.sock") if unix else None
        websocket = {"listen": [f"127.0.0.1:{self.port}"], "max_connections": 60000,
                     "max_connections_per_ip": 60000, "max_handshakes_per_ip": 60000}
        websocket.update(websocket_options or {})
        if tls:
            websocket["tls"] = {"cert_file": tls.cert, "key_file": tls.key}
        transports = {"websocket": websocket}
        if unix:
            transports["unix"] = {"path": self.unix_path}
        config = {"log_level": "warning", "transports": transports, **(options or {})}
        config_path = os.path.join(workdir, f"bridge-{self.port}.yaml")
        with open(config_path, "w") as handle:
            json.dump(config, handle)  # JSON is YAML
        os.makedirs(state_dir, exist_ok=True)
        env = dict(os.environ, UNICAT_URL=simulator.url, UNICAT_PROJECT=simulator.project,
                   UNICAT_API_KEY=simulator.api_key, UNICAT_BRIDGE_STATE_DIR=state_dir)
        command = [*prefix, products.bridge, "run", "--config", config_path] + (["--stdio"] if stdio else [])
        self.log = open(os.path.join(workdir, f"bridge-{self.port}.log"), "a")
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(command, env=env, stderr=self.log, preexec_fn=raise_file_limit,
                                     stdin=subprocess.PIPE if stdio else subprocess.DEVNULL,
                                     stdout=subprocess.PIPE if stdio else subprocess.DEVNULL)
        self.scheme = "wss" if tls else "ws"

    @property
    def pid(self):
        return self.proc.pid

    @property
    def ws_url(self):
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def wait_healthy(self, timeout=60, context=None):
        """Until /healthz says the upstream is connected."""
        deadline = time.monotonic() + timeout
        url = f"{'https' if self.scheme == 'wss' else 'http'}://127.0.0.1:{self.port}/healthz"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the bridge exited with status {self.proc.returncode}; see {self.log.name}")
            try:
                with urllib.request.urlopen(url, timeout=2, context=context) as response:
                    if json.loads(response.read()).get("ok"):
                        return time.monotonic() - self.started_at
            except (OSError, ValueError, urllib.error.URLError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"the bridge was not healthy within {timeout} s; see {self.log.name}")

    def metrics(self, context=None):
        """The bridge's Prometheus text as {name: value} (label sets left in the name)."""
        url = f"{'https' if self.scheme == 'wss' else 'http'}://127.0.0.1:{self.port}/metrics"
        with urllib.request.urlopen(url, timeout=10, context=context) as response:
            text = response.read().decode()
        values = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                try:
                    values[name] = float(value)
                except ValueError:
                    continue
        return values

    def stop(self):
        code = stop_process(self.proc)
        self.log.close()
        return code


class ReferenceRelay:
    """Benchmarks/reference_relay.py: the Python relay a user might write instead."""

    def __init__(self, simulator, workdir, python):
        self.log = open(os.path.join(workdir, "relay.log"), "a")
        self.proc = subprocess.Popen([python, paths.RELAY, "--url", simulator.url, "--project", simulator.project,
                                      "--api-key", simulator.api_key], stdout=subprocess.PIPE, stderr=self.log,
                                     stdin=subprocess.DEVNULL, text=True, preexec_fn=raise_file_limit)
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the reference relay did not start; see {self.log.name}")
        self.ws_url = json.loads(line)["url"]

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        stop_process(self.proc)
        self.log.close()


class MirrorServer:
    """Debian's libwebsockets-test-server: its lws-mirror-protocol is the raw C fan-out."""

    BINARY = "libwebsockets-test-server"

    def __init__(self, workdir):
        self.port = free_port()
        self.log = open(os.path.join(workdir, "lws-test-server.log"), "a")
        self.proc = subprocess.Popen([self.BINARY, f"--port={self.port}"], stdout=self.log, stderr=self.log,
                                     stdin=subprocess.DEVNULL, preexec_fn=raise_file_limit)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        self.ws_url = f"ws://127.0.0.1:{self.port}/"

    @staticmethod
    def available():
        return shutil.which(MirrorServer.BINARY) is not None

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        stop_process(self.proc, sig=signal.SIGINT)
        self.log.close()
