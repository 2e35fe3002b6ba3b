"""The bridge under valgrind's callgrind, measured in windows: instrumentation is switched on
for the work alone (`callgrind_control -i on|off`), each window dumped on its own (`-d`), and
a window's figure is its dump's total instruction count (Ir). Instruction counts do not move
with the load of a shared machine as times do."""
import glob
import os
import re
import shutil
import subprocess
import time

from . import paths

TOOLS = ("valgrind", "callgrind_control", "objcopy", "cc")
SHIM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "callgrind_sigsuspend.c")
# The transports the bridge loads: copied beside the stripped binary, where it looks for them.
PLUGINS = ("WebSocketTransport", "UnixSocketTransport", "StdioTransport")


def missing_tools():
    return [tool for tool in TOOLS if not shutil.which(tool)]


def valgrind_version():
    return subprocess.run(["valgrind", "--version"], capture_output=True, text=True).stdout.strip()


def prepared_products(products, workdir):
    """Copies of the bridge and its plugins without debug info: valgrind 3.19 cannot read the
    DWARF 5 of Swift 6 builds and gives up. The symbol tables stay (callgrind_annotate names
    functions)."""
    directory = os.path.join(workdir, "bin")
    os.makedirs(directory, exist_ok=True)
    names = [os.path.basename(products.bridge)] + [f"lib{name}.so" for name in PLUGINS if products.has_plugin(name)]
    for name in names:
        subprocess.run(["objcopy", "--strip-debug", os.path.join(products.directory, name),
                        os.path.join(directory, name)], check=True)
    copy = paths.Products(directory)
    copy.loadgen = products.loadgen  # the load generator runs natively
    return copy


def compiled_shim(workdir):
    path = os.path.join(workdir, "callgrind_sigsuspend.so")
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", path, SHIM], check=True)
    return path


class Callgrind:
    """The command prefix for one bridge, and its measured windows."""

    def __init__(self, workdir):
        self.out = os.path.join(workdir, "callgrind.out")
        shim = compiled_shim(workdir)
        # `env` execs valgrind, which runs the bridge in the same process: the pid is the bridge's.
        # Instrumentation starts off, so start-up and everything between windows run uninstrumented.
        self.prefix = ["env", f"LD_PRELOAD={shim}", "valgrind", "--tool=callgrind", "--instr-atstart=no",
                       f"--callgrind-out-file={self.out}"]
        self.pid = None
        self.dumps = 0

    def control(self, *args):
        done = subprocess.run(["callgrind_control", *args, str(self.pid)], capture_output=True, text=True, timeout=120)
        if done.returncode != 0 or "OK." not in done.stdout:
            raise RuntimeError(f"callgrind_control {' '.join(args)}: {(done.stdout + done.stderr).strip()[-300:]}")

    def window(self, work):
        """Runs `work()` with instrumentation on; returns (its result, instructions, seconds of
        the window from switching on to switching off)."""
        self.control("-i", "on")
        started = time.monotonic()
        result = work()
        self.control("-i", "off")
        seconds = time.monotonic() - started
        self.control("-d")  # after switching off: nothing after the work lands in this dump
        self.dumps += 1
        return result, self.totals(self.dumps), seconds

    def idle(self, seconds):
        """A window of `seconds` with no work: what the bridge does by itself (timers, the
        upstream's heartbeats), subtracted from the work windows of the same length."""
        _, instructions, _ = self.window(lambda: time.sleep(seconds))
        return instructions

    def totals(self, number, timeout=60):
        """The Ir total of dump `number` (callgrind writes OUT.<n>). The `totals:` line: the
        `summary:` line of a dump after instrumentation was switched off and on is wrong
        (it underflows) in valgrind 3.19."""
        path = f"{self.out}.{number}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.path.exists(path):
                with open(path) as handle:
                    text = handle.read()
                events = re.search(r"^events:\s*(.+)$", text, re.M)
                totals = re.search(r"^totals:\s*(.+)$", text, re.M)
                if events and totals:
                    return int(totals.group(1).split()[events.group(1).split().index("Ir")])
            time.sleep(0.1)
        raise RuntimeError(f"no callgrind dump {path} within {timeout} s (have {sorted(glob.glob(self.out + '*'))})")
