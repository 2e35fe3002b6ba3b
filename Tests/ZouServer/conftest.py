import os
import shutil
import tempfile

import pytest

from bridgeprocess import Bridge
from production import Production
from zouserver import ZouServer

# Tokens Zou mints in this stage live seconds, not days: every bridge here renews its
# access token several times and logs in again when the refresh token lapses.
ACCESS_TOKEN_SECONDS = 4
REFRESH_TOKEN_SECONDS = 12


@pytest.fixture(scope="session")
def zou():
    server = ZouServer(access_token_seconds=ACCESS_TOKEN_SECONDS, refresh_token_seconds=REFRESH_TOKEN_SECONDS).start()
    yield server
    server.stop()


@pytest.fixture
def production(zou):
    return Production(zou)


@pytest.fixture
def directory():
    path = tempfile.mkdtemp(prefix="zou-bridge-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def bridge(zou, production, directory):
    process = Bridge(directory, zou, production.id)
    yield process
    process.stop()
    assert_no_secrets(process, zou)


def assert_no_secrets(bridge, zou):
    """Neither the password nor a JWT in the log (at trace level) or the state directory."""
    exposed = bridge.log().encode()
    for root, _, files in os.walk(os.path.join(bridge.dir, "state")):
        for name in files:
            with open(os.path.join(root, name), "rb") as handle:
                exposed += handle.read()
    assert zou.admin_password.encode() not in exposed
    assert b"eyJ" not in exposed, "a JWT (base64 of '{\"') reached the log or the state"
