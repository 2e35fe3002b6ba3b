import os
import shutil
import tempfile

import pytest

from bridgetest import Bridge, Client, Simulator, StdioConnection

# Every transport the conformance cases run over. Later transports add themselves here.
TRANSPORTS = ["stdio-ndjson", "stdio-lsp"]
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
    config = {"transports": {"stdio": {"max_message_bytes": MAX_MESSAGE_BYTES}}}
    for name, section in (extra_config or {}).items():
        if name == "transports":
            for transport_name, settings in section.items():
                config["transports"].setdefault(transport_name, {}).update(settings)
        else:
            config[name] = section
    bridge = Bridge(simulator, state_dir, config=config, env=env)
    framing = "lsp" if transport == "stdio-lsp" else "ndjson"
    return bridge, Client(StdioConnection(bridge, framing))


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
