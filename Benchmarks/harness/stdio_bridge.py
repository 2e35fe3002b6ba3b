"""The bridge spawned with --stdio (as an editor does), timed from process start."""
import json
import os
import subprocess
import threading
import time

from .limits import raise_file_limit


class StdioBridge:
    def __init__(self, products, simulator, state_dir, log_path):
        env = dict(os.environ, UNICAT_URL=simulator.url, UNICAT_PROJECT=simulator.project,
                   UNICAT_API_KEY=simulator.api_key, UNICAT_BRIDGE_STATE_DIR=state_dir,
                   UNICAT_BRIDGE_LOG_LEVEL="warning")
        self.log = open(log_path, "a")
        self.started = time.monotonic()
        self.proc = subprocess.Popen([products.bridge, "run", "--stdio"], env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.log, preexec_fn=raise_file_limit)
        self.answers = {}
        self.ready = threading.Condition()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            with self.ready:
                if "id" in message:
                    self.answers[message["id"]] = message
                    self.ready.notify_all()

    def status(self, timeout=10):
        self.next_id += 1
        number = self.next_id
        self.proc.stdin.write(json.dumps({"jsonrpc": "2.0", "id": number, "method": "bridge.status"}).encode() + b"\n")
        self.proc.stdin.flush()
        with self.ready:
            if not self.ready.wait_for(lambda: number in self.answers, timeout):
                raise TimeoutError("bridge.status unanswered")
            return self.answers.pop(number).get("result") or {}

    def time_until(self, predicate, timeout=60, interval=0.005):
        """Seconds from process start until bridge.status satisfies `predicate`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the bridge exited with status {self.proc.returncode}; see {self.log.name}")
            try:
                status = self.status()
            except (TimeoutError, BrokenPipeError):
                status = {}
            if predicate(status):
                return time.monotonic() - self.started
            time.sleep(interval)
        return None

    def stop(self):
        try:
            self.proc.stdin.close()  # stdin EOF stops the bridge cleanly
            self.proc.wait(30)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        self.log.close()
