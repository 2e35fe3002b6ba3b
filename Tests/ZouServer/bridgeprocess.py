"""The real bridge binary following a Zou server, with a Unix-socket subscriber."""
import collections
import json
import os
import queue
import signal
import socket
import subprocess
import threading
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def products_dir():
    if "BRIDGE_PRODUCTS_DIR" in os.environ:
        return os.environ["BRIDGE_PRODUCTS_DIR"]
    return subprocess.check_output(["swift", "build", "--show-bin-path"], cwd=REPO, text=True).strip()


class Bridge:
    """`unicat-bridge run` with `upstream.kind: zou`; the password in a 0600 file."""

    def __init__(self, directory, zou, project, password=None, api_url=None, safety_poll=2, email="admin@example.com"):
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        self.socket_path = os.path.join(directory, "bridge.sock")
        self.password_file = os.path.join(directory, "zou-password")
        with open(os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
            handle.write((password if password is not None else zou.admin_password) + "\n")
        config = {
            "upstream": {"kind": "zou", "url": api_url or zou.api_url, "events_url": zou.events_url, "project": project,
                         "email": email, "password_file": self.password_file, "timeout_seconds": 10},
            "sync": {"safety_poll_seconds": safety_poll},
            "state_directory": os.path.join(directory, "state"),
            "log_level": "trace",
            "transports": {"unix": {"path": self.socket_path}},
        }
        config_path = os.path.join(directory, "config.yaml")
        with open(config_path, "w") as handle:
            json.dump(config, handle)  # JSON is YAML
        self.log_path = os.path.join(directory, "bridge.log")
        self.log_file = open(self.log_path, "wb")
        environment = {key: value for key, value in os.environ.items() if not key.startswith(("UNICAT_", "ZOU_"))}
        self.proc = subprocess.Popen([os.path.join(products_dir(), "unicat-bridge"), "run", "--config", config_path],
                                     stdout=self.log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     env=environment)

    def log(self):
        with open(self.log_path, "rb") as handle:
            return handle.read().decode(errors="replace")

    def wait_for_log(self, text, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log():
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"bridge exited ({self.proc.returncode}) before logging {text!r}:\n{self.log()[-3000:]}")
            time.sleep(0.1)
        raise AssertionError(f"bridge did not log {text!r} within {timeout} s:\n{self.log()[-3000:]}")

    def connect(self):
        deadline = time.monotonic() + 30
        while not os.path.exists(self.socket_path):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise AssertionError(f"no socket from the bridge:\n{self.log()[-3000:]}")
            time.sleep(0.05)
        return Subscriber(self.socket_path)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log_file.close()


class Subscriber:
    """JSON-RPC over the bridge's Unix socket (one JSON a line)."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
        self.messages = queue.Queue()
        # Notifications read while waiting for an answer, still to be taken in order.
        self.backlog = collections.deque()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        buffer = b""
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                self.messages.put(None)
                return
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                if line.strip():
                    self.messages.put(json.loads(line))

    def call(self, method, params=None, timeout=60):
        self.next_id += 1
        request = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            request["params"] = params
        self.sock.sendall(json.dumps(request).encode() + b"\n")
        deadline = time.monotonic() + timeout
        while True:
            message = self._take(max(0.1, deadline - time.monotonic()))
            if message.get("id") == self.next_id:
                return message
            self.backlog.append(message)

    def result(self, method, params=None):
        answer = self.call(method, params)
        assert "result" in answer, answer
        return answer["result"]

    def next(self, timeout=30):
        if self.backlog:
            return self.backlog.popleft()
        return self._take(timeout)

    def _take(self, timeout):
        try:
            message = self.messages.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"nothing from the bridge within {timeout} s") from None
        if message is None:
            raise AssertionError("the bridge closed the connection")
        return message

    def notifications(self, until, timeout=30):
        """sync.changes items and sync.reset notifications until `until(items, resets)` holds."""
        items, resets = [], []
        deadline = time.monotonic() + timeout
        while not until(items, resets):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out; got items {[(i['data'].get('event'), i['data_key']) for i in items]} "
                                     f"and resets {resets}")
            message = self.next(remaining)
            if message.get("method") == "sync.changes":
                items.extend(message["params"]["items"])
            elif message.get("method") == "sync.reset":
                resets.append(message["params"])
        return items, resets

    def close(self):
        self.sock.close()
