"""Helpers of the Unix-socket tests: a bridge serving only a Unix socket, the command-line
client, and a second user (`nobody`) to be refused."""
import json
import os
import shutil
import stat
import subprocess
import tempfile

from bridgetest import Bridge, Client, UnixLineConnection, products_dir

NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


def socket_path(state_dir):
    return os.path.join(os.path.dirname(state_dir), "run", "bridge.sock")


def unix_bridge(simulator, state_dir, path=None, **settings):
    """A bridge serving only `transports.unix` (at `path`, or beside `state_dir`)."""
    path = path or socket_path(state_dir)
    bridge = Bridge(simulator, state_dir, config={"transports": {"unix": {"path": path, **settings}}}, stdio=False)
    return bridge, path


def ready_client(path):
    """A client connected to `path`, once the bridge holds data."""
    client = Client(UnixLineConnection(path))
    client.ready_status()
    return client


def open_to_others(state_dir):
    """Lets other users reach a socket beside `state_dir` (temp dirs are 0700)."""
    parent = os.path.dirname(state_dir)
    os.chmod(parent, 0o755)
    os.makedirs(os.path.join(parent, "run"), mode=0o755, exist_ok=True)
    os.chmod(os.path.join(parent, "run"), 0o755)


def cli(*args, as_nobody=False, env=None, timeout=60):
    """`unicat-bridge ARGS`: the completed process (text)."""
    binary = os.path.join(products_dir(), "unicat-bridge")
    command = [*NOBODY, nobody_copy(binary)] if as_nobody else [binary]
    environment = dict(os.environ, **(env or {}))
    environment.pop("NO_COLOR", None)
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=timeout, env=environment)


_copies = {}


def nobody_copy(binary):
    """The binary copied where `nobody` can run it (the checkout may be private)."""
    if binary not in _copies:
        directory = tempfile.mkdtemp(prefix="unix-cli-")
        os.chmod(directory, 0o755)
        copy = os.path.join(directory, "unicat-bridge")
        shutil.copy(binary, copy)
        os.chmod(copy, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
        _copies[binary] = copy
    return _copies[binary]


def nobody_exchange(path, request=None):
    """Connects to `path` as `nobody` (with the system Python), sends `request` (a JSON
    value) if given, and returns the first line it gets and whether the connection then ended."""
    script = ("import json, socket, sys\n"
              "s = socket.socket(socket.AF_UNIX)\n"
              "s.connect(sys.argv[1])\n"
              "if sys.argv[2]: s.sendall(sys.argv[2].encode() + b'\\n')\n"
              "data = b''\n"
              "while b'\\n' not in data:\n"
              "    chunk = s.recv(65536)\n"
              "    if not chunk: break\n"
              "    data += chunk\n"
              "line, _, rest = data.partition(b'\\n')\n"
              "s.settimeout(0.5)\n"
              "try:\n"
              "    ended = not rest and s.recv(4096) == b''\n"
              "except (socket.timeout, ConnectionError):\n"
              "    ended = False\n"
              "print(json.dumps([line.decode(), ended]))\n")
    result = subprocess.run([*NOBODY, "/usr/bin/python3", "-c", script, path, json.dumps(request) if request else ""],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    line, ended = json.loads(result.stdout)
    return json.loads(line), ended
