"""wss:// with OpenSSL: the handshake with a test CA works, TLS older than 1.2 is refused,
and a plain client, a client trusting another CA, an expired certificate and a missing
client certificate (when one is required) all fail cleanly, without disturbing anyone else."""
import os
import ssl

import pytest
from websockets.exceptions import InvalidHandshake, WebSocketException
from websockets.sync.client import connect

from bridgetest import Bridge, Client, WebSocketConnection
from websockettest import Certificates, http_get, listening_url, start_websocket_bridge, websocket_section


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    directory = str(tmp_path_factory.mktemp("tls"))
    return {"good": Certificates(directory, "good"), "other": Certificates(directory, "other"),
            "expired": Certificates(directory, "expired", days=-1)}


def tls_bridge(simulator, directory, certificate, **tls):
    return start_websocket_bridge(simulator, os.path.join(directory, "state"),
                                  tls={"cert_file": certificate.cert, "key_file": certificate.key, **tls})


def still_serves(url, context):
    client = Client(WebSocketConnection(url + "/", ssl_context=context))
    try:
        return client.result("initialize")["protocol_version"] == 1
    finally:
        client.connection.close()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_handshake_with_the_test_ca_and_tls_failures(simulator, certificates, tmp_path):
    good = certificates["good"]
    bridge = tls_bridge(simulator, str(tmp_path), good)
    try:
        url = listening_url(bridge)
        assert url.startswith("wss://")
        with connect(url + "/", ssl=good.client_context(), open_timeout=10) as ws:
            assert ws.socket.version() in ("TLSv1.2", "TLSv1.3")
        assert http_get(url.replace("wss://", "https://") + "/healthz", context=good.client_context())[0] in (200, 503)

        # A plain-text client on the TLS port: refused, not hung.
        with pytest.raises(InvalidHandshake):
            with connect(url.replace("wss://", "ws://") + "/", open_timeout=10):
                pass
        # A client that trusts another CA rejects the bridge's certificate.
        with pytest.raises(ssl.SSLCertVerificationError):
            with connect(url + "/", ssl=certificates["other"].client_context(), open_timeout=10):
                pass
        # TLS 1.1 and older are not offered (Python warns that they are deprecated: the point).
        old = good.client_context()
        old.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        old.maximum_version = ssl.TLSVersion.TLSv1_1
        old.set_ciphers("ALL:@SECLEVEL=0")
        with pytest.raises((ssl.SSLError, ConnectionError)):
            with connect(url + "/", ssl=old, open_timeout=10):
                pass
        assert still_serves(url, good.client_context()), "failed handshakes cost the others nothing"
        assert bridge.proc.poll() is None
    finally:
        bridge.stop()


def test_expired_certificate_fails_cleanly(simulator, certificates, tmp_path):
    expired = certificates["expired"]
    bridge = tls_bridge(simulator, str(tmp_path), expired)
    try:
        with pytest.raises(ssl.SSLCertVerificationError) as failure:
            with connect(listening_url(bridge) + "/", ssl=expired.client_context(), open_timeout=10):
                pass
        assert "expired" in str(failure.value)
        assert bridge.proc.poll() is None
    finally:
        bridge.stop()


def test_client_certificates_when_a_client_ca_is_set(simulator, certificates, tmp_path):
    good = certificates["good"]
    bridge = tls_bridge(simulator, str(tmp_path), good, client_ca_file=good.ca)
    try:
        url = listening_url(bridge)
        # Without a client certificate the server ends the TLS session (with TLS 1.3, right
        # after the client thinks the handshake is done).
        with pytest.raises((ssl.SSLError, WebSocketException)):
            with connect(url + "/", ssl=good.client_context(), open_timeout=10) as ws:
                ws.send('{"jsonrpc": "2.0", "id": 1, "method": "initialize"}')
                ws.recv(timeout=10)
        # The server certificate (signed by the same CA, clientAuth usage) serves as a client one.
        context = good.client_context()
        context.load_cert_chain(good.cert, good.key)
        assert still_serves(url, context)
        # One signed by another CA is refused: OpenSSL's verdict stands (the bridge checks
        # client certificates with a callback of its own, see shim.h).
        stranger = good.client_context()
        stranger.load_cert_chain(certificates["other"].cert, certificates["other"].key)
        with pytest.raises((ssl.SSLError, WebSocketException, ConnectionError)):
            with connect(url + "/", ssl=stranger, open_timeout=10) as ws:
                ws.send('{"jsonrpc": "2.0", "id": 1, "method": "initialize"}')
                ws.recv(timeout=10)
        assert still_serves(url, context)
    finally:
        bridge.stop()


def test_unusable_tls_files_stop_the_start(simulator, tmp_path):
    missing = str(tmp_path / "missing.pem")
    bridge = Bridge(simulator, str(tmp_path / "state"), stdio=False,
                    config={"transports": {"websocket": websocket_section("ws", tls={"cert_file": missing, "key_file": missing})}})
    status = bridge.proc.wait(60)
    bridge.stop()
    assert status == 4
    assert "cannot read the TLS file" in bridge.log
