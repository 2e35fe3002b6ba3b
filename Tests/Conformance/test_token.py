"""`unicat-bridge token`: tokens minted with the configured hmac_secret_file open a real
WebSocket on a real bridge; `token verify` says whether one is valid and why not; neither
ever prints the secret, and `verify` never prints the token."""
import json
import os
import re
import subprocess
import time

import pytest

from bridgetest import Client, products_dir
from test_websocket_access import handshake_status
from unixtest import cli
from websockettest import WebSocketConnection, listening_url, mint_token, private_file, start_websocket_bridge

SECRET = "an HMAC secret of at least thirty-two bytes, for the token command"


@pytest.fixture(scope="module")
def secured(simulator, tmp_path_factory):
    """A bridge requiring HMAC tokens, and its configuration file."""
    directory = str(tmp_path_factory.mktemp("token"))
    secret = private_file(directory, "hmac-secret", SECRET + "\n")
    section = {"listen": ["127.0.0.1:0"], "hmac_secret_file": secret}
    config = os.path.join(directory, "config.yaml")
    with open(config, "w") as handle:
        json.dump({"transports": {"websocket": section}}, handle)
    bridge = start_websocket_bridge(simulator, os.path.join(directory, "state"), config={"transports": {"websocket": section}})
    yield bridge, config, secret
    bridge.stop()


def never_shows_the_secret(*results):
    for result in results:
        assert SECRET not in result.stdout and SECRET not in result.stderr


def test_a_minted_token_opens_the_websocket(secured):
    bridge, config, _ = secured
    minted = cli("token", "--config", config, "--subject", "ops-cli", "--ttl", "2m")
    assert minted.returncode == 0, minted.stderr
    token = minted.stdout.strip()
    assert minted.stdout == token + "\n", "stdout carries the token alone"
    assert re.fullmatch(r"v1\.\d+\.ops-cli\.[0-9a-f]{64}", token)
    expiry = int(token.split(".")[1])
    assert abs(expiry - (time.time() + 120)) < 10
    assert "token for ops-cli, valid until" in minted.stderr
    never_shows_the_secret(minted)
    client = Client(WebSocketConnection(f"{listening_url(bridge)}/?token={token}"))
    try:
        assert client.result("initialize")["server"]["name"] == "unicat-bridge"
    finally:
        client.connection.close()
    bridge.wait_for_log('"subject":"ops-cli"')
    assert token not in bridge.log


def test_mint_refuses_what_a_token_cannot_carry(secured):
    _, config, _ = secured
    for args in (["--subject", "two words"], ["--subject", "x", "--ttl", "0"], ["--subject", "x", "--ttl", "soon"]):
        result = cli("token", "--config", config, *args)
        assert result.returncode == 64, (args, result.stderr)
        assert result.stderr.startswith("unicat-bridge: error: "), result.stderr
        assert result.stdout == ""


def test_verify_says_valid_or_why_not(secured):
    bridge, config, _ = secured
    good = mint_token(SECRET.encode(), "dashboard-1", lifetime_seconds=600)
    valid = cli("token", "verify", "--config", config, good)
    assert valid.returncode == 0, valid.stderr
    assert valid.stdout.startswith("valid: subject dashboard-1, expires ")
    expired = mint_token(SECRET.encode(), "late", lifetime_seconds=-30)
    forged = mint_token(b"some other secret that is long enough to use", "mallory")
    cases = [
        (expired, "invalid token: expired "),
        (forged, "invalid token: its signature does not match this secret"),
        (good.replace("dashboard-1", "dashboard-2"), "invalid token: its signature does not match this secret"),
        ("not-a-token", "invalid token: not of the form v1.<expiry>.<subject>.<mac>"),
    ]
    for token, reason in cases:
        result = cli("token", "verify", "--config", config, token)
        assert result.returncode == 1, (token, result.stderr)
        assert result.stderr.startswith("unicat-bridge: error: " + reason), result.stderr
        assert token not in result.stdout + result.stderr
        never_shows_the_secret(result)
        # The bridge agrees.
        assert handshake_status(f"{listening_url(bridge)}/?token={token}") == 401
    assert good not in valid.stdout + valid.stderr


def test_verify_reads_the_token_from_stdin(secured, tmp_path):
    _, config, secret = secured
    token = mint_token(SECRET.encode(), "piped", lifetime_seconds=60)
    result = subprocess.run([os.path.join(products_dir(), "unicat-bridge"), "token", "verify", "--secret-file", secret],
                            input=token + "\n", capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("valid: subject piped")


def test_a_secret_others_can_read_or_no_secret_is_a_configuration_error(secured, tmp_path):
    _, config, _ = secured
    readable = private_file(str(tmp_path), "secret", SECRET)
    os.chmod(readable, 0o644)
    result = cli("token", "--secret-file", readable, "--subject", "x")
    assert result.returncode == 2
    assert "readable by every user" in result.stderr and result.stdout == ""
    without = tmp_path / "plain.yaml"
    without.write_text(json.dumps({"transports": {"websocket": {"listen": ["127.0.0.1:0"]}}}))
    result = cli("token", "--config", str(without), "--subject", "x")
    assert result.returncode == 2
    assert "transports.websocket.hmac_secret_file: is not set in" in result.stderr
    never_shows_the_secret(result)
