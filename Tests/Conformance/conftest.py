import os
import shutil
import tempfile

import pytest

from bridgetest import Bridge, Client, Simulator, StdioConnection, UnixLineConnection
import websockettest

# Every transport the conformance cases run over. Later transports add themselves here.
TRANSPORTS = ["stdio-ndjson", "stdio-lsp", "unix", *websockettest.WEBSOCKET_TRANSPORTS]
MAX_MESSAGE_BYTES = 1 << 20


@pytest.fixture(scope="module")
def simulator():
    sim = Simulator()
    yield sim
    sim.stop()


@pytest.fixture
def state_dir():
    directory = tempfile.mkdtemp(prefix="conformance-")
    yield os.path.join(directory, "state")
    shutil.rmtree(directory, ignore_errors=True)


def start_bridge(simulator, state_dir, transport, extra_config=None, env=None):
    """A bridge serving `transport`, and a connected client."""
    unix_path = os.path.join(os.path.dirname(state_dir), "bridge.sock")
    if transport == "unix":
        config = {"transports": {"unix": {"path": unix_path, "max_message_bytes": MAX_MESSAGE_BYTES}}}
    elif transport in websockettest.WEBSOCKET_TRANSPORTS:
        config = {"transports": {"websocket": websockettest.websocket_section(transport, max_message_bytes=MAX_MESSAGE_BYTES)}}
    else:
        config = {"transports": {"stdio": {"max_message_bytes": MAX_MESSAGE_BYTES}}}
    for name, section in (extra_config or {}).items():
        if name == "transports":
            for transport_name, settings in section.items():
                config["transports"].setdefault(transport_name, {}).update(settings)
        else:
            config[name] = section
    bridge = Bridge(simulator, state_dir, config=config, env=env, stdio="stdio" in config["transports"])
    try:
        return bridge, Client(connect_client(bridge, transport, unix_path))
    except BaseException:
        bridge.stop()  # a client that cannot connect must not leave the bridge running
        raise


def connect_client(bridge, transport, unix_path):
    """The connection a conformance client of `transport` uses."""
    if transport == "unix":
        return UnixLineConnection(unix_path)
    if transport in websockettest.WEBSOCKET_TRANSPORTS:
        return websockettest.connect(bridge, transport)
    return StdioConnection(bridge, "lsp" if transport == "stdio-lsp" else "ndjson")


@pytest.fixture(params=TRANSPORTS)
def transport(request):
    return request.param


@pytest.fixture
def bridge_client(simulator, state_dir, transport):
    bridge, client = start_bridge(simulator, state_dir, transport)
    yield bridge, client
    client.connection.close()
    bridge.stop()


@pytest.fixture
def client(bridge_client):
    return bridge_client[1]
