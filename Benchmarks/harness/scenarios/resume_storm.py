"""Resume storm: N subscribers drop at once, changes happen meanwhile, and all resume with
their last position (`sync.subscribe` with `since`, inside the journal window): time until
every one has caught up, and the upstream requests made while they did."""
import os

from ..bridge_rpc import LineRPC
from ..change_load import make_changes
from ..loadgen import WebSocketLoad
from ..procfs import CPUMeter
from ..processes import Bridge, Simulator
from .fanout import threads_for


def request_delta(before, after):
    keys = set(before) | set(after)
    return {key: after.get(key, 0) - before.get(key, 0) for key in sorted(keys) if after.get(key, 0) != before.get(key, 0)}


def run(ctx):
    subscribers, missed = ctx.mode.resume_subscribers, ctx.mode.resume_missed_changes
    ctx.say(f"resume storm: {subscribers} subscribers drop, {missed} changes happen, all resume")
    workdir = ctx.scenario_dir("resume-storm")
    simulator = Simulator(workdir)
    # No safety poll: the upstream requests counted meanwhile are the resumes' own.
    bridge = Bridge(ctx.products, simulator, workdir, os.path.join(workdir, "state"),
                    options={"sync": {"safety_poll_seconds": 3600}})
    load = None
    try:
        bridge.wait_healthy()
        control = LineRPC.unix(bridge.unix_path)
        load = WebSocketLoad(ctx.products, bridge.ws_url, workdir, "resume", subscribers, "--subscribe", "rpc",
                             "--connect-concurrency", "500", control=simulator.control_url,
                             threads=threads_for(subscribers))
        connected = load.connected(timeout=300)
        make_changes(simulator, 20, 1.0)
        first_target = simulator.last_cursor()
        load.wait_cursor(first_target, 60)
        dropped = load.drop()
        simulator.control("/changes", {"count": missed})
        target = simulator.last_cursor()
        processed = control.wait_for_cursor(target, 60)
        requests_before = simulator.requests()
        meter = CPUMeter(bridge.pid)
        resumed = load.resume(timeout=300)
        reached = load.wait_cursor(target, 120)
        cpu = meter.fraction()
        requests_after = simulator.requests()
        report = load.report("resume")
        summary = load.stop()
        load = None
        total = resumed["seconds"] + reached["seconds"]
        extra = request_delta(requests_before, requests_after)
        ctx.say(f"  {reached['reached']}/{reached['of']} caught up {total:.2f} s after the resume "
                f"(reconnects {resumed['seconds']:.2f} s); upstream requests meanwhile: {sum(extra.values())}")
        return {"subscribers": subscribers, "connected": connected["established"], "missed_changes": missed,
                "journal_had_them": processed, "drop_seconds": dropped["seconds"],
                "reconnect_seconds": resumed["seconds"], "reconnect_failures": resumed["failed"],
                "caught_up_seconds_after_reconnect": reached["seconds"], "all_caught_up_seconds": total,
                "caught_up": reached["reached"], "of": reached["of"], "timed_out": reached["timed_out"],
                "upstream_requests_during_resume": extra, "upstream_requests_total": sum(extra.values()),
                "bridge_cpu": cpu, "items_replayed": report["window_items"], "order": summary["order"],
                "loadgen_saturated": summary["cpu"]["saturated"]}
    finally:
        if load:
            load.stop()
        bridge.stop()
        simulator.stop()
