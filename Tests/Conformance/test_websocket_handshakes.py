"""Handshakes that never finish (Slowloris): one address holding connections open with
half-sent request headers must not delay anyone else's handshake, and is cut off."""
import socket
import time

import pytest

from bridgetest import Client, WebSocketConnection
from websockettest import RawWebSocket, bound_port, listening_url, start_websocket_bridge, wait_until

HOSTILE_ADDRESS = "127.0.0.2"  # any 127.x address reaches the loopback listener as a client address of its own
HALF_SENT = b"GET / HTTP/1.1\r\nHost: x\r\n"  # never the blank line that ends the headers
HANDSHAKES_PER_IP = 10  # the default max_handshakes_per_ip
HEADER_TIMEOUT = 5


@pytest.fixture(scope="module")
def bridge(simulator, tmp_path_factory):
    bridge = start_websocket_bridge(simulator, str(tmp_path_factory.mktemp("handshakes") / "state"))
    yield bridge
    bridge.stop()


class HalfSentHandshake:
    """A connection from `source` that sends the start of a request and then nothing."""

    def __init__(self, port, source):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((source, 0))
        self.sock.connect(("127.0.0.1", port))
        self.cut = False
        try:
            self.sock.sendall(HALF_SENT)
        except OSError:
            self.cut = True  # closed by the bridge as soon as it was accepted
        self.sock.setblocking(False)

    def is_cut(self):
        """Whether the bridge has closed the connection (without answering: nothing to answer)."""
        if not self.cut:
            try:
                self.cut = self.sock.recv(4096) == b""
            except BlockingIOError:
                pass
            except OSError:
                self.cut = True
        return self.cut

    def close(self):
        self.sock.close()


def test_half_sent_handshakes_from_one_address_neither_delay_others_nor_linger(bridge):
    port = bound_port(bridge)
    hostile = [HalfSentHandshake(port, HOSTILE_ADDRESS) for _ in range(80)]
    try:
        # Beyond the per-address bound they are closed as they are accepted...
        assert wait_until(lambda: sum(h.is_cut() for h in hostile) >= len(hostile) - HANDSHAKES_PER_IP, timeout=2), \
            f"only {sum(h.is_cut() for h in hostile)} of {len(hostile)} half-sent handshakes were cut at once"
        # ...so another address gets its handshake at once (it waited 8 s for a header slot)...
        started = time.time()
        client = Client(WebSocketConnection(listening_url(bridge) + "/"))
        assert client.result("initialize")["server"]["name"] == "unicat-bridge"
        assert time.time() - started < 2, f"a legitimate handshake took {time.time() - started:.1f} s"
        client.connection.close()
        # ...and the ones within the bound are cut at the header timeout.
        assert wait_until(lambda: all(h.is_cut() for h in hostile), timeout=HEADER_TIMEOUT + 3), \
            f"{sum(not h.is_cut() for h in hostile)} half-sent handshakes still open"
    finally:
        for h in hostile:
            h.close()
    # With its unfinished handshakes gone, the address may connect again.
    assert wait_until(lambda: RawWebSocket(port, source=HOSTILE_ADDRESS).status == 101, timeout=5)


def test_silent_connections_count_against_the_address_too(bridge):
    """Connections that send nothing at all hold no header slot, but still count from accept."""
    port = bound_port(bridge)
    silent = []
    for _ in range(HANDSHAKES_PER_IP + 5):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((HOSTILE_ADDRESS, 0))
        sock.connect(("127.0.0.1", port))
        silent.append(sock)
    try:
        def closed(sock):
            sock.setblocking(False)
            try:
                return sock.recv(1) == b""
            except BlockingIOError:
                return False
            except OSError:
                return True
        assert wait_until(lambda: sum(closed(s) for s in silent) >= 5, timeout=2)
    finally:
        for sock in silent:
            sock.close()


def test_a_subprotocol_list_without_the_bridges_is_answered_400(bridge):
    """libwebsockets would drop it unanswered (and log the list)."""
    port = bound_port(bridge)
    for offer in ("chat", "chat, unicat-bridge", "unicat-bridge, " + "x" * 120):
        raw = RawWebSocket(port, headers=[f"Sec-WebSocket-Protocol: {offer}"])
        raw.close()
        assert raw.status == 400, offer
    raw = RawWebSocket(port, headers=["Sec-WebSocket-Protocol: unicat-bridge, chat"])
    raw.close()
    assert raw.status == 101
