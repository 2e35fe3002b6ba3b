"""Warm restart: time from process start to serving (bridge.status over stdio reports a
position) and to upstream connected, with a persisted mirror against a cold start, and the
time a warm start takes to catch up on the changes made while it was down."""
import os
import shutil
import statistics

from ..change_load import make_changes
from ..processes import Simulator
from ..stdio_bridge import StdioBridge

MISSED_WHILE_DOWN = 100


def serving(status):
    return bool(status.get("position"))


def connected(status):
    return (status.get("upstream") or {}).get("state") == "connected"


def caught_up(cursor):
    return lambda status: bool(status.get("position")) and status["position"]["cursor"] >= cursor


def start(ctx, simulator, state, log, target=None):
    bridge = StdioBridge(ctx.products, simulator, state, log)
    try:
        figures = {"serving_seconds": bridge.time_until(serving), "connected_seconds": bridge.time_until(connected)}
        if target is not None:
            figures["caught_up_seconds"] = bridge.time_until(caught_up(target))
    finally:
        bridge.stop()
    return figures


def median(runs, key):
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def run(ctx):
    mode = ctx.mode
    ctx.say(f"warm restart: {mode.restarts} cold and {mode.restarts} warm starts over stdio")
    workdir = ctx.scenario_dir("warm-restart")
    simulator = Simulator(workdir)
    cold, warm = [], []
    try:
        make_changes(simulator, mode.restart_changes, 1.0)
        log = os.path.join(workdir, "bridge.log")
        for attempt in range(mode.restarts):
            state = os.path.join(workdir, f"cold-{attempt}")
            cold.append(start(ctx, simulator, state, log))
            shutil.rmtree(state, ignore_errors=True)
        state = os.path.join(workdir, "warm")
        start(ctx, simulator, state, log)  # the state a warm start finds
        for _ in range(mode.restarts):
            simulator.control("/changes", {"count": MISSED_WHILE_DOWN})
            warm.append(start(ctx, simulator, state, log, target=simulator.last_cursor()))
    finally:
        simulator.stop()
    result = {"cold": cold, "warm": warm, "missed_while_down": MISSED_WHILE_DOWN,
              "cold_serving_seconds": median(cold, "serving_seconds"), "warm_serving_seconds": median(warm, "serving_seconds"),
              "cold_connected_seconds": median(cold, "connected_seconds"),
              "warm_connected_seconds": median(warm, "connected_seconds"),
              "warm_caught_up_seconds": median(warm, "caught_up_seconds")}
    ctx.say(f"  serving after {result['cold_serving_seconds']} s cold, {result['warm_serving_seconds']} s warm (medians)")
    return result
