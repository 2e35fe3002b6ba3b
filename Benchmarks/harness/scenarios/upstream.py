"""Upstream efficiency: N subscribers ask for each changed object (`include_objects`); how
many upstream requests does one changed record cost? Against the official `unicat` client
polling `/sync/get` once per dashboard, each dashboard holding the records."""
import os
import time

from ..bridge_rpc import LineRPC
from ..loadgen import WebSocketLoad
from ..pollers import Pollers
from ..processes import Bridge, Simulator
from .fanout import threads_for
from .resume_storm import request_delta

RECORDS_GET = "POST /api/p/{gid}/records/get"
SPACING_SECONDS = 1.0


def change_one_record(simulator, count):
    """`count` changes, one random record each, a poll interval apart; the last cursor."""
    cursor = None
    for _ in range(count):
        cursor = simulator.control("/changes", {"count": 1})["cursor"]
        time.sleep(SPACING_SECONDS)
    return cursor


def bridge_cost(ctx, subscribers):
    workdir = ctx.scenario_dir(f"upstream-bridge-{subscribers}")
    simulator = Simulator(workdir)
    bridge = Bridge(ctx.products, simulator, workdir, os.path.join(workdir, "state"))
    load = None
    try:
        bridge.wait_healthy()
        control = LineRPC.unix(bridge.unix_path)
        load = WebSocketLoad(ctx.products, bridge.ws_url, workdir, f"upstream-{subscribers}", subscribers,
                             "--include-objects", control=simulator.control_url, threads=threads_for(subscribers))
        load.connected(timeout=180)
        time.sleep(0.5)
        before = simulator.requests()
        cursor = change_one_record(simulator, ctx.mode.upstream_changes)
        reached = load.wait_cursor(cursor, 60)
        control.wait_for_cursor(cursor, 30)
        after = simulator.requests()
        load.stop()
        load = None
    finally:
        if load:
            load.stop()
        bridge.stop()
        simulator.stop()
    delta = request_delta(before, after)
    changes = ctx.mode.upstream_changes
    figures = {"client": "unicat-bridge", "subscribers": subscribers, "changes": changes,
               "record_fetches": delta.get(RECORDS_GET, 0), "record_fetches_per_change": delta.get(RECORDS_GET, 0) / changes,
               "requests": delta, "requests_per_change": sum(delta.values()) / changes,
               "all_delivered": not reached["timed_out"]}
    ctx.say(f"  bridge, {subscribers} subscribers: {figures['record_fetches_per_change']:.2f} records/get and "
            f"{figures['requests_per_change']:.2f} requests in all per changed record")
    return figures


def all_records(simulator):
    """Every record gid, from the INSERT items of the simulator's seed history."""
    entries = simulator.control("/log?cc_cursor=0&cursor=0")["entries"]
    return sorted({e["item"]["data_key"] for e in entries
                   if e["item"]["type"] == "project" and e["item"]["data_type"] == "records"
                   and e["item"]["action"] == "INSERT"})


def poller_cost(ctx, count):
    workdir = ctx.scenario_dir(f"upstream-pollers-{count}")
    simulator = Simulator(workdir)
    pollers = None
    try:
        pollers = Pollers(simulator, count, all_records(simulator), ctx.mode.poll_interval)
        pollers.start()
        time.sleep(ctx.mode.poll_interval * 1.5)
        before = simulator.requests()
        change_one_record(simulator, ctx.mode.upstream_changes)
        time.sleep(ctx.mode.poll_interval * 2)
        after = simulator.requests()
        pollers.stop()
        errors = list(pollers.errors)
        pollers = None
    finally:
        if pollers:
            pollers.stop()
        simulator.stop()
    delta = request_delta(before, after)
    changes = ctx.mode.upstream_changes
    figures = {"client": "unicat (polling)", "subscribers": count, "changes": changes,
               "record_fetches": delta.get(RECORDS_GET, 0), "record_fetches_per_change": delta.get(RECORDS_GET, 0) / changes,
               "requests": delta, "requests_per_change": sum(delta.values()) / changes, "errors": errors[:5]}
    ctx.say(f"  unicat client, {count} pollers: {figures['record_fetches_per_change']:.2f} records/get and "
            f"{figures['requests_per_change']:.2f} requests in all per changed record")
    return figures


def run(ctx):
    mode = ctx.mode
    ctx.say(f"upstream efficiency: {mode.upstream_changes} changed records, subscribers {mode.upstream_subscribers}")
    bridge = [bridge_cost(ctx, n) for n in mode.upstream_subscribers]
    pollers = []
    for count in mode.pollers:
        pollers.append(poller_cost(ctx, count))
    return {"bridge": bridge, "pollers": pollers, "poll_interval_seconds": mode.poll_interval,
            "note": "the same changes (one random record each, 1 s apart); bridge subscribers use include_objects, "
                    "each polling client holds every record"}
