"""A minimal JSON-RPC client over the bridge's line-framed transports, for control only
(measurements go through bridge-loadgen)."""
import json
import socket
import time


class LineRPC:
    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer
        self.next_id = 0

    @classmethod
    def unix(cls, path, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(path)
                break
            except OSError:
                sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        sock.settimeout(timeout)
        stream = sock.makefile("rwb")
        return cls(stream, stream)

    def call(self, method, params=None):
        self.next_id += 1
        message = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            message["params"] = params
        self.writer.write(json.dumps(message).encode() + b"\n")
        self.writer.flush()
        while True:
            line = self.reader.readline()
            if not line:
                raise ConnectionError("the bridge closed the connection")
            answer = json.loads(line)
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer["result"]

    def position(self):
        return self.call("bridge.status")["position"]

    def wait_for_cursor(self, cursor, timeout=60):
        """Until the bridge has processed the project stream up to `cursor`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            position = self.position()
            if position and position["cursor"] >= cursor:
                return True
            time.sleep(0.05)
        return False


def held_record(simulator, bridge, control):
    """A record the mirror holds. The mirror stores an object when the sync engine fetches it
    for a change, which it does only while someone subscribes with objects (a `unicat.get`
    of a record not held fetches it upstream every time, without storing it): one change
    while a subscriber with `include_objects` listens on a second connection."""
    listener = LineRPC.unix(bridge.unix_path, timeout=120)
    try:
        listener.call("sync.subscribe", {"types": ["records"], "include_objects": True})
        key = simulator.control("/changes", {"count": 1})["items"][0]["data_key"]
        if not control.wait_for_cursor(simulator.last_cursor(), 300):
            raise RuntimeError("the bridge did not commit the change")
    finally:
        listener.writer.close()
    params = {"data_type": "records", "key": key}
    assert key in control.call("unicat.get", params)["objects"]
    return params
