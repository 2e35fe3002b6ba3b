"""Who may connect to the WebSocket transport: bearer tokens (static list and HMAC-signed),
the Origin allow-list and connection limits, each refused at the handshake with its HTTP
status and nothing more."""
import os
import stat

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from bridgetest import Bridge, Client, WebSocketConnection
from websockettest import (RawWebSocket, bound_port, http_get, listening_url, metrics_text, mint_token, private_file,
                           start_websocket_bridge, websocket_section)

STATIC_TOKEN = "static-token-0123456789abcdef"
SECRET = b"an HMAC secret of at least thirty-two bytes, for tests"
ORIGIN = "https://dashboard.example"


@pytest.fixture(scope="module")
def secured(simulator, tmp_path_factory):
    """A bridge with both token sources and an Origin allow-list."""
    directory = str(tmp_path_factory.mktemp("access"))
    tokens = private_file(directory, "tokens", f"# subscribers\n\n{STATIC_TOKEN}\nanother-token-0123456789\n")
    secret = private_file(directory, "hmac-secret", SECRET.decode() + "\n")
    bridge = start_websocket_bridge(simulator, os.path.join(directory, "state"), tokens_file=tokens,
                                    hmac_secret_file=secret, allowed_origins=[ORIGIN])
    yield bridge
    bridge.stop()


def handshake_status(url, **options):
    """The HTTP status a handshake gets (101 when it succeeds)."""
    try:
        with connect(url, open_timeout=10, **options):
            return 101
    except InvalidStatus as refused:
        return refused.response.status_code


def answers(url, **options):
    client = Client(WebSocketConnection(url, **options))
    try:
        return client.result("initialize")["server"]["name"] == "unicat-bridge"
    finally:
        client.connection.close()


def test_every_token_source_is_accepted(secured):
    base = listening_url(secured)
    assert answers(base + "/", additional_headers={"Authorization": f"Bearer {STATIC_TOKEN}"})
    assert answers(f"{base}/?token={STATIC_TOKEN}")
    # Browsers offer the token as a subprotocol after the bridge's own, which is the one chosen.
    with connect(base + "/", subprotocols=["unicat-bridge", f"bearer.{STATIC_TOKEN}"], open_timeout=10) as ws:
        assert ws.subprotocol == "unicat-bridge"
    assert answers(f"{base}/?token={mint_token(SECRET, 'dashboard-7')}")
    secured.wait_for_log('"subject":"dashboard-7"')
    assert STATIC_TOKEN not in secured.log and SECRET.decode() not in secured.log


def test_missing_and_bad_tokens_are_401_without_detail(secured):
    base = listening_url(secured)
    expired = mint_token(SECRET, "late", lifetime_seconds=-10)
    forged = mint_token(b"some other secret that is long enough to use", "mallory")
    tampered = mint_token(SECRET, "alice").replace("alice", "admin")
    for url in [base + "/", f"{base}/?token=wrong-token-0123456789", f"{base}/?token={expired}", f"{base}/?token={forged}",
                f"{base}/?token={tampered}", f"{base}/?token=v1.99999999999.x.{'0' * 64}", f"{base}/?token="]:
        assert handshake_status(url) == 401, url
    raw = RawWebSocket(bound_port(secured), "/?token=nope")
    head_and_body = raw.buffer.decode(errors="replace")
    raw.close()
    assert raw.status == 401
    assert "nope" not in head_and_body and "expired" not in head_and_body.lower()


def test_origin_allow_list(secured):
    base = listening_url(secured)
    header = {"Authorization": f"Bearer {STATIC_TOKEN}"}
    assert handshake_status(base + "/", origin="https://evil.example", additional_headers=header) == 403
    assert answers(base + "/", origin=ORIGIN, additional_headers=header)
    # The bridge's own dashboard page (same origin as the listener) is always allowed.
    assert answers(base + "/", origin=base.replace("ws://", "http://"), additional_headers=header)
    # Origin is checked before the token: a wrong Origin is 403 even without one.
    assert handshake_status(base + "/", origin="https://evil.example") == 403


def raw_handshake_status(port, headers, host=None):
    """The status of a handshake with exactly these extra headers; None when the bridge
    dropped it unanswered."""
    try:
        raw = RawWebSocket(port, headers=headers, host=host)
    except ConnectionError:
        return None
    raw.close()
    return raw.status


def test_origin_is_same_origin_only_with_the_listeners_own_address(secured):
    """DNS rebinding: evil.example resolves to the bridge, so the browser sends a Host header
    naming evil.example. The Host header is the client's word, not the bridge's address."""
    port = bound_port(secured)
    token = f"Authorization: Bearer {STATIC_TOKEN}"
    assert raw_handshake_status(port, [f"Origin: http://evil.example:{port}", token], host=f"evil.example:{port}") == 403
    assert raw_handshake_status(port, [f"Origin: http://evil.example:{port}", token]) == 403
    # The listener's own origins: its address, and localhost for a loopback listener.
    for origin in (f"http://127.0.0.1:{port}", f"http://localhost:{port}", f"HTTP://LOCALHOST:{port}/"):
        assert raw_handshake_status(port, [f"Origin: {origin}", token], host=f"evil.example:{port}") == 101, origin
    # A page of another port or scheme on the same machine is another origin.
    for origin in (f"http://127.0.0.1:{port + 1}", f"https://127.0.0.1:{port}", "http://127.0.0.1"):
        assert raw_handshake_status(port, [f"Origin: {origin}", token]) == 403, origin


def test_a_token_offered_as_a_subprotocol_never_reaches_the_log(secured):
    """A handshake offering only `bearer.<token>` (no `unicat-bridge`) is answered by the
    bridge; libwebsockets used to drop it and log the header, token and all."""
    port = bound_port(secured)
    valid, invalid = mint_token(SECRET, "subprotocol-only"), "not-a-valid-token-but-long-enough"
    statuses = [raw_handshake_status(port, [f"Sec-WebSocket-Protocol: {offer}"])
                for offer in (f"bearer.{valid}", f"bearer.{STATIC_TOKEN}", f"bearer.{invalid}", f"chat, bearer.{valid}",
                              # lws would read the no-break space as part of the name (found by fuzzing)
                              f"\u00a0unicat-bridge, bearer.{STATIC_TOKEN}",
                              # offered after unicat-bridge, the token is accepted as before
                              f"unicat-bridge, bearer.{valid}")]
    secured.wait_for_log('"subject":"subprotocol-only"')
    for token in (valid, STATIC_TOKEN, invalid):
        assert token not in secured.log
    assert statuses == [400, 400, 401, 400, 400, 101]


def test_http_endpoints_and_tokens(secured):
    base = listening_url(secured).replace("ws://", "http://")
    assert http_get(base + "/healthz")[0] in (200, 503)  # public: only ok and the upstream state
    assert http_get(base + "/metrics")[0] == 401
    text = metrics_text(base, headers={"Authorization": f"Bearer {STATIC_TOKEN}"})
    assert "unicat_bridge_websocket_handshakes_refused_total" in text


def test_connection_limits_are_429_and_503(simulator, tmp_path):
    bridge = start_websocket_bridge(simulator, str(tmp_path / "state"), max_connections_per_ip=3, max_connections=5)
    try:
        base = listening_url(bridge)
        held = [connect(base + "/", open_timeout=10, legacy=True) for _ in range(3)]
        assert handshake_status(base + "/") == 429
        held.pop().close()
        assert answers(base + "/"), "a slot freed by a close is usable again"
        metrics = metrics_text(base.replace("ws://", "http://"))
        assert 'unicat_bridge_websocket_handshakes_refused_total{status="429"} 1' in metrics
        for ws in held:
            ws.close()
    finally:
        bridge.stop()
    # The total limit, reached from one address, answers 503 before the per-address limit.
    bridge = start_websocket_bridge(simulator, str(tmp_path / "state2"), max_connections_per_ip=10, max_connections=2)
    try:
        base = listening_url(bridge)
        held = [connect(base + "/", open_timeout=10, legacy=True) for _ in range(2)]
        assert handshake_status(base + "/") == 503
        for ws in held:
            ws.close()
    finally:
        bridge.stop()


def test_world_readable_token_file_is_refused_at_start(simulator, tmp_path):
    tokens = private_file(str(tmp_path), "tokens", STATIC_TOKEN + "\n")
    os.chmod(tokens, 0o644)
    bridge = Bridge(simulator, str(tmp_path / "state"), stdio=False,
                    config={"transports": {"websocket": websocket_section("ws", tokens_file=tokens)}})
    status = bridge.proc.wait(60)
    bridge.stop()
    assert status == 4
    assert "readable by every user" in bridge.log


def test_no_token_source_on_a_public_address_warns(simulator, tmp_path):
    bridge = Bridge(simulator, str(tmp_path / "state"), stdio=False,
                    config={"transports": {"websocket": {"listen": ["*:0"]}}})
    try:
        bridge.wait_for_log("without tokens")
    finally:
        bridge.stop()
