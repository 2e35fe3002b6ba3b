"""The relay a user might write instead of the bridge (a benchmark reference, not a product):
a python-socketio client to Unicat's feed, and a `websockets` server that fans each change
out to every subscriber, in the bridge's `sync.changes` shape so the same load generator
reads both.

    reference_relay.py --url http://127.0.0.1:PORT --project GID --api-key KEY [--port 0]

Prints one JSON line with its ws:// URL when ready. Subscribers connect to
`/feed?types=records` (only `types` is understood).
"""
import argparse
import asyncio
import json
import sys
from urllib.parse import parse_qs, urlparse

import aiohttp
import socketio
from websockets.asyncio.server import broadcast, serve

EPOCH = "relay"


def encode(value) -> str:
    # The bridge's encoding: compact JSON, keys sorted.
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


class Relay:
    def __init__(self, args):
        self.args = args
        self.cursors = {"cc": 0, "project": 0}
        self.subscribers: dict[object, set[str] | None] = {}  # connection -> types (None: all)
        self.sio = socketio.AsyncClient(reconnection=True)
        self.sio.on("sync", self.on_sync)
        self.sio.on("connect", self.on_connect)

    async def authenticate(self) -> str:
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{self.args.url}/api/p/{self.args.project}/auth",
                                 json={"api_key": self.args.api_key}) as response:
                body = await response.json()
                result = body["result"]
                self.cursors = {"cc": result["cc.cursor"], "project": result["cursor"]}
                return response.headers["Authorization"]

    async def on_connect(self):
        reply = await self.sio.call("initsync", {"cc_cursor": self.cursors["cc"], "project": self.args.project,
                                                 "cursor": self.cursors["project"]})
        self.relay(reply.get("sync", []) if isinstance(reply, dict) else reply or [])

    async def on_sync(self, payload):
        self.relay(payload.get("sync", []) if isinstance(payload, dict) else payload)

    def relay(self, items):
        for item in items:
            stream = "cc" if item["type"] == "cc" else "project"
            if item["cursor"] <= self.cursors[stream]:
                continue  # already relayed (initsync and pushes overlap)
            self.cursors[stream] = item["cursor"]
            position = {"epoch": EPOCH, "cc_cursor": self.cursors["cc"], "cursor": self.cursors["project"]}
            message = encode({"jsonrpc": "2.0", "method": "sync.changes", "params": {
                "subscription": "relay", "items": [dict(item, position=position)], "position": position}})
            receivers = [ws for ws, types in self.subscribers.items() if types is None or item["data_type"] in types]
            broadcast(receivers, message)

    async def serve_subscriber(self, websocket):
        query = parse_qs(urlparse(websocket.request.path).query)
        types = set(",".join(query["types"]).split(",")) if "types" in query else None
        self.subscribers[websocket] = types
        try:
            await websocket.wait_closed()
        finally:
            self.subscribers.pop(websocket, None)

    async def run(self):
        token = await self.authenticate()
        await self.sio.connect(self.args.url, socketio_path="sync/io", auth={"JWT": token},
                               transports=["websocket"])
        async with serve(self.serve_subscriber, "127.0.0.1", self.args.port, max_queue=None,
                         ping_interval=None, compression=None) as server:
            port = server.sockets[0].getsockname()[1]
            print(json.dumps({"url": f"ws://127.0.0.1:{port}"}), flush=True)
            await asyncio.Future()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the simulator's (Unicat's) base URL")
    parser.add_argument("--project", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    try:
        asyncio.run(Relay(args).run())
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
