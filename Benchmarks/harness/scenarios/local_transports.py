"""Local transports: `bridge.status` and `unicat.get` (of a record the mirror holds) request
latency over the Unix socket (sequential, one in flight), and notifications/s over the Unix socket and stdio, measured as a replay of the
journal (`sync.subscribe` with `since` at the journal's floor) so that the simulator's own
speed does not limit the figure."""
import json
import os
import subprocess

from ..bridge_rpc import LineRPC, held_record
from ..limits import raise_file_limit
from ..loadgen import run_lines
from ..processes import Bridge, Simulator, stop_process

BURST = 1000


def fill_journal(simulator, control, items):
    for _ in range(max(1, items // BURST)):
        simulator.control("/changes", {"count": BURST})
    control.wait_for_cursor(simulator.last_cursor(), 300)


def stdio_replay(ctx, simulator, state, workdir, params, items):
    """The same state, the bridge spawned with --stdio on two pipes the generator holds."""
    bridge_in_read, bridge_in_write = os.pipe()
    bridge_out_read, bridge_out_write = os.pipe()
    env = dict(os.environ, UNICAT_URL=simulator.url, UNICAT_PROJECT=simulator.project,
               UNICAT_API_KEY=simulator.api_key, UNICAT_BRIDGE_STATE_DIR=state, UNICAT_BRIDGE_LOG_LEVEL="warning")
    with open(os.path.join(workdir, "bridge-stdio.log"), "a") as log:
        proc = subprocess.Popen([ctx.products.bridge, "run", "--stdio"], env=env, stdin=bridge_in_read,
                                stdout=bridge_out_write, stderr=log, preexec_fn=raise_file_limit)
    os.close(bridge_in_read)
    os.close(bridge_out_write)
    try:
        return run_lines(ctx.products, workdir, "stdio-replay", "--fds", f"{bridge_out_read},{bridge_in_write}",
                         "--subscribe", params, "--expect-items", str(items), "--timeout", "120",
                         pass_fds=(bridge_out_read, bridge_in_write))
    finally:
        os.close(bridge_in_write)  # stdin EOF: the bridge stops
        os.close(bridge_out_read)
        stop_process(proc)


def run(ctx):
    mode = ctx.mode
    ctx.say(f"local transports: {mode.unix_requests} unicat.get over the Unix socket, "
            f"a {mode.replay_items}-change replay over the Unix socket and stdio")
    workdir = ctx.scenario_dir("local-transports")
    state = os.path.join(workdir, "state")
    simulator = Simulator(workdir)
    try:
        bridge = Bridge(ctx.products, simulator, workdir, state)
        try:
            bridge.wait_healthy()
            control = LineRPC.unix(bridge.unix_path)
            floor = control.call("bridge.status")["journal"]["floor"] or control.position()
            fill_journal(simulator, control, mode.replay_items)
            get_params = json.dumps(held_record(simulator, bridge, control))
            if ctx.profile:
                ctx.profile.attach(bridge.pid, "unix-get")
            requests = run_lines(ctx.products, workdir, "unix-get", "--unix", bridge.unix_path, "--method", "unicat.get",
                                 "--params", get_params, "--count", str(mode.unix_requests), "--warmup", "200")
            if ctx.profile:
                ctx.profile.detach()
            status = run_lines(ctx.products, workdir, "unix-status", "--unix", bridge.unix_path,
                               "--method", "bridge.status", "--count", str(max(200, mode.unix_requests // 4)),
                               "--warmup", "50")
            replay_params = json.dumps({"types": ["records"], "since": floor})
            unix_replay = run_lines(ctx.products, workdir, "unix-replay", "--unix", bridge.unix_path,
                                    "--subscribe", replay_params, "--expect-items", str(mode.replay_items),
                                    "--timeout", "120")
        finally:
            bridge.stop()
        stdio = stdio_replay(ctx, simulator, state, workdir, replay_params, mode.replay_items)
    finally:
        simulator.stop()
    ctx.say(f"  unix unicat.get p50 {requests['latency_ms']['p50'] * 1000:.0f} µs, p99 "
            f"{requests['latency_ms']['p99'] * 1000:.0f} µs; replay {unix_replay['items_per_second']:,.0f} items/s "
            f"(unix), {stdio['items_per_second']:,.0f} items/s (stdio)")
    return {"unix_get": requests, "unix_status": status, "unix_replay": unix_replay, "stdio_replay": stdio}
