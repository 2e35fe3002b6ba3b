"""What the kernel says about a process and about socket memory (/proc)."""
import os
import threading
import time

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def cpu_seconds(pid):
    """User + system CPU of a process (from /proc/<pid>/stat), 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def rss_bytes(pid):
    """VmRSS of a process (from /proc/<pid>/status), 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def socket_memory():
    """Kernel TCP memory in bytes and sockets in use (/proc/net/sockstat), all processes."""
    with open("/proc/net/sockstat") as handle:
        for line in handle:
            if line.startswith("TCP:"):
                values = line.split()[1:]
                fields = dict(zip(values[::2], (int(v) for v in values[1::2])))
                return {"tcp_bytes": fields.get("mem", 0) * PAGE_SIZE, "tcp_inuse": fields.get("inuse", 0)}
    return {"tcp_bytes": 0, "tcp_inuse": 0}


class CPUMeter:
    """CPU share of one core used by a process between two readings."""

    def __init__(self, pid):
        self.pid = pid
        self.reset()

    def reset(self):
        self.cpu, self.wall = cpu_seconds(self.pid), time.monotonic()

    def fraction(self):
        return (cpu_seconds(self.pid) - self.cpu) / max(time.monotonic() - self.wall, 1e-6)


class RSSSampler:
    """Samples a process's RSS every `interval` seconds on a thread, as (seconds, bytes)."""

    def __init__(self, pid, interval=0.5):
        self.pid, self.interval = pid, interval
        self.samples = []
        self._stop = threading.Event()
        self._start = time.monotonic()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            self.samples.append((round(time.monotonic() - self._start, 2), rss_bytes(self.pid)))
            self._stop.wait(self.interval)

    def stop(self):
        self._stop.set()
        self._thread.join()
        return self.samples
