"""Helpers for the WebSocket transport's tests: test certificates made with the openssl
CLI, the transport's configuration section, finding the port it bound, and connecting."""
import atexit
import base64
import functools
import hashlib
import hmac
import os
import re
import shutil
import socket
import ssl
import struct
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

from bridgetest import Bridge, WebSocketConnection

WEBSOCKET_TRANSPORTS = ("ws", "wss")
LISTENING = re.compile(r"websocket transport listening on (\S+):(\d+) \((wss?)://")


class Certificates:
    """A throwaway CA and a server certificate it signed for localhost and 127.0.0.1
    (`days=-1`: already expired). Files are private to the user, as the bridge requires."""

    def __init__(self, directory, name="test", days=3):
        self.ca = os.path.join(directory, f"{name}-ca.pem")
        self.ca_key = os.path.join(directory, f"{name}-ca.key")
        self.cert = os.path.join(directory, f"{name}-server.pem")
        self.key = os.path.join(directory, f"{name}-server.key")
        csr = os.path.join(directory, f"{name}-server.csr")
        extensions = os.path.join(directory, f"{name}-server.ext")
        with open(extensions, "w") as handle:
            handle.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n"
                         "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n")
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        self._openssl("req", "-x509", *ec, "-keyout", self.ca_key, "-out", self.ca, "-days", "3",
                      "-subj", f"/CN=unicat-bridge websocket test CA {name} {os.getpid()}",
                      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        self._openssl("req", *ec, "-keyout", self.key, "-out", csr, "-subj", "/CN=localhost")
        self._openssl("x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey", self.ca_key, "-CAcreateserial",
                      "-days", str(days), "-out", self.cert, "-extfile", extensions)
        for path in (self.ca_key, self.key):
            os.chmod(path, 0o600)

    def client_context(self):
        """An SSL context trusting only this CA."""
        context = ssl.create_default_context(cafile=self.ca)
        return context

    @staticmethod
    def _openssl(*arguments):
        subprocess.run(["openssl", *arguments], check=True, capture_output=True)


@functools.lru_cache(maxsize=None)
def shared_certificates():
    """One set of test certificates per test run."""
    directory = tempfile.mkdtemp(prefix="websocket-certs-")
    atexit.register(shutil.rmtree, directory, True)
    return Certificates(directory)


def websocket_section(transport, **settings):
    """The `transports.websocket` section for `ws` or `wss` on an ephemeral loopback port."""
    section = {"listen": ["127.0.0.1:0"]}
    if transport == "wss":
        certificates = shared_certificates()
        section["tls"] = {"cert_file": certificates.cert, "key_file": certificates.key}
    section.update(settings)
    return section


def start_websocket_bridge(simulator, state_dir, transport="ws", config=None, **settings):
    """A bridge serving only the websocket transport (`settings` are its keys), listening."""
    configuration = {"transports": {"websocket": websocket_section(transport, **settings)}, **(config or {})}
    bridge = Bridge(simulator, state_dir, config=configuration, stdio=False)
    try:
        listening_url(bridge)
    except AssertionError:
        bridge.stop()
        raise
    return bridge


def listening_url(bridge, timeout=60):
    """`ws://127.0.0.1:PORT` (or wss://) from the bridge's log line."""
    bridge.wait_for_log("websocket transport listening on", timeout)
    host, port, scheme = LISTENING.search(bridge.log).groups()
    return f"{scheme}://{host}:{port}"


def http_url(bridge):
    """The same listener as an http:// or https:// base URL."""
    return listening_url(bridge).replace("ws", "http", 1)


def connect(bridge, transport, path="/", **options):
    """A `WebSocketConnection` to the bridge's websocket transport."""
    context = shared_certificates().client_context() if transport == "wss" else None
    return WebSocketConnection(listening_url(bridge) + path, ssl_context=context, **options)


def http_get(url, headers=None, context=None):
    """(status, headers, body) of a GET, whatever the status."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10, context=context) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def metrics_text(base, headers=None, timeout=30):
    """`/metrics` as text, once the host has its first figures (503 until then)."""
    deadline = time.time() + timeout
    while True:
        status, _, body = http_get(base + "/metrics", headers)
        if status == 200:
            return body.decode()
        assert status == 503 and time.time() < deadline, f"/metrics answered {status}"
        time.sleep(0.2)


def wait_until(condition, timeout=30, interval=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


def mint_token(secret, subject, lifetime_seconds=3600, now=None):
    """An HMAC token as a backend mints it (the README shows the same code)."""
    expiry = int((now or time.time()) + lifetime_seconds)
    payload = f"v1.{expiry}.{subject}"
    mac = hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()
    return f"{payload}.{mac}"


def private_file(directory, name, text):
    """A file only its owner can read (the bridge refuses world-readable secrets)."""
    path = os.path.join(directory, name)
    with open(path, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o600)
    return path


def bound_port(bridge):
    return int(listening_url(bridge).rsplit(":", 1)[1])


class RawWebSocket:
    """A WebSocket client on a plain socket, to misbehave on purpose: stop reading, vanish
    without a close, flood pings, send odd frames. Masks its frames as clients must."""

    def __init__(self, port, path="/", receive_buffer=None, headers=(), host=None, source="127.0.0.1"):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer:
            # Before connect(), so that the TCP window is small from the start.
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(30)
        self.sock.bind((source, 0))  # any 127.x address is this machine: a client address of its own
        self.sock.connect(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        request = [f"GET {path} HTTP/1.1", f"Host: {host or f'127.0.0.1:{port}'}", "Upgrade: websocket", "Connection: Upgrade",
                   f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13", *headers, "", ""]
        self.sock.sendall("\r\n".join(request).encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed during the handshake")
            self.buffer += chunk
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        self.status = int(head.split(b" ", 2)[1])

    def send_frame(self, opcode, payload=b"", fin=True, masked=True):
        """One frame; `masked=False` breaks RFC 6455 §5.1 (clients must mask)."""
        mask = os.urandom(4) if masked else b""
        mask_bit = 0x80 if masked else 0
        length = len(payload)
        header = bytes([(0x80 if fin else 0) | opcode])
        if length < 126:
            header += bytes([mask_bit | length])
        elif length < 65536:
            header += bytes([mask_bit | 126]) + struct.pack("!H", length)
        else:
            header += bytes([mask_bit | 127]) + struct.pack("!Q", length)
        body = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload)) if masked else payload
        self.sock.sendall(header + mask + body)

    def send_text(self, text):
        self.send_frame(0x1, text.encode() if isinstance(text, str) else text)

    def _read_exactly(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def read_frame(self):
        """(opcode, payload) of the next frame from the server (servers do not mask)."""
        first, second = self._read_exactly(2)
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._read_exactly(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._read_exactly(8))[0]
        return first & 0x0F, self._read_exactly(length)

    def read_until_close(self, timeout=30):
        """The text messages up to the server's close frame, and its close code (None if
        the connection ended without one)."""
        self.sock.settimeout(timeout)
        messages = []
        try:
            while True:
                opcode, payload = self.read_frame()
                if opcode == 0x1:
                    messages.append(payload)
                elif opcode == 0x8:
                    return messages, (struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None)
        except (ConnectionError, OSError):
            return messages, None

    def close(self):
        self.sock.close()
