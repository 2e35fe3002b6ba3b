"""Where things are: the repository, the simulator, the built products, the outputs."""
import os

BENCHMARKS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(BENCHMARKS)
SIMULATOR = os.path.join(REPO, "Tests", "UnicatSimulator", "unicat-sim")
RELAY = os.path.join(BENCHMARKS, "reference_relay.py")
RESULTS = os.path.join(REPO, "docs", "benchmarks")


class Products:
    """The release binaries and plugins of one scratch path."""

    def __init__(self, directory):
        self.directory = directory
        self.bridge = os.path.join(directory, "unicat-bridge")
        self.loadgen = os.path.join(directory, "bridge-loadgen")

    def has_plugin(self, name):
        return os.path.exists(os.path.join(self.directory, f"lib{name}.so"))
