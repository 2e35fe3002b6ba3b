"""Project size: the same figures on the simulator's small project (the demo catalogue) and a
bigger one (`unicat-sim --project-size medium|large`): cold start to serving (an empty state
directory, until `bridge.status` has a position and `unicat.init` answers over the Unix
socket), warm restart to serving, `unicat.init` latency, `unicat.get` latency for records the
mirror does not hold yet (each an upstream fetch) and for ones it holds, the mirror's size on
disk and the bridge's RSS. The report puts each figure of the big project beside the small
one's, with the ratio."""
import json
import os
import shutil
import statistics
import time

from ..bridge_rpc import LineRPC, held_record
from ..loadgen import run_lines
from ..processes import Bridge, Simulator
from ..procfs import rss_bytes


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def latency(values_ms):
    return {"p50": percentile(values_ms, 50), "p99": percentile(values_ms, 99), "max": max(values_ms),
            "count": len(values_ms)}


def mirror_bytes(state):
    files = {name: os.path.getsize(os.path.join(state, name))
             for name in ("bridge.sqlite", "bridge.sqlite-wal") if os.path.exists(os.path.join(state, name))}
    return {"files": files, "total": sum(files.values())}


def start_until_serving(ctx, simulator, workdir, state, timeout=300):
    """A bridge on `state`: seconds from spawn until bridge.status has a position and until
    the first unicat.init is answered (both over the Unix socket). Returns (bridge, figures)."""
    bridge = Bridge(ctx.products, simulator, workdir, state)
    deadline = bridge.started_at + timeout
    control = LineRPC.unix(bridge.unix_path, timeout=timeout)
    while True:
        if bridge.proc.poll() is not None:
            raise RuntimeError(f"the bridge exited with status {bridge.proc.returncode}; see {bridge.log.name}")
        if control.call("bridge.status").get("position"):
            serving = time.monotonic() - bridge.started_at
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"the bridge did not serve within {timeout} s")
        time.sleep(0.005)
    init = control.call("unicat.init")
    answered = time.monotonic() - bridge.started_at
    figures = {"serving_seconds": serving, "init_answered_seconds": answered,
               "init_bytes": len(json.dumps(init, separators=(",", ":")))}
    return bridge, control, figures


def measure_size(ctx, label, sim_args):
    mode = ctx.mode
    workdir = ctx.scenario_dir(f"project-size-{label}")
    started = time.monotonic()
    simulator = Simulator(workdir, *sim_args)
    result = {"label": label, "simulator_args": list(sim_args),
              "simulator_start_seconds": time.monotonic() - started}
    try:
        result["counts"] = simulator.control("/counts")
        total = result["counts"]["records"]
        step = max(1, total // (2 * mode.project_get_keys))
        keys = simulator.control(f"/keys/records?offset=0&limit={total}")["keys"][::step]
        cold, warm = [], []
        for attempt in range(mode.project_runs):
            state = os.path.join(workdir, f"cold-{attempt}")
            bridge, _, figures = start_until_serving(ctx, simulator, workdir, state)
            figures["rss_bytes"] = rss_bytes(bridge.pid)
            figures["mirror"] = mirror_bytes(state)
            bridge.stop()
            cold.append(figures)
            if attempt < mode.project_runs - 1:
                shutil.rmtree(state, ignore_errors=True)
        state = os.path.join(workdir, f"cold-{mode.project_runs - 1}")
        for attempt in range(mode.project_runs):
            bridge, control, figures = start_until_serving(ctx, simulator, workdir, state)
            if attempt < mode.project_runs - 1:
                bridge.stop()
                warm.append(figures)
                continue
            warm.append(figures)
            profiled = ctx.profile and (label, sim_args) == mode.project_sizes[-1]
            if profiled:
                ctx.profile.attach(bridge.pid, f"init-{label}")
            result["init"] = run_lines(ctx.products, workdir, f"init-{label}", "--unix", bridge.unix_path,
                                       "--method", "unicat.init", "--count", str(mode.project_init_requests),
                                       "--warmup", "5")
            if profiled:
                ctx.profile.detach()
            unheld_keys, held_keys = keys[:mode.project_get_keys], keys[mode.project_get_keys:]
            unheld = []
            for key in unheld_keys:
                t = time.perf_counter()
                answer = control.call("unicat.get", {"data_type": "records", "key": key})
                unheld.append((time.perf_counter() - t) * 1000)
                assert key in answer["objects"], answer
            result["get_unheld_ms"] = latency(unheld)
            batch = held_keys[:mode.project_get_keys]
            t = time.perf_counter()
            answer = control.call("unicat.get", {"data_type": "records", "keys": batch})
            result["get_unheld_batch"] = {"keys": len(batch), "ms": (time.perf_counter() - t) * 1000,
                                          "objects": len(answer["objects"])}
            result["get_held"] = run_lines(ctx.products, workdir, f"get-{label}", "--unix", bridge.unix_path,
                                           "--method", "unicat.get", "--params",
                                           json.dumps(held_record(simulator, bridge, control)),
                                           "--count", str(mode.project_held_requests), "--warmup", "50")
            result["rss_after_gets_bytes"] = rss_bytes(bridge.pid)
            result["mirror_after_gets"] = mirror_bytes(state)
            bridge.stop()
        result["cold"], result["warm"] = cold, warm
    finally:
        simulator.stop()
    for phase in ("cold", "warm"):
        runs = result[phase]
        result[f"{phase}_serving_seconds"] = statistics.median(r["serving_seconds"] for r in runs)
        result[f"{phase}_init_answered_seconds"] = statistics.median(r["init_answered_seconds"] for r in runs)
    result["init_bytes"] = warm[-1]["init_bytes"]
    result["rss_serving_bytes"] = statistics.median(r["rss_bytes"] for r in cold)
    result["mirror_cold_bytes"] = statistics.median(r["mirror"]["total"] for r in cold)
    ctx.say(f"  {label}: {result['counts']['records']:,} records; serving after "
            f"{result['cold_serving_seconds']:.3f} s cold, {result['warm_serving_seconds']:.3f} s warm; "
            f"unicat.init p99 {result['init']['latency_ms']['p99']:.2f} ms; mirror "
            f"{result['mirror_after_gets']['total'] / 2**20:.1f} MiB; RSS {result['rss_after_gets_bytes'] / 2**20:.1f} MiB")
    return result


def run(ctx):
    mode = ctx.mode
    ctx.say(f"project size: {', '.join(label for label, _ in mode.project_sizes)}; {mode.project_runs} cold and "
            f"{mode.project_runs} warm starts each")
    sizes = [measure_size(ctx, label, args) for label, args in mode.project_sizes]
    return {"sizes": sizes, "small": sizes[0]["label"], "large": sizes[-1]["label"]}
