"""Idle memory: RSS per idle subscriber at N connections, ws and wss, as
(RSS at N − RSS at 0) / N; the kernel's TCP memory is reported separately."""
import os
import time

from ..loadgen import WebSocketLoad
from ..processes import Bridge, MirrorServer, ReferenceRelay, Simulator
from ..procfs import rss_bytes, socket_memory
from ..tls import Certificate
from .fanout import threads_for

SETTLE_SECONDS = 3


def measure(ctx, secure):
    name = "wss" if secure else "ws"
    subscribers = ctx.mode.idle_subscribers
    workdir = ctx.scenario_dir(f"idle-{name}")
    certificate = Certificate(workdir) if secure else None
    simulator = Simulator(workdir)
    bridge = Bridge(ctx.products, simulator, workdir, os.path.join(workdir, "state"), tls=certificate)
    load = None
    try:
        bridge.wait_healthy(context=certificate.client_context() if certificate else None)
        time.sleep(SETTLE_SECONDS)
        rss_before, sockets_before = rss_bytes(bridge.pid), socket_memory()
        options = ["--connect-concurrency", "500"] + (["--ca-file", certificate.cert] if certificate else [])
        load = WebSocketLoad(ctx.products, bridge.ws_url, workdir, f"idle-{name}", subscribers, *options,
                             threads=threads_for(subscribers))
        connected = load.connected(timeout=300)
        time.sleep(SETTLE_SECONDS)
        rss_after, sockets_after = rss_bytes(bridge.pid), socket_memory()
        load.stop()
        load = None
        established = connected["established"]
        per_subscriber = (rss_after - rss_before) / established if established else None
        kernel = (sockets_after["tcp_bytes"] - sockets_before["tcp_bytes"]) / established if established else None
        ctx.say(f"  idle {name}: {established} subscribers, bridge RSS {rss_before / 2**20:.1f} → "
                f"{rss_after / 2**20:.1f} MiB = {per_subscriber / 1024:.1f} KiB each; kernel TCP "
                f"{kernel / 1024:.1f} KiB per connection (both ends)" if per_subscriber is not None else
                f"  idle {name}: no connection established")
        return {"transport": name, "subscribers": subscribers, "established": established,
                "failed": connected["failed"], "connect_seconds": connected["seconds"],
                "rss_before_bytes": rss_before, "rss_after_bytes": rss_after,
                "rss_per_subscriber_bytes": per_subscriber,
                "kernel_tcp_bytes_before": sockets_before["tcp_bytes"], "kernel_tcp_bytes_after": sockets_after["tcp_bytes"],
                "kernel_tcp_bytes_per_connection_both_ends": kernel}
    finally:
        if load:
            load.stop()
        bridge.stop()
        simulator.stop()


def reference(ctx, name):
    """The same N idle connections held by a reference server (ws only)."""
    subscribers = ctx.mode.idle_subscribers
    workdir = ctx.scenario_dir(f"idle-{name}")
    simulator = Simulator(workdir) if name == "relay" else None
    server = ReferenceRelay(simulator, workdir, ctx.python) if simulator else MirrorServer(workdir)
    load = None
    try:
        time.sleep(1)
        before = rss_bytes(server.pid)
        options = (["--subprotocol", "lws-mirror-protocol"] if name == "mirror" else []) + ["--subscribe", "none"]
        url = server.ws_url + ("/feed?types=records" if name == "relay" else "")
        load = WebSocketLoad(ctx.products, url, workdir, f"idle-{name}", subscribers, *options,
                             "--connect-concurrency", "500", threads=threads_for(subscribers))
        established = load.connected(timeout=300)["established"]
        time.sleep(SETTLE_SECONDS)
        after = rss_bytes(server.pid)
        load.stop()
        load = None
    finally:
        if load:
            load.stop()
        server.stop()
        if simulator:
            simulator.stop()
    per = (after - before) / established if established else None
    ctx.say(f"  idle ws on the {name} reference: {per / 1024:.1f} KiB each" if per is not None else f"  {name}: none")
    return {"server": name, "established": established, "rss_before_bytes": before, "rss_after_bytes": after,
            "rss_per_subscriber_bytes": per}


def run(ctx):
    ctx.say(f"idle memory: {ctx.mode.idle_subscribers} idle subscribers, ws then wss, then the references (ws)")
    result = {"ws": measure(ctx, secure=False), "wss": measure(ctx, secure=True),
              "references": [reference(ctx, "relay")] + ([reference(ctx, "mirror")] if MirrorServer.available() else [])}
    ours = result["ws"]["rss_per_subscriber_bytes"]
    for entry in result["references"]:
        theirs = entry["rss_per_subscriber_bytes"]
        entry["ratio_ours_to_theirs"] = ours / theirs if ours and theirs else None
    return result
