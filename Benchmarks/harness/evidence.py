"""For each missed target, what this run itself shows about the cause: CPU and the busiest
thread (is the bridge CPU-bound or waiting?), whether the load generator saturated, the
top of the profile, the references' figures."""
from .targets import fanout_step


# Targets explained together, by how their names start.
CATEGORIES = {"RSS per idle": "idle", "p99, 1,000": "fan-out", "p99 at every": "fan-out", "p99, 10,000": "fan-out",
              "throughput sustained": "fan-out"}


def _profile_top(results, name, lines=4):
    profile = (results.get("profiles") or {}).get(name)
    return "; ".join(line.split(" - ")[0] for line in profile["top"][:lines]) if profile else None


def _cpu_story(step):
    cpu = step["cpu"].get("server") or 0
    busiest = step.get("server_busiest_thread") or {}
    share = busiest.get("fraction") or 0
    verdict = ("CPU-bound" if cpu >= 0.9 or share >= 0.9 else
               "not CPU-bound (no thread near a full core while the backlog grew: time goes to waiting/hand-offs)")
    # Thread names are cut at 15 characters: Dispatch's pool threads show as "oot.default-qos".
    text = (f"bridge CPU {cpu:.0%} of a core, busiest thread {busiest.get('thread', '?')} at {share:.0%}, "
            f"load generator {step['loadgen_cpu']:.0%}{' (saturated)' if step['loadgen_saturated'] else ''}: {verdict}")
    return text


def explain(results, checked):
    notes = []
    explained = set()
    for target in checked:
        name = target["target"]
        category = next((c for c in CATEGORIES if name.startswith(c)), name)
        if target["met"] is not False or CATEGORIES.get(category, category) in explained:
            continue
        explained.add(CATEGORIES.get(category, category))
        if name.startswith("RSS per idle"):
            name = "RSS per idle subscriber (ws and wss)"
            idle = results.get("idle_memory") or {}
            refs = ", ".join(f"{r['server']} {r['rss_per_subscriber_bytes'] / 1024:.1f} KiB"
                             for r in idle.get("references", []) if r.get("rss_per_subscriber_bytes"))
            notes.append(f"**{name}**: a heap profile (heaptrack, 2,000 idle connections; valgrind's massif cannot "
                         "run this binary) puts what is left per connection in libwebsockets (its connection state and "
                         "a 1 KiB receive buffer, about 3 KiB) and, with TLS, OpenSSL's per-connection state (about "
                         "12 KiB; its idle read and write buffers are released), with about 2 KiB for the plugin, "
                         "the host and the hub's entry. RSS counts only touched pages, so the figures differ a "
                         f"little. References on the same load: {refs or 'not measured'}.")
        elif CATEGORIES.get(category) == "fan-out":
            name = "fan-out throughput, latency and the ratio to the C reference"
            step = fanout_step(results, 1000, 100)
            if step:
                profile = _profile_top(results, "fanout")
                notes.append(f"**{name}**: at 1,000 subscribers × 100 changes/s, {_cpu_story(step)}."
                             + (f" Profile top (on-CPU): {profile}." if profile else ""))
        elif name.startswith("extra upstream"):
            requests = (results.get("resume_storm") or {}).get("upstream_requests_during_resume")
            notes.append(f"**{name}**: requests made while the subscribers resumed: {requests}.")
        elif name.startswith("Unix-socket"):
            profile = _profile_top(results, "unix-get")
            status = ((results.get("local_transports") or {}).get("unix_status") or {}).get("latency_ms", {})
            notes.append(f"**{name}**: `bridge.status` (no store access) takes p50 "
                         f"{(status.get('p50') or 0) * 1000:.0f} µs too, so most of the time is the request's path "
                         "through the transport and the host, not the lookup."
                         + (f" Profile top (on-CPU): {profile}." if profile else " (run with --profile for a profile)"))
        elif "unicat.init p99" in name:
            project = results.get("project_size") or {}
            sizes = project.get("sizes") or []
            if sizes:
                small, large = sizes[0], sizes[-1]
                profile = _profile_top(results, f"init-{large['label']}", 6)
                rate = large["init_bytes"] / (large["init"]["latency_ms"]["p50"] / 1000) / 2**20
                notes.append(f"**{name}**: the answer is {large['init_bytes'] / 1024:,.0f} KiB "
                             f"({large['init_bytes'] / small['init_bytes']:.1f}× the small project's) and p50 "
                             f"{large['init']['latency_ms']['p50']:.2f} ms, i.e. {rate:,.0f} MiB/s: the time grows "
                             "with the answer, as when it is encoded again for every call rather than sent from a "
                             "cached encoding."
                             + (f" Profile top (on-CPU, `unicat.init` on the {large['label']} project): {profile}: "
                                "JSON writing of the value tree (sorted keys) per call." if profile
                                else " (run with --profile for a profile)"))
        elif name.startswith("healthy p99"):
            slow = results.get("slow_consumers") or {}
            notes.append(f"**{name}**: the per-second p99s (plot) show when it moved; cut-offs at "
                         f"{(slow.get('stalled') or {}).get('cut_offs')} s.")
    return notes
