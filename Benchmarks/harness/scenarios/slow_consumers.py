"""Slow consumers: 1 % of the subscribers stop reading. The healthy subscribers' p99 against
a run without stalled ones at the same rate, and the bridge's RSS over time (its queues are
bounded: a stalled subscriber is cut off with slow_consumer once its queue is full).
Subscribers ask for objects (`include_objects`): the larger messages fill the kernel's socket
buffer on the bridge's side (up to 4 MiB on loopback) and then the bridge's queue within the
run. N is kept where the bridge sustains the rate with objects, so the stall is what changes."""
import os
import statistics

from ..change_load import make_changes
from ..loadgen import WebSocketLoad
from ..procfs import CPUMeter, RSSSampler
from ..processes import Bridge, Simulator
from .fanout import threads_for

STALL_FRACTION = 0.01
WARM_UP_SECONDS = 5
# Smaller than the defaults (10,000 messages, 16 MiB) so a stalled subscriber's queue fills
# within the run; the point is what happens then.
DROPPED = "unicat_bridge_slow_consumers_dropped_total"
QUEUE_LIMITS = {"queue_max_messages": 1000, "queue_max_bytes": 256 * 1024}


def first_increases(samples):
    """Seconds (on the RSS clock) at which the bridge's count of cut-off subscribers went up."""
    moments, previous = [], None
    for moment, value in samples:
        if value is not None and previous is not None and value > previous:
            moments.append(moment)
        previous = value if value is not None else previous
    return moments


def phase(ctx, simulator, bridge, workdir, name, stall_fraction, seconds):
    mode = ctx.mode
    sampler = RSSSampler(bridge.pid, probe=lambda: bridge.metrics().get(DROPPED))
    load = WebSocketLoad(ctx.products, bridge.ws_url, workdir, name, mode.slow_subscribers,
                         "--stall-fraction", str(stall_fraction), "--connect-concurrency", "500", "--include-objects",
                         control=simulator.control_url, threads=threads_for(mode.slow_subscribers))
    try:
        load.connected(timeout=180)
        make_changes(simulator, 20, 1.0)
        load.wait_cursor(simulator.last_cursor(), 30)
        load.report("warm-up")
        meter = CPUMeter(bridge.pid)
        make_changes(simulator, mode.slow_rate, seconds)
        reached = load.wait_cursor(simulator.last_cursor(), 60)
        report = load.report(name)
        cpu = meter.fraction()
        # A stalled subscriber never reads the close either: the bridge's own count says who was cut off.
        dropped = bridge.metrics().get(DROPPED)
        summary = load.stop()
        load = None
    finally:
        if load:
            load.stop()
        rss = sampler.stop()
    return {"stall_fraction": stall_fraction, "seconds": seconds, "rate": mode.slow_rate,
            "healthy_latency_ms": report["latency_ms"], "latency_timeline": report["latency_timeline"],
            "median_p99_per_second": statistics.median([p["p99"] for p in report["latency_timeline"] if p["p99"]] or [0]),
            "healthy_caught_up": not reached["timed_out"], "drain_seconds": reached["seconds"],
            "stalled": summary["stalled"], "stalled_messages": summary["stalled_messages"],
            "slow_consumers_dropped_total": dropped, "close_codes": summary["close_codes"],
            "resets": summary["totals"]["resets"], "order": summary["order"], "bridge_cpu": cpu,
            "bridge_rss": rss, "bridge_rss_peak_bytes": max(b for _, b in rss) if rss else None,
            "cut_offs": first_increases(sampler.probed),
            "loadgen_saturated": report["cpu"]["saturated"]}


def run(ctx):
    mode = ctx.mode
    ctx.say(f"slow consumers: {mode.slow_subscribers} subscribers at {mode.slow_rate}/s, without and with "
            f"{STALL_FRACTION:.0%} stalled")
    workdir = ctx.scenario_dir("slow-consumers")
    simulator = Simulator(workdir)
    bridge = Bridge(ctx.products, simulator, workdir, os.path.join(workdir, "state"),
                    websocket_options=QUEUE_LIMITS)
    try:
        bridge.wait_healthy()
        # A few seconds at the rate before either phase, not measured: the phases compare steady
        # states, not what the machine still does after the scenario before (a full run's
        # baseline once had its only slow seconds at its start, right after the resume storm).
        make_changes(simulator, mode.slow_rate, WARM_UP_SECONDS)
        baseline = phase(ctx, simulator, bridge, workdir, "baseline", 0.0, mode.slow_baseline_seconds)
        stalled = phase(ctx, simulator, bridge, workdir, "stalled", STALL_FRACTION, mode.slow_stalled_seconds)
    finally:
        bridge.stop()
        simulator.stop()
    p99_before, p99_after = baseline["healthy_latency_ms"]["p99"], stalled["healthy_latency_ms"]["p99"]
    change = (p99_after - p99_before) / p99_before if p99_before and p99_after else None
    ctx.say(f"  healthy p99 {p99_before and round(p99_before, 2)} ms → {p99_after and round(p99_after, 2)} ms "
            f"with {stalled['stalled']} stalled ({stalled['slow_consumers_dropped_total']} cut off so far); bridge RSS peak "
            f"{(stalled['bridge_rss_peak_bytes'] or 0) / 2**20:.1f} MiB")
    medians = baseline["median_p99_per_second"], stalled["median_p99_per_second"]
    return {"baseline": baseline, "stalled": stalled, "healthy_p99_change": change,
            "median_p99_per_second_change": (medians[1] - medians[0]) / medians[0] if medians[0] else None,
            "queue_limits": QUEUE_LIMITS}
