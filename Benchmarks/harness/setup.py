"""Getting ready: the Debian reference server, a release build, the products."""
import os
import shutil
import subprocess
import sys

from . import paths
from .processes import MirrorServer


def say(text):
    print(text, file=sys.stderr, flush=True)


def ensure_mirror_server():
    """Debian's libwebsockets-test-server (the raw C reference), installed if missing."""
    if MirrorServer.available():
        return True
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        say("benchmarks: libwebsockets-test-server is missing and cannot be installed here: no raw C reference")
        return False
    say("benchmarks: installing libwebsockets-test-server (apt-get)")
    for _ in range(3):  # this image's apt clean-up hook sometimes fails a first install
        done = subprocess.run(["apt-get", "install", "-y", "-q", "libwebsockets-test-server"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode == 0:
            return True
        subprocess.run(["apt-get", "update", "-q"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    say(f"benchmarks: apt-get install libwebsockets-test-server failed: {done.stderr.strip()[-300:]}")
    return False


def build(scratch_path, skip):
    command = ["swift", "build", "-c", "release", "--scratch-path", scratch_path]
    built = os.path.join(scratch_path, "release")
    if skip and os.path.exists(os.path.join(built, "unicat-bridge")):
        # Used as it is: asking swift for the bin path would resolve this checkout's package in
        # a scratch path that may be another checkout's (and wait for its build lock).
        return paths.Products(os.path.realpath(built))
    if not skip:
        say(f"benchmarks: {' '.join(command)}")
        subprocess.run(command, cwd=paths.REPO, check=True)
    directory = subprocess.check_output(command + ["--show-bin-path"], cwd=paths.REPO, text=True).strip()
    return paths.Products(directory)
