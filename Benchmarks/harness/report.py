"""docs/benchmarks/README.md: the run's figures as Markdown tables, with the targets and the
references side by side."""
import os

from .evidence import explain


KIB = 1024


def num(value, digits=1, suffix=""):
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if abs(value) >= 1000:
        return f"{value:,.0f}{suffix}"
    return f"{value:,.{digits}f}{suffix}"


def pct(value):
    return "–" if value is None else f"{value:.0%}"


def table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def targets_section(targets):
    rows = []
    for t in targets:
        verdict = "–" if t["met"] is None else ("met" if t["met"] else "**missed**")
        rows.append([t["target"], f"{num(t['measured'], 2)} {t['unit']}", f"{num(t['goal'], 2)} {t['unit']}", verdict,
                     t["detail"]])
    return "## Targets (issue 11; reported, not asserted)\n\n" + table(["target", "measured", "goal", "", "by how much"], rows)


def fanout_rows(ladder):
    rows = []
    for s in ladder["steps"]:
        latency = s["latency_ms"]
        per_subscriber = s["delivered_items_per_second"] / s["subscribers"] if s["delivered_items_per_second"] else None
        rows.append([f"{s['subscribers']:,}", s["rate"], num(s.get("achieved_change_rate")),
                     num(s["delivered_messages_per_second"]), num(s["delivered_items_per_second"]), num(per_subscriber),
                     num(latency["p50"], 2), num(latency["p99"], 2), num(latency["max"], 1),
                     pct(s["cpu"].get("server")) + busiest_thread(s), pct(s["cpu"].get("simulator")),
                     pct(s["loadgen_cpu"]) + (" (saturated)" if s["loadgen_saturated"] else ""),
                     num(s["drain_seconds"], 2), s.get("saturated") or ""])
    return rows


def busiest_thread(step):
    busiest = step.get("server_busiest_thread")
    return f" (thread {busiest['thread']}: {busiest['fraction']:.0%})" if busiest else ""


FANOUT_HEADERS = ["N", "changes/s asked", "made", "delivered msgs/s", "changes (items)/s", "per subscriber", "p50 ms", "p99 ms", "max ms",
                  "server CPU", "simulator CPU", "loadgen CPU", "drain s", "saturated"]


def fanout_section(fanout):
    parts = ["## Fan-out (WebSocket)\n",
             "Latency is end to end: from the simulator appending the change (`appended_at` in its `/log`) to its "
             "arrival at the subscriber, for up to 1,000 sampled subscribers. CPU is the share of one core. "
             "Throughput counts changes delivered (items): under load the bridge puts several changes in one "
             "message, so messages/s alone would understate it. The \"max\" step makes changes as fast as the "
             "simulator can (back-to-back `POST /changes` bursts): there the simulator is the limit, which the "
             "\"made\" column shows.\n"]
    ceiling = fanout.get("simulator_ceiling")
    if ceiling:
        parts.append(f"The simulator itself makes up to {num(ceiling['made_per_second'], 0)} changes/s but pushes only "
                     f"{num(ceiling['pushed_per_second'], 0)} changes/s to one socket.io client (one event per change, "
                     "in Python): per subscriber, no server here can deliver more than that.\n")
    for ladder in fanout.get("bridge", []):
        parts.append(f"### unicat-bridge, {ladder['subscribers']:,} subscribers "
                     f"({ladder['connected']:,} connected in {ladder['connect_seconds']:.1f} s)\n")
        parts.append(table(FANOUT_HEADERS, fanout_rows(ladder)))
        order = ladder["order"]
        parts.append(f"\nOrder: {order['duplicates']} duplicates, {order['out_of_order']} out of order, "
                     f"{num(order['missing'], 0)} missing.\n")
    if fanout.get("relay"):
        parts.append(f"### Reference: Python relay (python-socketio + websockets), {fanout['relay']['subscribers']:,} subscribers\n")
        parts.append(table(FANOUT_HEADERS, fanout_rows(fanout["relay"])))
    if fanout.get("mirror"):
        parts.append(f"\n### Reference: libwebsockets test server, lws-mirror-protocol, {fanout['mirror']['subscribers']:,} "
                     "receivers\n")
        parts.append("One sender (the load generator's connection 0) at the same rates, then (\"max\") a burst as "
                     "fast as the server takes it. Its messages are ~110 bytes (the mirror splits anything over 128, "
                     "and a few that TCP splits); the bridge's are ~330.\n")
        parts.append(table(FANOUT_HEADERS, fanout_rows(fanout["mirror"])))
    if fanout.get("mirror_points"):
        parts.append("\n### Reference: the lws mirror at the bridge's larger sizes\n")
        parts.append("The same one sender and load generator, one rate each: what raw libwebsockets does on this "
                     "machine with as many receivers as the bridge's larger ladders have subscribers.\n")
        parts.append(table(FANOUT_HEADERS, fanout_rows({"steps": fanout["mirror_points"]})))
    ratios = fanout.get("ratios") or {}
    if ratios:
        rows = []
        for name, entry in ratios.items():
            peaks = entry["peak_items_per_second"]
            rows.append([name, "peak delivered changes/s", num(peaks.get("bridge")), num(peaks.get(name)),
                         num(entry.get("peak_ratio"), 2) + "×"])
            for r in entry["per_rate"]:
                rows.append([name, f"p99 at {r['rate']}/s", num(r["p99_bridge"], 2) + " ms",
                             num(r[f"p99_{name}"], 2) + " ms", num(r["p99_ratio"], 2) + "×"])
        parts.append("\n### Ours as a ratio to the references (same N, same rates)\n")
        parts.append(table(["reference", "figure", "unicat-bridge", "reference", "ratio"], rows))
    headline = fanout.get("headline")
    if headline:
        parts.append(f"\n### Headline figures: median of {headline['runs']} ladders each (lowest – highest)\n")
        parts.append("The bridge's and the mirror's ladders at the reference N, run alternately (the first of each "
                     "is the table above). Sustained throughput is the changes delivered per second at the highest "
                     f"rate kept up with while p99 stayed within {headline['p99_limit_ms']} ms, not peak throughput "
                     "with a backlog.\n")
        rows = []
        for key, label, unit, digits in (("p99_at_100_ms", "p99 at 100 changes/s", " ms", 1),
                                          ("sustained_items_per_second", "throughput sustained with p99 ≤ "
                                           f"{headline['p99_limit_ms']} ms", " changes/s", 0)):
            cells = [label]
            for server in ("bridge", "mirror"):
                figure = (headline.get(server) or {}).get(key) or {}
                cells.append("–" if figure.get("median") is None else
                             f"{num(figure['median'], digits)}{unit} ({num(figure['min'], digits)} – {num(figure['max'], digits)})")
            rows.append(cells)
        parts.append(table(["figure", "unicat-bridge", "lws mirror"], rows))
    for note in fanout.get("notes", []):
        parts.append(f"\nNote: {note}")
    return "\n".join(parts)


def idle_section(idle):
    rows = []
    for name in ("ws", "wss"):
        f = idle.get(name)
        if not f or "rss_per_subscriber_bytes" not in f:
            continue
        rows.append([name, f"{f['established']:,}", num(f["rss_before_bytes"] / 2**20) + " MiB",
                     num(f["rss_after_bytes"] / 2**20) + " MiB", num((f["rss_per_subscriber_bytes"] or 0) / 1024, 2) + " KiB",
                     num((f["kernel_tcp_bytes_per_connection_both_ends"] or 0) / 1024, 2) + " KiB"])
    references = [[r["server"], f"{r['established']:,}", num((r["rss_per_subscriber_bytes"] or 0) / 1024, 2) + " KiB",
                   num(r.get("ratio_ours_to_theirs"), 2) + "×"] for r in idle.get("references", [])]
    return ("## Idle memory\n\n(RSS at N − RSS at 0) / N for the bridge; the kernel's TCP memory "
            "(`/proc/net/sockstat`) counts both ends of each loopback connection.\n\n"
            + table(["transport", "N", "RSS at 0", "RSS at N", "per subscriber", "kernel TCP per connection"], rows)
            + "\n\nThe same idle ws connections on the references (ours as a ratio to theirs):\n\n"
            + table(["reference", "N", "RSS per connection", "unicat-bridge ÷ reference"], references))


def resume_section(r):
    rows = [["subscribers", f"{r['subscribers']:,}"], ["changes missed while down", r["missed_changes"]],
            ["reconnect all (s)", num(r["reconnect_seconds"], 2)],
            ["then all caught up (s)", num(r["caught_up_seconds_after_reconnect"], 2)],
            ["resume → all caught up (s)", num(r["all_caught_up_seconds"], 2)],
            ["caught up", f"{r['caught_up']:,} of {r['of']:,}"],
            ["upstream requests meanwhile", f"{r['upstream_requests_total']} {r['upstream_requests_during_resume'] or ''}"],
            ["bridge CPU meanwhile", pct(r["bridge_cpu"])],
            ["duplicates / out of order / missing",
             f"{r['order']['duplicates']} / {r['order']['out_of_order']} / {num(r['order']['missing'], 0)}"]]
    return "## Resume storm\n\n" + table(["", ""], rows)


def slow_section(s):
    rows = []
    for name in ("baseline", "stalled"):
        p = s[name]
        latency = p["healthy_latency_ms"]
        rows.append([name, f"{p['stall_fraction']:.0%}", p["rate"], p["seconds"], num(latency["p50"], 2),
                     num(latency["p99"], 2), num(latency["max"], 1), f"{num(p['slow_consumers_dropped_total'], 0)} of {p['stalled']}",
                     num((p["bridge_rss_peak_bytes"] or 0) / 2**20) + " MiB", pct(p["bridge_cpu"])])
    return ("## Slow consumers\n\n"
            + table(["phase", "stalled", "changes/s", "seconds", "healthy p50 ms", "healthy p99 ms", "max ms",
                     "cut off (bridge's count, cumulative)", "bridge RSS peak", "bridge CPU"], rows)
            + f"\n\nHealthy p99 change: {pct(s.get('healthy_p99_change'))} over the whole phase; the median of the "
            f"per-second p99s moved {pct(s.get('median_p99_per_second_change'))}. The WebSocket queues are capped at "
            f"{s.get('queue_limits')} here (defaults 10,000 messages, 16 MiB), and stalled subscribers shrink their "
            "receive buffer to 4 KiB, so they overflow within the run.")


def upstream_section(u):
    rows = []
    for f in u["bridge"] + u["pollers"]:
        rows.append([f["client"], f"{f['subscribers']:,}", f["changes"], num(f["record_fetches_per_change"], 2),
                     num(f["requests_per_change"], 2)])
    bridge_cost = max((f["requests_per_change"] for f in u["bridge"]), default=None)
    ratios = [f"{f['subscribers']} polling clients: {num(f['requests_per_change'], 1)} requests per change, the bridge "
              f"{num(bridge_cost, 2)} whatever N ({num(bridge_cost / f['requests_per_change'], 3)}× theirs)"
              for f in u["pollers"] if bridge_cost is not None and f["requests_per_change"]]
    return ("## Upstream efficiency\n\n" + u.get("note", "") + "\n\n" + "".join(f"- {r}\n" for r in ratios) + "\n"
            + table(["client", "subscribers / pollers", "changes", "records/get per change", "all requests per change"],
                    rows))


def restart_section(w):
    rows = [["serving (bridge.status has a position)", num(w["cold_serving_seconds"], 3), num(w["warm_serving_seconds"], 3)],
            ["upstream connected", num(w["cold_connected_seconds"], 3), num(w["warm_connected_seconds"], 3)],
            [f"caught up on {w['missed_while_down']} changes missed while down", "–", num(w["warm_caught_up_seconds"], 3)]]
    return "## Warm restart (seconds from process start, medians)\n\n" + table(["", "cold start", "warm restart"], rows)


def local_section(l):
    get, status = l["unix_get"], l["unix_status"]
    rows = [["Unix socket `unicat.get` (µs)", num(get["latency_ms"]["p50"] * 1000, 0), num(get["latency_ms"]["p99"] * 1000, 0),
             num(get["latency_ms"]["max"] * 1000, 0), num(get["requests_per_second"], 0)],
            ["Unix socket `bridge.status` (µs)", num(status["latency_ms"]["p50"] * 1000, 0),
             num(status["latency_ms"]["p99"] * 1000, 0), num(status["latency_ms"]["max"] * 1000, 0),
             num(status["requests_per_second"], 0)]]
    replay = [[name, f"{r['items']:,}", f"{r['messages']:,}", num(r["items_per_second"], 0), num(r["messages_per_second"], 0),
               num(r["seconds_from_subscribe"], 2)] for name, r in (("Unix socket", l["unix_replay"]), ("stdio", l["stdio_replay"]))]
    return ("## Local transports\n\nRequests one at a time (p50, p99, max, requests/s):\n\n"
            + table(["request", "p50", "p99", "max", "req/s"], rows)
            + "\n\nNotifications: a replay of the journal (`sync.subscribe` with `since` at its floor):\n\n"
            + table(["transport", "items", "notifications", "items/s", "notifications/s", "seconds"], replay))


def growth(small, large):
    if small in (None, 0) or large is None:
        return "–"
    return f"{large / small:.2f}×"


def project_section(p):
    sizes = p["sizes"]
    small, large = sizes[0], sizes[-1]

    def row(name, pick, digits=1, scale=1.0):
        values = [pick(s) for s in sizes]
        values = [None if v is None else v * scale for v in values]
        return [name, *(num(v, digits) for v in values), growth(values[0], values[-1])]

    counts = lambda t: (lambda s: s["counts"][t])
    ms = lambda kind, q: (lambda s: s[kind]["latency_ms"][q])
    rows = [row("records", counts("records"), 0), row("assets", counts("assets"), 0),
            row("fields", counts("fields"), 0), row("definitions", counts("definitions"), 0),
            row("`unicat.init` answer (KiB)", lambda s: s["init_bytes"], 0, 1 / KIB),
            row("simulator start-up (s)", lambda s: s["simulator_start_seconds"], 2),
            row("cold start to serving: `bridge.status` has a position (s)", lambda s: s["cold_serving_seconds"], 3),
            row("cold start to the first `unicat.init` answer (s)", lambda s: s["cold_init_answered_seconds"], 3),
            row("warm restart to serving (s)", lambda s: s["warm_serving_seconds"], 3),
            row("warm restart to the first `unicat.init` answer (s)", lambda s: s["warm_init_answered_seconds"], 3),
            row("`unicat.init` p50 (ms)", ms("init", "p50"), 2), row("`unicat.init` p99 (ms)", ms("init", "p99"), 2),
            row("`unicat.get` record not held yet, p50 (ms)", lambda s: s["get_unheld_ms"]["p50"], 2),
            row("`unicat.get` record not held yet, p99 (ms)", lambda s: s["get_unheld_ms"]["p99"], 2),
            row("`unicat.get` of a batch of keys not held yet (ms)", lambda s: s["get_unheld_batch"]["ms"], 1),
            row("`unicat.get` record held, p50 (µs)", ms("get_held", "p50"), 0, 1000),
            row("`unicat.get` record held, p99 (µs)", ms("get_held", "p99"), 0, 1000),
            row("mirror on disk after a cold start (KiB)", lambda s: s["mirror_cold_bytes"], 0, 1 / KIB),
            row("mirror on disk after the gets (KiB)", lambda s: s["mirror_after_gets"]["total"], 0, 1 / KIB),
            row("bridge RSS when serving after a cold start (MiB)", lambda s: s["rss_serving_bytes"], 1, 1 / 2**20),
            row("bridge RSS after the gets (MiB)", lambda s: s["rss_after_gets_bytes"], 1, 1 / 2**20)]
    batch = large["get_unheld_batch"]["keys"]
    labels = [s["label"] for s in sizes]
    g = lambda pick: pick(large) / pick(small) if pick(small) else float("nan")
    reading = (f"\n\nFrom {labels[0]} to {labels[-1]}: {g(counts('records')):.0f}× the records, "
               f"{g(lambda s: s['init_bytes']):.1f}× the init data (the schema: fields, classes, definitions, "
               f"layouts). `unicat.init` latency follows the init data ({g(ms('init', 'p50')):.1f}× at p50), the "
               f"mirror on disk grows less ({g(lambda s: s['mirror_cold_bytes']):.1f}×: it holds the init data and "
               f"the objects asked for, not every record), start-up a little "
               f"({g(lambda s: s['cold_serving_seconds']):.1f}× cold, {g(lambda s: s['warm_serving_seconds']):.1f}× "
               f"warm), RSS {g(lambda s: s['rss_after_gets_bytes']):.2f}×; a record `unicat.get` does not depend on "
               f"the project's size ({g(ms('get_held', 'p50')):.2f}× held, "
               f"{g(lambda s: s['get_unheld_ms']['p50']):.2f}× not held, at p50).")
    return (f"## Project size: {', '.join(labels)}\n\n"
            + "; ".join(f"{s['label']}: `unicat-sim {' '.join(s['simulator_args']) or '(defaults)'}`" for s in sizes)
            + f". Medians of {len(large['cold'])} cold starts (empty state directory) and {len(large['warm'])} warm "
            "restarts, times from process start; requests over the Unix socket (`unicat.init` and held records timed "
            "by `bridge-loadgen`, records not held yet one by one from Python, each an upstream fetch; the batch is "
            f"{batch} other such keys in one request). The mirror holds the init data plus the objects fetched "
            f"since, not every record. Growth is {labels[-1]} over {labels[0]}.\n\n"
            + table(["", *labels, "growth"], rows) + reading)


def instructions_section(i):
    rows = []
    for f in i["figures"]:
        spread = "–" if f.get("spread") is None else f"{f['spread']:.1%}"
        if f.get("derived"):
            spread = "(difference of the two medians)"
        windows = " → ".join(num(v, 0) for v in f.get("values", [])) or "–"
        rows.append([f["figure"], num(f["per_unit"], 0), spread, windows, f["unit"]])
    upstream = i.get("get_upstream_requests") or {}
    burst = "one at a time" if i["burst"] == 1 else f"in bursts of {i['burst']}"
    return ("## Instructions per unit (callgrind)\n\n"
            "The bridge under valgrind's callgrind (" + i["valgrind"] + "), instrumented only while it works: "
            f"CPU instructions (Ir) per unit, the median of {i['windows']} windows, less an idle window as long "
            f"after each (the bridge by itself: {num(i['idle_per_second'], 0)} instructions/s here). Spread is "
            "(max − min) / median over the windows; windows that climb one after the other are a cost that "
            "grows with the bridge's state (the journal gains every change). The machine's load does not move "
            "these counts as it moves times: judge a hot-path change by them (`Benchmarks/run --only instructions "
            "--skip-build`, before and after; see Benchmarks/README.md). Per window: "
            f"{i['requests']:,} sequential requests on one Unix-socket connection; "
            f"{i['changes']} record changes ({burst}, each delivered to every subscriber before the next) to "
            f"{i['subscribers']} WebSocket subscribers (`bridge-loadgen`, feed mode), then to twice as "
            "many. The held record was stored by the mirror for a subscriber with `include_objects`; upstream "
            "requests during its gets: " + (", ".join(f"{k} {v}" for k, v in upstream.items()) or "none") + ".\n\n"
            + table(["figure", "instructions per unit", "spread", "windows in order", "unit"], rows))


SECTIONS = (("fanout", fanout_section), ("idle_memory", idle_section), ("resume_storm", resume_section),
            ("slow_consumers", slow_section), ("upstream", upstream_section), ("warm_restart", restart_section),
            ("local_transports", local_section), ("project_size", project_section),
            ("instructions", instructions_section))

# Hand-written sections at the end of README.md that Benchmarks/run does not produce: kept as
# they are when the file is rewritten.
KEPT_SECTIONS = ("## Resume churn",)


def kept_tail(old_text):
    """The part of an existing README.md from the first kept section on ("" if none)."""
    starts = [i for i in (old_text.find("\n" + heading) for heading in KEPT_SECTIONS) if i >= 0]
    return old_text[min(starts) + 1:] if starts else ""


def markdown(results, targets, plots, directory):
    meta = results["meta"]
    parts = ["# Benchmarks\n",
             "Generated by `Benchmarks/run` (`--quick` for the short suite). Loopback only, on the machine "
             "described below; the load generator (`bridge-loadgen`, Swift on the libwebsockets client), the "
             "simulator, the bridge and the references share its cores, so figures are comparable within a run, "
             "not across machines.\n",
             table(["", ""], [["mode", meta["mode"]], ["date", meta["date"]], ["commit", meta["commit"]],
                              ["machine", meta["machine"]], ["load average at start", meta["load_average"]],
                              ["suite duration", f"{meta['seconds']:.0f} s"]]),
             "\n" + "\n".join(f"- {note}" for note in meta.get("notes", [])
                               + [f"re-run on {r['date']} ({r['commit']}, load {r['load_average']}): {', '.join(r['scenarios'])}"
                                  for r in meta.get("reruns", [])]), "", targets_section(targets), ""]
    causes = explain(results, targets)
    if causes:
        parts.append("### Where a target is missed: what this run shows\n\n" + "\n".join(f"- {c}" for c in causes) + "\n")
    for path in plots:
        parts.append(f"![{os.path.basename(path)}]({os.path.relpath(path, directory)})\n")
    for key, section in SECTIONS:
        value = results.get(key)
        if value is None:
            continue
        if "error" in value:
            parts.append(f"## {key}\n\nNot measured: {value['error']}\n")
            continue
        try:
            parts.append(section(value) + "\n")
        except (KeyError, TypeError) as error:
            parts.append(f"## {key}\n\nCould not be tabulated ({error!r}); see the JSON.\n")
    for name, profile in (results.get("profiles") or {}).items():
        parts.append(f"## Profile: {name}\n\n`perf record -e cpu-clock -g` on the bridge during that scenario "
                     f"(full: `{profile['file']}`):\n\n```\n" + "\n".join(profile["top"]) + "\n```\n")
    return "\n".join(parts)
