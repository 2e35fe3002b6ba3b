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
    """Samples a process's RSS every `interval` seconds on a thread, as (seconds, bytes), and
    optionally another figure (`probe`) at the same moments, as (seconds, value)."""

    def __init__(self, pid, interval=0.5, probe=None):
        self.pid, self.interval, self.probe = pid, interval, probe
        self.probed = []
        self.samples = []
        self._stop = threading.Event()
        self._start = time.monotonic()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            moment = round(time.monotonic() - self._start, 2)
            self.samples.append((moment, rss_bytes(self.pid)))
            if self.probe:
                try:
                    self.probed.append((moment, self.probe()))
                except OSError:
                    pass
            self._stop.wait(self.interval)

    def stop(self):
        self._stop.set()
        self._thread.join()
        return self.samples


def thread_cpu_seconds(pid):
    """CPU seconds per thread of a process: {tid: (name, seconds)}."""
    threads = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return threads
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as handle:
                head, rest = handle.read().rsplit(")", 1)
            fields = rest.split()
            threads[tid] = (head.split("(", 1)[1], (int(fields[11]) + int(fields[12])) / CLOCK_TICKS)
        except (OSError, IndexError, ValueError):
            continue
    return threads


class BusiestThreadMeter:
    """The thread of a process that used the most CPU between two readings: a single thread
    near 100 % of a core is a bottleneck even while the process as a whole is not."""

    def __init__(self, pid):
        self.pid = pid
        self.before, self.wall = thread_cpu_seconds(pid), time.monotonic()

    def busiest(self):
        after, elapsed = thread_cpu_seconds(self.pid), max(time.monotonic() - self.wall, 1e-6)
        shares = [(after[tid][1] - self.before.get(tid, (None, 0.0))[1], after[tid][0]) for tid in after]
        if not shares:
            return None
        seconds, name = max(shares)
        return {"thread": name, "fraction": seconds / elapsed}
