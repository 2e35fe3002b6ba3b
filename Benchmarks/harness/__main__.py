"""Benchmarks/run: the whole suite, or some scenarios; writes docs/benchmarks/."""
import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time

from . import paths, plots, report, targets
from .context import Context
from .modes import MODES
from .profiling import Profiler
from .scenarios import (fanout, idle_memory, instructions, local_transports, project_size, resume_storm,
                        slow_consumers, upstream, warm_restart)
from .setup import build, ensure_mirror_server, say

SCENARIOS = {
    "fanout": fanout, "idle_memory": idle_memory, "resume_storm": resume_storm, "slow_consumers": slow_consumers,
    "upstream": upstream, "warm_restart": warm_restart, "local_transports": local_transports,
    "project_size": project_size, "instructions": instructions,
}
NEEDS = {"fanout": {"WebSocketTransport"}, "idle_memory": {"WebSocketTransport"},
         "resume_storm": {"WebSocketTransport", "UnixSocketTransport"},
         "slow_consumers": {"WebSocketTransport"}, "upstream": {"WebSocketTransport", "UnixSocketTransport"},
         "warm_restart": {"StdioTransport"}, "local_transports": {"UnixSocketTransport", "StdioTransport"},
         "project_size": {"WebSocketTransport", "UnixSocketTransport"},
         "instructions": {"WebSocketTransport", "UnixSocketTransport"}}


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as handle:
            model = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), "")
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({model}), {memory:.0f} GiB, Linux {platform.release()}"


def commit():
    try:
        head = subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], cwd=paths.REPO, text=True).strip()
        dirty = subprocess.run(["git", "diff", "--quiet", "HEAD"], cwd=paths.REPO).returncode != 0
        return head + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def merged(path, fresh, chosen):
    """A partial run (--only) updates the scenarios it ran in the mode's results, keeping the rest."""
    with open(path) as handle:
        results = json.load(handle)
    for name in chosen:
        results[name] = fresh[name]
    results.setdefault("profiles", {}).update(fresh.get("profiles", {}))
    meta = results["meta"]
    meta["scenario_seconds"].update(fresh["meta"]["scenario_seconds"])
    meta.setdefault("reruns", []).append({"date": fresh["meta"]["date"], "commit": fresh["meta"]["commit"],
                                          "scenarios": chosen, "load_average": fresh["meta"]["load_average"]})
    meta["seconds"] = sum(meta["scenario_seconds"].values())
    return results


def write_outputs(results, mode, output):
    """results-<mode>.json, README.md and the plots; the targets table on stdout."""
    checked = targets.evaluate(results)
    results["targets"] = checked
    images = plots.write_all(results, output, mode.name)
    with open(os.path.join(output, f"results-{mode.name}.json"), "w") as handle:
        json.dump(results, handle, indent=1, sort_keys=True)
    readme = os.path.join(output, "README.md")
    tail = ""
    if os.path.exists(readme):
        with open(readme) as handle:
            tail = report.kept_tail(handle.read())
    text = report.markdown(results, checked, images, output)
    with open(readme, "w") as handle:
        handle.write(text + ("\n" + tail if tail else ""))
    print(report.targets_section(checked))


def main():
    parser = argparse.ArgumentParser(prog="Benchmarks/run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="the short suite (about 10 minutes)")
    parser.add_argument("--only", help="comma-separated scenarios: " + ", ".join(SCENARIOS))
    parser.add_argument("--scratch-path", default=os.path.join(paths.REPO, ".build"),
                        help="SwiftPM scratch path of the release build (default .build)")
    parser.add_argument("--skip-build", action="store_true", help="use the products already built")
    parser.add_argument("--profile", action="store_true", help="perf record the bridge during the fan-out")
    parser.add_argument("--keep-workdir", action="store_true", help="keep the logs and state of the run")
    parser.add_argument("--subscribers", type=int, help="a smoke test: this many subscribers everywhere")
    parser.add_argument("--report-only", action="store_true",
                        help="only rewrite README.md and the plots from the mode's results JSON")
    args = parser.parse_args()
    mode = MODES["quick" if args.quick else "full"]
    if args.subscribers:
        mode = mode.smoke(args.subscribers)
    chosen = args.only.split(",") if args.only else list(SCENARIOS)
    unknown = [name for name in chosen if name not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(unknown)}")

    if args.report_only:
        with open(os.path.join(paths.RESULTS, f"results-{mode.name}.json")) as handle:
            write_outputs(json.load(handle), mode, paths.RESULTS)
        return

    load_average = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    if os.getloadavg()[0] > 1.5:
        say(f"benchmarks: warning: load average {load_average}: other work shares the cores, figures will be noisy")
    has_mirror = ensure_mirror_server()
    products = build(args.scratch_path, args.skip_build)
    ctx = Context(products, mode, sys.executable, args.keep_workdir)
    # A smoke test checks the harness: its figures stay out of docs/benchmarks/.
    output = os.path.join(ctx.workdir, "results") if args.subscribers else paths.RESULTS
    os.makedirs(output, exist_ok=True)
    if args.profile and Profiler.available():
        ctx.profile = Profiler(ctx.workdir, output)
    results = {"meta": {"mode": mode.name, "date": time.strftime("%Y-%m-%d %H:%M %Z"), "commit": commit(),
                        "machine": machine(), "load_average": load_average, "notes": list(mode.notes),
                        "scenario_seconds": {}}}
    if not has_mirror:
        results["meta"]["notes"].append("no libwebsockets-test-server: the raw C reference is missing")
    started = time.monotonic()
    for name in chosen:
        missing = sorted(p for p in NEEDS[name] if not products.has_plugin(p))
        if missing:
            results[name] = {"error": f"plugin(s) not built: {', '.join(missing)}"}
            say(f"benchmarks: skipping {name}: {results[name]['error']}")
            continue
        scenario_started = time.monotonic()
        try:
            results[name] = SCENARIOS[name].run(ctx)
        except Exception as error:  # one failed scenario must not lose the others' figures
            results[name] = {"error": f"{type(error).__name__}: {error}"}
            say(f"benchmarks: {name} failed: {results[name]['error']}")
        results["meta"]["scenario_seconds"][name] = round(time.monotonic() - scenario_started, 1)
    results["meta"]["seconds"] = time.monotonic() - started
    if ctx.profile:
        results["profiles"] = ctx.profile.reports

    results_path = os.path.join(output, f"results-{mode.name}.json")
    if args.only and os.path.exists(results_path):
        results = merged(results_path, results, chosen)

    write_outputs(results, mode, output)
    say(f"benchmarks: {mode.name} suite done in {results['meta']['seconds']:.0f} s; see "
        f"{os.path.relpath(os.path.join(output, 'README.md'), paths.REPO)}")
    if args.subscribers:
        args.keep_workdir = True  # its results live there
    if not args.keep_workdir:
        shutil.rmtree(ctx.workdir, ignore_errors=True)
    else:
        say(f"benchmarks: logs and state kept in {ctx.workdir}")


if __name__ == "__main__":
    main()
