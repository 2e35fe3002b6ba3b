"""Starting the WebSocket transport: `run --websocket HOST:PORT`, and configuration
mistakes stopping the start with a message that names them."""
import re
import socket

import pytest

from bridgetest import Bridge, Client, WebSocketConnection
from websockettest import listening_url


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_websocket_flag_serves_without_a_config_section(simulator, tmp_path):
    port = free_port()
    bridge = Bridge(simulator, str(tmp_path / "state"), args=["--websocket", f"127.0.0.1:{port}"], stdio=False)
    try:
        assert listening_url(bridge) == f"ws://127.0.0.1:{port}"
        client = Client(WebSocketConnection(f"ws://127.0.0.1:{port}/"))
        assert client.result("initialize")["server"]["name"] == "unicat-bridge"
        client.connection.close()
    finally:
        bridge.stop()


def refused_start(simulator, tmp_path, section=None, args=()):
    config = {"transports": {"websocket": section}} if section is not None else None
    bridge = Bridge(simulator, str(tmp_path / "state"), config=config, args=args, stdio=False)
    status = bridge.proc.wait(60)
    bridge.stop()
    return status, bridge.log


@pytest.mark.parametrize("section, message", [
    ({"listen": ["example.com:80"]}, 'listen address "example.com:80" must be HOST:PORT'),
    ({"listen": ["127.0.0.1:70000"]}, 'listen address "127.0.0.1:70000" must be HOST:PORT'),
    ({"listen": []}, "must name at least one HOST:PORT"),
    ({"listen": ["127.0.0.1:0"], "ping_interval_seconds": 30, "idle_timeout_seconds": 10}, "must be longer than ping_interval_seconds"),
    ({"listen": ["127.0.0.1:0"], "colour": "blue"}, 'unknown configuration key "colour"'),
    ({"listen": ["127.0.0.1:0"], "tls": {"cert_file": "/nonexistent.pem"}}, "tls needs both cert_file and key_file"),
])
def test_configuration_mistakes_are_named(simulator, tmp_path, section, message):
    status, log = refused_start(simulator, tmp_path, section)
    assert status == 4
    assert message in log


def test_an_address_in_use_is_a_clear_start_up_error(simulator, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status, log = refused_start(simulator, tmp_path, {"listen": [f"127.0.0.1:{port}"]})
    assert status == 4
    assert re.search(rf"cannot listen on 127\.0\.0\.1:{port}", log)


def test_several_listen_addresses(simulator, tmp_path):
    bridge = Bridge(simulator, str(tmp_path / "state"), stdio=False,
                    config={"transports": {"websocket": {"listen": ["127.0.0.1:0", "[::1]:0"]}}})
    try:
        bridge.wait_for_log("listening on [::1]:")
        ports = dict(re.findall(r"listening on (\S+):(\d+) ", bridge.log))
        for host in ["127.0.0.1", "[::1]"]:
            client = Client(WebSocketConnection(f"ws://{host}:{ports[host]}/"))
            assert client.result("initialize")
            client.connection.close()
    finally:
        bridge.stop()
