"""What every scenario gets: the built products, a work directory, the mode, and a way to
say what it is doing."""
import os
import sys
import tempfile
import time


class Context:
    def __init__(self, products, mode, python, keep_workdir=False):
        self.products = products
        self.mode = mode
        self.python = python
        self.workdir = tempfile.mkdtemp(prefix="unicat-bench-")
        self.keep_workdir = keep_workdir
        self.started = time.monotonic()
        self.profile = None

    def scenario_dir(self, name):
        path = os.path.join(self.workdir, name)
        os.makedirs(path, exist_ok=True)
        return path

    def say(self, text):
        print(f"[{time.monotonic() - self.started:6.1f}s] {text}", file=sys.stderr, flush=True)
