"""`unicat-bridge check-config` judges a configuration as `run` does: it refuses every bad
configuration the rest of the suite makes `run` refuse, with the same exit status and the
same message, checking each transport's section through its plugin; and it reports every
problem of a configuration in one pass, with file:line and suggestions for mistyped keys."""
import json
import os
import subprocess

import pytest

from bridgetest import Bridge, products_dir
from websockettest import private_file

STATIC_TOKEN = "static-token-0123456789abcdef"


def websocket(**settings):
    return {"transports": {"websocket": {"listen": ["127.0.0.1:0"], **settings}}}


def unix(directory, **settings):
    return {"transports": {"unix": {"path": os.path.join(directory, "bridge.sock"), **settings}}}


def world_readable_tokens(directory):
    path = private_file(directory, "tokens", STATIC_TOKEN + "\n")
    os.chmod(path, 0o644)
    return websocket(tokens_file=path)


def not_a_directory(directory):
    path = os.path.join(directory, "a-file")
    with open(path, "w"):
        pass
    return path


def open_directory(directory):
    opened = os.path.join(directory, "open")
    os.makedirs(opened)
    os.chmod(opened, 0o777)
    return {"transports": {"unix": {"path": os.path.join(opened, "bridge.sock")}}}


# Each: (name, configuration for a scratch directory, what both commands say, run's status).
# The bad configurations of test_websocket_config.py, test_websocket_tls.py,
# test_websocket_access.py, test_call_policy.py, test_plugins.py and test_unix_socket.py,
# and the typos issue 15 found check-config accepting.
REFUSED = [
    ("listen-host", lambda d: websocket(listen=["example.com:80"]), 'listen address "example.com:80" must be HOST:PORT', 4),
    ("listen-port", lambda d: websocket(listen=["127.0.0.1:70000"]), 'listen address "127.0.0.1:70000" must be HOST:PORT', 4),
    ("listen-empty", lambda d: websocket(listen=[]), "must name at least one HOST:PORT", 4),
    ("idle-timeout", lambda d: websocket(ping_interval_seconds=30, idle_timeout_seconds=10),
     "must be longer than ping_interval_seconds", 4),
    ("unknown-key", lambda d: websocket(colour="blue"), 'unknown configuration key "colour"', 4),
    ("tls-half", lambda d: websocket(tls={"cert_file": "/nonexistent.pem"}), "tls needs both cert_file and key_file", 4),
    ("tls-unreadable", lambda d: websocket(tls={"cert_file": d + "/missing.pem", "key_file": d + "/missing.pem"}),
     "cannot read the TLS file", 4),
    ("tokens-world-readable", world_readable_tokens, "readable by every user", 4),
    ("allowlist-not-canonical", lambda d: unix(d, call_allowlist=["records/./get"]),
     'call_allowlist: "records/./get" is not a Unicat endpoint in canonical form', 4),
    ("wrong-major", lambda d: {"transports": {"broken": {"library": "libWrongMajorPlugin.so"}}}, "built for plugin ABI 99.", 4),
    ("short-descriptor", lambda d: {"transports": {"broken": {"library": "libShortStructPlugin.so"}}}, "declares a descriptor of", 4),
    ("missing-plugin", lambda d: {"transports": {"broken": {"library": "libNoSuchPlugin.so"}}}, "libNoSuchPlugin.so does not exist", 4),
    # A plugin without validate() (the C fixture, as an ABI 1.0/1.1 plugin would be): create, then destroy.
    ("c-plugin-unknown-key", lambda d: {"transports": {"echo": {"library": "libCEchoPlugin.so", "path": d + "/echo.sock", "port": 1}}},
     'transports.echo: refused its configuration: unknown configuration key "port"', 4),
    ("socket-directory-open", open_directory, "is writable by other users and has no sticky bit", 4),
    ("transport-name-typo", lambda d: {"transports": {"websockets": {"listen": ["127.0.0.1:0"]}}},
     'transports.websockets: unknown transport (did you mean "websocket"?)', 4),
    ("unix-key-typo", lambda d: unix(d, mdoe="0600"), 'transports.unix.mdoe: unknown configuration key "mdoe" (did you mean "mode"?)', 4),
    ("state-directory", lambda d: {"state_directory": not_a_directory(d) + "/state"}, "state_directory: ", 4),
    ("log-level", lambda d: {"log_level": "verbose"}, 'log_level: must be one of', 2),
    ("top-level-typo", lambda d: {"jurnal_size": 1000}, 'jurnal_size: unknown key (did you mean "journal_size"?)', 2),
]


def environment(simulator, directory, state_in_file=False):
    """The suite's bridge environment; without the state directory when the file sets one."""
    variables = dict(os.environ, UNICAT_URL=simulator.url, UNICAT_PROJECT=simulator.project, UNICAT_API_KEY=simulator.api_key,
                     UNICAT_BRIDGE_STATE_DIR=os.path.join(directory, "state"))
    if state_in_file:
        del variables["UNICAT_BRIDGE_STATE_DIR"]
    return variables


def bridge_command(simulator, directory, *args, state_in_file=False):
    """`unicat-bridge ARGS` in the environment a bridge of this suite gets (but its log level)."""
    binary = os.path.join(products_dir(), "unicat-bridge")
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
                          env=environment(simulator, directory, state_in_file))


def check_config(simulator, directory, config_path, state_in_file=False):
    return bridge_command(simulator, directory, "check-config", "--config", config_path, state_in_file=state_in_file)


def run_status(simulator, directory, config_path, state_in_file=False):
    """`run`'s exit status and log with the configuration; it must stop by itself."""
    run = bridge_command(simulator, directory, "run", "--config", config_path, state_in_file=state_in_file)
    return run.returncode, run.stderr


@pytest.mark.parametrize("name, make, message, status", REFUSED, ids=[case[0] for case in REFUSED])
def test_check_config_refuses_what_run_refuses(simulator, tmp_path, name, make, message, status):
    directory = str(tmp_path)
    config = make(directory)
    path = os.path.join(directory, "config.yaml")
    with open(path, "w") as handle:
        json.dump(config, handle)  # JSON is YAML
    state_in_file = "state_directory" in config
    checked = check_config(simulator, directory, path, state_in_file)
    run, log = run_status(simulator, directory, path, state_in_file)
    assert (checked.returncode, run) == (status, status), (checked.stderr, log[-2000:])
    assert message in checked.stderr and message in log, (checked.stderr, log[-2000:])
    assert "unicat-bridge: error: " in checked.stderr
    assert "configuration OK" not in checked.stdout


def test_check_config_accepts_what_run_starts(simulator, tmp_path):
    directory = str(tmp_path)
    config = {"transports": {**websocket()["transports"], **unix(directory)["transports"], "stdio": {}}}
    path = os.path.join(directory, "config.yaml")
    with open(path, "w") as handle:
        json.dump(config, handle)
    checked = check_config(simulator, directory, path)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.rstrip().endswith("configuration OK")
    assert "transports:          stdio, unix, websocket" in checked.stdout
    assert not os.path.exists(os.path.join(directory, "bridge.sock")), "check-config must not bind the socket"
    bridge = Bridge(simulator, os.path.join(directory, "state"), config=config, stdio=True)
    try:
        bridge.wait_for_log("transport websocket started")
        bridge.wait_for_log("transport unix started")
    finally:
        assert bridge.stop() == 0


def test_every_problem_in_one_pass_with_lines_and_suggestions(simulator, tmp_path):
    directory = str(tmp_path)
    path = os.path.join(directory, "config.yaml")
    with open(path, "w") as handle:
        handle.write(f"""upstream:
  timeout_secnds: 5
log_level: verbose
journal_size: 5
transports:
  websocket:
    listen: ["127.0.0.1:0"]
    max_conections: 10
    ping_interval_seconds: 30
    idle_timeout_seconds: 10
  unix:
    path: {directory}/bridge.sock
    mdoe: "0600"
  websockets: {{}}
""")
    checked = check_config(simulator, directory, path)
    assert checked.returncode == 2, checked.stderr
    lines = checked.stderr.splitlines()
    expected = [
        f'{path}:2: upstream.timeout_secnds: unknown key (did you mean "timeout_seconds"?)',
        f'{path}:3: log_level: must be one of trace, debug, info, notice, warning, error, critical, got "verbose"',
        f'{path}:4: journal_size: must be between 100 and 10000000, got 5',
        f'{path}:8: transports.websocket.max_conections: unknown configuration key "max_conections" (did you mean "max_connections"?)',
        f'{path}:10: transports.websocket.idle_timeout_seconds: idle_timeout_seconds (10) must be longer than ping_interval_seconds (30)',
        f'{path}:13: transports.unix.mdoe: unknown configuration key "mdoe" (did you mean "mode"?)',
        f'{path}:14: transports.websockets: unknown transport (did you mean "websocket"?)',
    ]
    for text in expected:
        assert any(line.startswith("unicat-bridge: error: " + text) for line in lines), (text, checked.stderr)
    assert len(lines) == len(expected), checked.stderr
    # run stops on the same problems, all at once, before anything starts.
    status, log = run_status(simulator, directory, path)
    assert status == 2
    assert all(text in log for text in expected), log[-3000:]
