"""Steps of increasing change rate against subscribers that are already connected, each
measured the same way whatever serves them (the bridge, the Python relay)."""
from .change_load import MAX, make_changes
from .procfs import BusiestThreadMeter, CPUMeter, rss_bytes


def warm_up(simulator, load, changes=20):
    """A few changes first, so every subscriber has a position and caches are warm."""
    make_changes(simulator, changes, 1.0)
    target = simulator.last_cursor()
    if target is not None:
        load.wait_cursor(target, 30)
    load.report("warm-up")


def step_figures(rate, subscribers, report, reached, cpu, extra=None):
    """What one step delivered: rates over the span from first to last arrival."""
    first, last = report.get("first_arrival"), report.get("last_arrival")
    span = (last - first) if first is not None and last is not None and last > first else None
    latency = report["latency_ms"]
    figures = {
        "rate": rate, "subscribers": subscribers,
        "messages": report["window_messages"], "items": report["window_items"],
        "span_seconds": span,
        "delivered_messages_per_second": report["window_messages"] / span if span else None,
        "delivered_items_per_second": report["window_items"] / span if span else None,
        "latency_ms": {k: latency.get(k) for k in ("count", "p50", "p90", "p99", "p999", "max", "mean")},
        "latency_histogram": latency.get("histogram"),
        "unmatched_samples": report.get("unmatched"),
        "drain_seconds": reached["seconds"], "all_caught_up": not reached["timed_out"],
        "caught_up": reached["reached"], "of": reached["of"],
        "loadgen_cpu": report["cpu"]["process_fraction"], "loadgen_saturated": report["cpu"]["saturated"],
        "cpu": cpu,
        "duplicates": report["totals"]["duplicates"], "out_of_order": report["totals"]["out_of_order"],
    }
    figures.update(extra or {})
    return figures


def saturation_reason(figures, seconds):
    if not figures["all_caught_up"]:
        return "subscribers did not catch up"
    if figures["drain_seconds"] > max(2.0, 0.5 * seconds):
        return f"backlog took {figures['drain_seconds']:.1f} s to drain"
    if figures.get("simulator_limited"):
        return ("the simulator's own limit" if figures["rate"] == "max"
                else "the simulator could not make changes this fast")
    if figures["loadgen_saturated"]:
        return "the load generator saturated"
    return None


def simulator_ladder(ctx, simulator, load, subscribers, server_pid, say):
    """The rate ladder for a server fed by the simulator; stops at the first saturated step."""
    mode = ctx.mode
    warm_up(simulator, load)
    steps = []
    for rate in mode.fanout_rates + (MAX,):
        meters = {"server": CPUMeter(server_pid), "simulator": CPUMeter(simulator.pid)}
        threads = BusiestThreadMeter(server_pid)
        made = make_changes(simulator, rate, mode.fanout_seconds)
        target = simulator.last_cursor()
        reached = load.wait_cursor(target, max(15, 3 * mode.fanout_seconds))
        cpu = {name: meter.fraction() for name, meter in meters.items()}
        busiest = threads.busiest()
        report = load.report(f"{rate}/s")
        figures = step_figures(rate, subscribers, report, reached, cpu, {
            "changes_made": made["changes"], "achieved_change_rate": made["achieved_rate"],
            "change_mode": made["mode"],
            "simulator_limited": rate == MAX or made["achieved_rate"] < 0.9 * rate,
            "server_rss_bytes": rss_bytes(server_pid), "server_busiest_thread": busiest})
        figures["saturated"] = saturation_reason(figures, mode.fanout_seconds)
        steps.append(figures)
        say(f"  {subscribers} subscribers, {rate}/s: {fmt(figures['delivered_items_per_second'])} changes/s in "
            f"{fmt(figures['delivered_messages_per_second'])} msgs/s, "
            f"p99 {fmt(figures['latency_ms']['p99'])} ms, server CPU {cpu['server']:.0%}"
            + (f" (busiest thread {busiest['thread']} {busiest['fraction']:.0%})" if busiest else "")
            + (f" — saturated: {figures['saturated']}" if figures["saturated"] else ""))
        if figures["saturated"]:
            break
    return steps


def fmt(value, digits=1):
    return "n/a" if value is None else f"{value:,.{digits}f}"
