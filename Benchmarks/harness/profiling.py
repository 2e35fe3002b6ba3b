"""`perf record` on the bridge during a scenario (software cpu-clock: this VM has no
hardware counters), summarised with `perf report`. Optional: --profile."""
import os
import shutil
import signal
import subprocess


class Profiler:
    def __init__(self, workdir, output_dir):
        self.workdir, self.output_dir = workdir, output_dir
        self.proc = None
        self.reports = {}

    @staticmethod
    def available():
        if not shutil.which("perf"):
            return False
        probe = subprocess.run(["perf", "stat", "-e", "cpu-clock", "true"], capture_output=True)
        return probe.returncode == 0

    def attach(self, pid, name):
        self.name = name
        self.data = os.path.join(self.workdir, f"perf-{name}.data")
        self.proc = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "499", "-g", "-p", str(pid),
                                      "-o", self.data], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def detach(self):
        if not self.proc:
            return
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(60)
        self.proc = None
        report = subprocess.run(["perf", "report", "-i", self.data, "--stdio", "--no-children", "--sort",
                                 "dso,symbol", "--percent-limit", "0.7", "-g", "none"],
                                capture_output=True, text=True)
        lines = [" ".join(line.split()) for line in report.stdout.splitlines() if line.strip() and not line.startswith("#")]
        path = os.path.join(self.output_dir, f"profile-{self.name}.txt")
        with open(path, "w") as handle:
            handle.write("\n".join(lines[:40]) + "\n")
        self.reports[self.name] = {"file": os.path.basename(path),
                                   "top": lines[:12]}
