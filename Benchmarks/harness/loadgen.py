"""The Swift load generator (bridge-loadgen) as the driver sees it: a child process taking
commands on stdin and writing JSON events on stdout."""
import json
import os
import queue
import subprocess
import threading

from .limits import raise_file_limit


class LoadGenError(RuntimeError):
    pass


class WebSocketLoad:
    """`bridge-loadgen ws URL --commands …`."""

    def __init__(self, products, url, workdir, name, connections, *options, control=None, threads=1):
        command = [products.loadgen, "ws", url, "--commands", "--connections", str(connections),
                   "--threads", str(threads), *options]
        if control:
            command += ["--control", control]
        self.name = name
        self.log_path = os.path.join(workdir, f"loadgen-{name}.log")
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
                                     text=True, bufsize=1, preexec_fn=raise_file_limit)
        self.events = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                self.events.put(json.loads(line))
            except ValueError:
                continue
        self.events.put(None)

    def expect(self, kind, timeout):
        try:
            while True:
                event = self.events.get(timeout=timeout)
                if event is None:
                    raise LoadGenError(f"{self.name}: the generator exited ({self.proc.wait()}); see {self.log_path}")
                if event.get("event") == kind:
                    return event
        except queue.Empty:
            raise LoadGenError(f"{self.name}: no {kind} event within {timeout} s; see {self.log_path}") from None

    def command(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def connected(self, timeout):
        return self.expect("connected", timeout)

    def report(self, label, timeout=120):
        self.command(f"report {label}")
        return self.expect("report", timeout)

    def wait_cursor(self, cursor, timeout):
        self.command(f"wait {cursor} {timeout}")
        return self.expect("reached", timeout + 30)

    def drop(self):
        self.command("drop")
        return self.expect("dropped", 90)

    def resume(self, timeout):
        self.command("resume")
        return self.expect("connected", timeout)

    def stop(self, timeout=180):
        """The generator's summary (after a final report)."""
        try:
            self.command("stop")
        except (BrokenPipeError, OSError):
            pass
        try:
            return self.expect("summary", timeout)
        finally:
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.log.close()


def run_lines(products, workdir, name, *options, pass_fds=(), timeout=300):
    """`bridge-loadgen lines …` to completion: its summary."""
    with open(os.path.join(workdir, f"loadgen-{name}.log"), "a") as log:
        done = subprocess.run([products.loadgen, "lines", *options], stdout=subprocess.PIPE, stderr=log, text=True,
                              pass_fds=pass_fds, timeout=timeout)
    if done.returncode != 0:
        raise LoadGenError(f"{name}: bridge-loadgen lines exited {done.returncode}; see {log.name}")
    return json.loads(done.stdout.strip().splitlines()[-1])
