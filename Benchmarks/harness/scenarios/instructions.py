"""Instructions per unit of work: the bridge under callgrind, CPU instructions (Ir) per
answered request over the Unix socket (`bridge.status`; `unicat.get` of a record the mirror
holds) and per change fanned out to WebSocket subscribers. A count of instructions does not
move with the machine's load, so a hot-path change can be judged by it where times are noise.

Each window switches instrumentation on for the work alone; an idle window of the same length
right after (no work: timers, the upstream's heartbeats) is subtracted. Each figure is the
median of `instruction_windows` such pairs, with their spread."""
import os
import statistics
import time

from ..bridge_rpc import LineRPC, held_record
from ..callgrind import Callgrind, missing_tools, prepared_products, valgrind_version
from ..loadgen import WebSocketLoad
from ..processes import Bridge, Simulator

HEALTHY_TIMEOUT = 600  # start-up under valgrind is slow, and slower on a busy machine
CONNECT_TIMEOUT = 600
# The safety poll (every 30 s by default: /sync/cursors, a few million instructions) would
# land in some windows and not in others.
QUIET = {"sync": {"safety_poll_seconds": 3600}}


def measured(cg, ctx, work):
    """`instruction_windows` windows of `work()` (which returns what it did), each followed by
    an idle window as long."""
    runs = []
    for _ in range(ctx.mode.instruction_windows):
        done, instructions, seconds = cg.window(work)
        idle = cg.idle(seconds)
        runs.append({"instructions": instructions, "idle_instructions": idle, "seconds": seconds,
                     "done": done, "net_instructions": instructions - idle})
    return runs


def figure(name, unit, runs, per):
    """Instructions per unit over the runs: `per(run)` is the number of units in one run."""
    values = [run["net_instructions"] / per(run) for run in runs]
    median = statistics.median(values)
    return {"figure": name, "unit": unit, "per_unit": median, "min": min(values), "max": max(values),
            "spread": (max(values) - min(values)) / median if median else None, "values": values,
            "idle_per_unit": statistics.median(run["idle_instructions"] / per(run) for run in runs),
            "idle_per_second": statistics.median(run["idle_instructions"] / run["seconds"] for run in runs),
            "window_seconds": statistics.median(run["seconds"] for run in runs), "runs": runs}


def requests(cg, ctx, control, method, params=None):
    """N sequential requests on one Unix-socket connection (Python: its cost is not counted)."""
    n = ctx.mode.instruction_requests

    def work():
        for _ in range(n):
            control.call(method, params)
        return n

    for _ in range(max(10, n // 10)):  # warm: first-use paths and caches outside the windows
        control.call(method, params)
    return measured(cg, ctx, work)


def changes(simulator, loads, count, burst, timeout=300):
    """`count` record changes in bursts of `burst`, each burst delivered to every subscriber
    before the next. With bursts of one, every change is its own upstream batch, commit and
    message: the same work in every run, however fast the machine (the bridge batches what
    has arrived, so bigger bursts would be split by timing)."""
    made = 0
    while made < count:
        size = min(burst, count - made)
        simulator.control("/changes", {"count": size})
        made += size
        target = simulator.last_cursor()
        for load in loads:
            reached = load.wait_cursor(target, timeout)
            if reached["timed_out"]:
                raise RuntimeError(f"subscribers did not all get the changes: {reached['reached']} of {reached['of']}")
    return made


def subscribers(ctx, bridge, workdir, name, count):
    load = WebSocketLoad(ctx.products, bridge.ws_url, workdir, name, count, "--connect-concurrency", "50")
    connected = load.connected(timeout=CONNECT_TIMEOUT)
    if connected["established"] != count:
        load.stop()
        raise RuntimeError(f"only {connected['established']} of {count} subscribers connected")
    return load


def fanout_runs(cg, ctx, simulator, loads, count):
    """Windows of `instruction_changes` changes to the `count` subscribers of `loads`; checks
    that each got every change."""
    mode = ctx.mode
    changes(simulator, loads, 2 * mode.instruction_burst, mode.instruction_burst)  # warm-up
    for load in loads:
        load.report("warm-up")

    def work():
        made = changes(simulator, loads, mode.instruction_changes, mode.instruction_burst)
        return {"changes": made, "delivered": sum(load.report("window")["window_items"] for load in loads),
                "subscribers": count}

    runs = measured(cg, ctx, work)
    for run in runs:
        done = run["done"]
        if done["delivered"] != done["subscribers"] * done["changes"]:
            raise RuntimeError(f"delivered {done['delivered']} changes, expected {done['subscribers']} × {done['changes']}")
    return runs


def fanout(cg, ctx, simulator, bridge, workdir):
    """K subscribers, then K more: per delivered change and per change at K and, from the
    difference, what one more subscriber adds per change (the per-subscriber part alone)."""
    k = ctx.mode.instruction_subscribers
    loads = []
    try:
        loads.append(subscribers(ctx, bridge, workdir, "instructions-fanout", k))
        at_k = fanout_runs(cg, ctx, simulator, loads, k)
        loads.append(subscribers(ctx, bridge, workdir, "instructions-fanout-more", k))
        at_2k = fanout_runs(cg, ctx, simulator, loads, 2 * k)
        orders = [load.stop()["order"] for load in loads]
        loads = []
    finally:
        for load in loads:
            load.stop()
    delivered = lambda run: run["done"]["delivered"]
    made = lambda run: run["done"]["changes"]
    figures = [figure(f"WebSocket fan-out to {k} subscribers", "delivered change (one change to one subscriber)",
                      at_k, delivered),
               figure(f"WebSocket fan-out to {k} subscribers", "change made (delivered to all of them)", at_k, made),
               figure(f"WebSocket fan-out to {2 * k} subscribers", "delivered change", at_2k, delivered),
               figure(f"WebSocket fan-out to {2 * k} subscribers", "change made", at_2k, made)]
    marginal = (figures[3]["per_unit"] - figures[1]["per_unit"]) / k
    figures.append({"figure": f"one more subscriber ({2 * k} vs {k})", "per_unit": marginal,
                    "unit": "delivered change (the per-subscriber part: framing, queueing, the write)",
                    "spread": None, "derived": True})
    return figures, orders


def run(ctx):
    missing = missing_tools()
    if missing:
        return {"error": f"needs {', '.join(missing)} (valgrind: apt-get install valgrind)"}
    mode = ctx.mode
    workdir = ctx.scenario_dir("instructions")
    products = prepared_products(ctx.products, workdir)
    cg = Callgrind(workdir)
    ctx.say(f"instructions: the bridge under callgrind; {mode.instruction_requests} requests per window, "
            f"{mode.instruction_changes} changes to {mode.instruction_subscribers} and then twice as many "
            f"subscribers; {mode.instruction_windows} windows each")
    simulator = Simulator(workdir)
    bridge = Bridge(products, simulator, workdir, os.path.join(workdir, "state"), prefix=cg.prefix, options=QUIET)
    cg.pid = bridge.pid
    try:
        started = time.monotonic()
        bridge.wait_healthy(timeout=HEALTHY_TIMEOUT)
        ctx.say(f"  healthy under valgrind after {time.monotonic() - started:.0f} s")
        control = LineRPC.unix(bridge.unix_path, timeout=120)
        per_request = lambda run: run["done"]
        figures = [figure("Unix socket `bridge.status`", "answered request", requests(cg, ctx, control, "bridge.status"),
                          per_request)]
        held = held_record(simulator, bridge, control)
        upstream_before = simulator.requests()
        get = requests(cg, ctx, control, "unicat.get", held)
        # Held means served from the mirror: the gets cost Unicat nothing (what the bridge asks
        # by itself meanwhile shows here too).
        get_upstream = {endpoint: count - upstream_before.get(endpoint, 0)
                        for endpoint, count in simulator.requests().items() if count != upstream_before.get(endpoint, 0)}
        figures.append(figure("Unix socket `unicat.get` of a held record", "answered request", get, per_request))
        fanned, orders = fanout(cg, ctx, simulator, bridge, workdir)
        figures += fanned
    finally:
        bridge.stop()
        simulator.stop()
    for f in figures:
        ctx.say(f"  {f['figure']}: {f['per_unit']:,.0f} instructions per {f['unit'].split(' (')[0]}"
                + (f" (spread {f['spread']:.1%})" if f["spread"] is not None else ""))
    return {"valgrind": valgrind_version(), "windows": mode.instruction_windows,
            "requests": mode.instruction_requests, "subscribers": mode.instruction_subscribers,
            "changes": mode.instruction_changes, "burst": mode.instruction_burst,
            "idle_per_second": statistics.median(f["idle_per_second"] for f in figures if "idle_per_second" in f),
            "get_upstream_requests": get_upstream, "orders": orders, "figures": figures}
