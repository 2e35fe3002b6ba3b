"""Fan-out: N WebSocket subscribers, change rates from 10/s up to saturation; delivered
messages/s, latency from the simulator's append time, server CPU. The same ladder runs on
the Python relay and, driven by the generator's own sender, on lws's mirror protocol."""
import os
import statistics

from ..change_load import MAX, make_changes
from ..ladder import fmt, saturation_reason, simulator_ladder, step_figures
from ..loadgen import WebSocketLoad
from ..procfs import CPUMeter
from ..processes import Bridge, MirrorServer, ReferenceRelay, Simulator


def threads_for(subscribers):
    # One service thread of the generator tops out near 100k messages/s (seen on the mirror
    # reference): from 1,000 subscribers on, two threads, so the generator is not the limit.
    return 1 if subscribers < 1000 else 2


def bridge_ladder(ctx, subscribers, run=0):
    workdir = ctx.scenario_dir(f"fanout-bridge-{subscribers}" + (f"-run{run}" if run else ""))
    simulator = Simulator(workdir)
    bridge = Bridge(ctx.products, simulator, workdir, os.path.join(workdir, "state"))
    load = None
    try:
        bridge.wait_healthy()
        load = WebSocketLoad(ctx.products, bridge.ws_url, workdir, f"bridge-{subscribers}", subscribers,
                             "--connect-concurrency", "500", control=simulator.control_url,
                             threads=threads_for(subscribers))
        connected = load.connected(timeout=180)
        ctx.say(f"  bridge: {connected['established']} subscribers connected in {connected['seconds']:.1f} s")
        if ctx.profile and subscribers == min(ctx.mode.fanout_subscribers) and not run:
            ctx.profile.attach(bridge.pid, "fanout")
        steps = simulator_ladder(ctx, simulator, load, subscribers, bridge.pid, ctx.say)
        if ctx.profile:
            ctx.profile.detach()
        summary = load.stop()
        load = None
        return {"server": "unicat-bridge", "subscribers": subscribers, "connected": connected["established"],
                "connect_seconds": connected["seconds"], "steps": steps, "order": summary["order"],
                "close_codes": summary["close_codes"]}
    finally:
        if load:
            load.stop()
        bridge.stop()
        simulator.stop()


def relay_ladder(ctx, subscribers):
    workdir = ctx.scenario_dir(f"fanout-relay-{subscribers}")
    simulator = Simulator(workdir)
    relay = ReferenceRelay(simulator, workdir, ctx.python)
    load = None
    try:
        load = WebSocketLoad(ctx.products, relay.ws_url + "/feed?types=records", workdir, f"relay-{subscribers}",
                             subscribers, "--subscribe", "none", "--types", "records", "--connect-concurrency", "200",
                             control=simulator.control_url, threads=threads_for(subscribers))
        connected = load.connected(timeout=180)
        ctx.say(f"  Python relay: {connected['established']} subscribers connected in {connected['seconds']:.1f} s")
        steps = simulator_ladder(ctx, simulator, load, subscribers, relay.pid, ctx.say)
        summary = load.stop(timeout=300)
        load = None
        return {"server": "python-relay", "subscribers": subscribers, "connected": connected["established"],
                "connect_seconds": connected["seconds"], "steps": steps, "order": summary["order"]}
    finally:
        if load:
            load.stop(timeout=300)
        relay.stop()
        simulator.stop()


def mirror_step(ctx, server, workdir, subscribers, rate, count):
    """One step of lws's mirror protocol: one sender (the generator's connection 0) sends
    `count` messages at `rate` (0: as fast as the server takes them) to `subscribers` receivers."""
    meter = CPUMeter(server.pid)
    load = WebSocketLoad(ctx.products, server.ws_url, workdir, f"mirror-{subscribers}-{rate}", subscribers + 1,
                         "--subscribe", "none", "--subprotocol", "lws-mirror-protocol",
                         "--send-count", str(count), "--send-rate", str(rate), "--connect-concurrency", "200",
                         threads=threads_for(subscribers))
    try:
        load.connected(timeout=180)
        meter.reset()
        reached = load.wait_cursor(count, max(15, 3 * ctx.mode.fanout_seconds))
        cpu = {"server": meter.fraction()}
        report = load.report(f"{rate or MAX}")
    finally:
        load.stop()
    figures = step_figures(rate or MAX, subscribers, report, reached, cpu, {"messages_sent": count})
    # The wait began as the sender started: what is left after its last send is the drain.
    figures["drain_seconds"] = max(0.0, reached["seconds"] - (count / rate if rate else 0.0))
    figures["saturated"] = saturation_reason(figures, ctx.mode.fanout_seconds) if rate else "as fast as it goes"
    ctx.say(f"  lws mirror, {subscribers} receivers, {rate or MAX}: "
            f"{fmt(figures['delivered_items_per_second'])} changes/s, p99 {fmt(figures['latency_ms']['p99'])} ms, "
            f"server CPU {cpu['server']:.0%}")
    return figures


def mirror_ladder(ctx, subscribers, run=0):
    """lws's mirror protocol: a step per rate of the same ladder, then a burst as fast as the
    server takes it (rate "max"), the reference's ceiling."""
    workdir = ctx.scenario_dir(f"fanout-mirror-{subscribers}" + (f"-run{run}" if run else ""))
    server = MirrorServer(workdir)
    mode = ctx.mode
    try:
        plan = [(rate, int(rate * mode.fanout_seconds)) for rate in mode.fanout_rates] + [(0, mode.mirror_burst)]
        steps = [mirror_step(ctx, server, workdir, subscribers, rate, count) for rate, count in plan]
        return {"server": "lws-mirror", "subscribers": subscribers, "steps": steps}
    finally:
        server.stop()


def mirror_points(ctx):
    """The mirror at the bridge's larger sizes (`mode.mirror_points`: receivers, rate), one step
    each: what raw libwebsockets does on this machine under the same load."""
    points = []
    for subscribers, rate in ctx.mode.mirror_points:
        workdir = ctx.scenario_dir(f"fanout-mirror-{subscribers}-at-{rate}")
        server = MirrorServer(workdir)
        try:
            points.append(mirror_step(ctx, server, workdir, subscribers, rate, int(rate * ctx.mode.fanout_seconds)))
        finally:
            server.stop()
    return points


def simulator_ceiling(ctx):
    """How fast the simulator pushes changes to one socket.io client (the relay with one
    subscriber) when it makes them as fast as it can: beyond that, the simulator is the limit."""
    workdir = ctx.scenario_dir("fanout-simulator-ceiling")
    simulator = Simulator(workdir)
    relay = ReferenceRelay(simulator, workdir, ctx.python)
    load = None
    try:
        load = WebSocketLoad(ctx.products, relay.ws_url + "/feed?types=records", workdir, "simulator-ceiling", 1,
                             "--subscribe", "none", "--types", "records", control=simulator.control_url)
        load.connected(timeout=60)
        made = make_changes(simulator, MAX, ctx.mode.fanout_seconds)
        reached = load.wait_cursor(simulator.last_cursor(), 120)
        report = load.report("ceiling")
        load.stop()
        load = None
    finally:
        if load:
            load.stop()
        relay.stop()
        simulator.stop()
    pushed = made["changes"] / (made["seconds"] + reached["seconds"])
    ctx.say(f"  the simulator made {made['achieved_rate']:,.0f} changes/s and pushed {pushed:,.0f}/s to one client")
    return {"made_per_second": made["achieved_rate"], "pushed_per_second": pushed,
            "received_items": report["window_items"], "all_received": not reached["timed_out"]}


def peak(ladder):
    """Changes delivered per second at best (items: the bridge puts several in one message
    under load, and the mirror splits a few messages, so messages would mislead)."""
    rates = [s["delivered_items_per_second"] for s in ladder["steps"] if s["delivered_items_per_second"]]
    return max(rates) if rates else None


def step_at(ladder, rate):
    return next((s for s in ladder["steps"] if s["rate"] == rate), None)


def ratios(bridge, references):
    """Our figures over each reference's, at the reference N: peak throughput, and p99 at
    each rate both measured."""
    out = {}
    for name, reference in references.items():
        if not reference:
            continue
        entry = {"peak_items_per_second": {"bridge": peak(bridge), name: peak(reference)}}
        if peak(bridge) and peak(reference):
            entry["peak_ratio"] = peak(bridge) / peak(reference)
        per_rate = []
        for step in bridge["steps"]:
            other = step_at(reference, step["rate"])
            if other and step["latency_ms"]["p99"] and other["latency_ms"]["p99"]:
                per_rate.append({"rate": step["rate"], "p99_bridge": step["latency_ms"]["p99"],
                                 f"p99_{name}": other["latency_ms"]["p99"],
                                 "p99_ratio": step["latency_ms"]["p99"] / other["latency_ms"]["p99"],
                                 "cpu_bridge": step["cpu"]["server"], f"cpu_{name}": other["cpu"]["server"]})
        entry["per_rate"] = per_rate
        out[name] = entry
    return out


def run(ctx):
    result = {"bridge": [], "notes": []}
    for subscribers in ctx.mode.fanout_subscribers:
        ctx.say(f"fan-out: unicat-bridge with {subscribers} WebSocket subscribers")
        result["bridge"].append(bridge_ladder(ctx, subscribers))
    ctx.say("fan-out: the simulator's own ceiling (one socket.io client)")
    result["simulator_ceiling"] = simulator_ceiling(ctx)
    n = ctx.mode.reference_subscribers
    ctx.say(f"fan-out: the Python relay with {n} subscribers")
    result["relay"] = relay_ladder(ctx, n)
    if MirrorServer.available():
        ctx.say(f"fan-out: lws mirror protocol with {n} receivers")
        result["mirror"] = mirror_ladder(ctx, n)
        if ctx.mode.mirror_points:
            ctx.say("fan-out: lws mirror protocol at the bridge's larger sizes")
            result["mirror_points"] = mirror_points(ctx)
    else:
        result["mirror"] = None
        result["notes"].append("libwebsockets-test-server is not installed: no raw C reference")
    ours = next((b for b in result["bridge"] if b["subscribers"] == n), None)
    if ours:
        result["ratios"] = ratios(ours, {"mirror": result["mirror"], "relay": result["relay"]})
        result["headline"] = headline(ctx, ours, result["mirror"])
    return result


def headline(ctx, bridge, mirror):
    """The headline figures (p99 at 100 changes/s, throughput sustained with p99 within
    50 ms) for the bridge and the mirror at the reference N, from `repeats` ladders of each,
    the repeats alternating so that both see the same machine: this machine is noisy, so
    the median and the spread."""
    n, repeats = ctx.mode.reference_subscribers, ctx.mode.headline_repeats
    bridge_runs, mirror_runs = [bridge], [mirror] if mirror else []
    for run in range(1, repeats):
        ctx.say(f"fan-out headline, run {run + 1} of {repeats}: unicat-bridge and the lws mirror, {n} subscribers")
        bridge_runs.append(bridge_ladder(ctx, n, run))
        if mirror:
            mirror_runs.append(mirror_ladder(ctx, n, run))
    figures = {"runs": repeats, "p99_limit_ms": SUSTAINED_P99_MS}
    for name, runs in (("bridge", bridge_runs), ("mirror", mirror_runs)):
        figures[name] = {
            "p99_at_100_ms": spread([p99_at(ladder, 100) for ladder in runs]),
            "sustained_items_per_second": spread([sustained(ladder) for ladder in runs]),
        }
    return figures


SUSTAINED_P99_MS = 50


def p99_at(ladder, rate):
    step = step_at(ladder, rate)
    return step["latency_ms"]["p99"] if step else None


def sustained(ladder):
    """Changes delivered per second at the highest asked rate whose p99 stayed within the
    limit and that the server kept up with (not peak throughput with a backlog)."""
    kept = [s["delivered_items_per_second"] for s in ladder["steps"]
            if s["rate"] != MAX and not s.get("saturated") and s["latency_ms"]["p99"] is not None
            and s["latency_ms"]["p99"] <= SUSTAINED_P99_MS and s["delivered_items_per_second"]]
    return max(kept) if kept else None


def spread(values):
    measured = [v for v in values if v is not None]
    return {"runs": values, "median": statistics.median(measured) if measured else None,
            "min": min(measured) if measured else None, "max": max(measured) if measured else None}
