"""Resume churn (issue 10, case 6): many WebSocket subscribers, a steady change rate, a small
journal, and every few seconds a tenth of the subscribers disconnecting and, after a pause,
resuming with `since` = the last position they processed. Some pauses are short (resumed from
the journal), some long enough that the journal has moved past them (refilled from Unicat's
/sync/get while the journal keeps pruning). At the end the activity stops, everyone catches up,
and for EVERY subscriber the items it received are exactly the simulator's log from its first
position on, each once, in order per stream, with no sync.reset (the simulator keeps its whole
log, so `resnapshot_required` is never justified here). The bridge's RSS is sampled every
second; once the journal is full and the churn's mix is steady (the subscribers away longest
have come back once), it must not grow by more than CHURN_RSS_GROWTH between the first and the
last third of the rest of the run (medians). The growth from the moment the journal filled, the
peak of the final catch-up and the idle RSS after it are printed too.

Short mode (the suite's default, ~1.5 min): 100 subscribers, 60 s, journal 200, 20 changes/s,
a tenth reconnecting every 5 s.

    Tests/Conformance/run-tests -q -s test_resume_churn.py

Long mode (operators, benchmarks; the issue's figures, ~6 min):

    CHURN_SUBSCRIBERS=500 CHURN_SECONDS=300 CHURN_JOURNAL=2000 CHURN_RATE=20 CHURN_INTERVAL=10 \\
        Tests/Conformance/run-tests -q -s test_resume_churn.py

Environment variables (defaults in brackets):
  CHURN_SUBSCRIBERS [100]   WebSocket subscribers, each on its own connection, no filter
  CHURN_SECONDS [60]        how long the activity and the churn run
  CHURN_JOURNAL [200]       the bridge's journal_size
  CHURN_RATE [20]           the simulator's activity, changes per second
  CHURN_INTERVAL [5]        seconds between two rounds of disconnections
  CHURN_FRACTION [0.1]      share of the subscribers disconnected in each round
  CHURN_ABRUPT [0.3]        share of the disconnections that drop the TCP connection without a
                            close frame (the others close cleanly)
  CHURN_RSS_GROWTH [0.25]   allowed RSS growth, median of the last third over the first third
  CHURN_SEED [random]       seed of the random choices (printed, to replay a run)

Pauses are drawn relative to the journal's span (CHURN_JOURNAL / CHURN_RATE seconds): half of
them up to 0.3 spans, 30 % between 0.3 and 0.9 spans (deep in the journal), 20 % between 1.1 and
1.6 spans (before the journal: refilled from Unicat). The summary and, when something is wrong,
every failing subscriber's sessions (its `since`, the answer, what it got around the gap) are
printed and written to Tests/Conformance/artifacts/resume-churn.json.
"""
import asyncio
import bisect
import collections
import json
import os
import random
import re
import shutil
import statistics
import tempfile
import time

from bridgetest import Simulator
import websockettest

ARTIFACTS = os.path.join(os.path.dirname(__file__), "artifacts")


def setting(name, default, kind=int):
    return kind(os.environ.get(name, default))


SUBSCRIBERS = setting("CHURN_SUBSCRIBERS", 100)
SECONDS = setting("CHURN_SECONDS", 60, float)
JOURNAL = setting("CHURN_JOURNAL", 200)
RATE = setting("CHURN_RATE", 20, float)
INTERVAL = setting("CHURN_INTERVAL", 5, float)
FRACTION = setting("CHURN_FRACTION", 0.1, float)
ABRUPT = setting("CHURN_ABRUPT", 0.3, float)
RSS_GROWTH = setting("CHURN_RSS_GROWTH", 0.25, float)
SEED = setting("CHURN_SEED", random.randrange(1 << 30))


def draw_pause(rng, span):
    """Seconds away: mostly inside the journal, a fifth of the time before it."""
    roll = rng.random()
    if roll < 0.5:
        return rng.uniform(0.2, max(0.3, 0.3 * span))
    if roll < 0.8:
        return rng.uniform(0.3 * span, 0.9 * span)
    return rng.uniform(1.1 * span, 1.6 * span)


def position_text(position):
    return f"{position['epoch']}:{position['cc_cursor']}:{position['cursor']}" if position else "none"


async def open_websocket(url, attempts=20):
    """A client connection as a real client makes it, retrying refused or reset handshakes."""
    from websockets.asyncio.client import connect
    for attempt in range(attempts):
        try:
            return await connect(url, max_size=None, compression=None, ping_interval=None,
                                 open_timeout=30, close_timeout=5)
        except Exception:  # refused, reset, 503/429, handshake timeout
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.2 + 0.1 * attempt)


class Subscriber:
    """One subscriber: `sync.subscribe` (no filter), then every item it is sent, in order, with
    the last position it processed; each connection is a session, resumed from that position."""

    def __init__(self, index, url, probe):
        self.index, self.url, self.probe = index, url, probe
        self.items = []            # (stream, cursor) in arrival order, every session
        self.session_starts = []   # index into items where each session began
        self.sessions = []
        self.resets, self.drops, self.errors = [], [], []
        self.start = self.position = None
        self.ws = self.reader = None
        self.closing = False
        self.away = False

    @property
    def ready(self):
        """Connected, and its subscription answered."""
        return self.ws is not None and not self.away and not self.closing and "result" in self.sessions[-1]

    async def open(self, pause=None, abrupt=None):
        since = self.position
        session = {"n": len(self.sessions), "since": since, "pause": pause, "abrupt_close_before": abrupt,
                   "notifications": 0, "items": 0, "first_items": [], "bridge": dict(self.probe.latest)}
        self.ws = await open_websocket(self.url)
        session["opened_at"] = time.time()
        session["local_port"] = self.ws.local_address[1]
        self.sessions.append(session)
        self.session_starts.append(len(self.items))
        self.closing = self.away = False
        params = {"since": since} if since else {}
        await self.ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "sync.subscribe", "params": params}))
        self.reader = asyncio.create_task(self._read(self.ws, session))

    async def _read(self, ws, session):
        from websockets.exceptions import ConnectionClosed
        try:
            async for raw in ws:
                self._handle(json.loads(raw), session)
        except ConnectionClosed:
            pass
        except Exception as error:  # a message this client cannot read: reported, not hidden
            self.errors.append({"session": session["n"], "error": repr(error)})
        if not self.closing:  # the bridge closed it: reconnect and resume, as a client would
            self.drops.append({"session": session["n"], "at": time.time(), "code": ws.close_code,
                               "reason": ws.close_reason})
            self.ws = None
            await ws.close()
            await asyncio.sleep(0.5)
            await self.open()

    def _handle(self, message, session):
        if "id" in message and "method" not in message:
            if "result" in message:
                result = message["result"]
                session["result"] = {key: result.get(key) for key in ("subscription", "position", "recovered")}
                session["answered_at"] = time.time()
                if self.start is None:
                    self.start = self.position = result["position"]
            else:
                session["error"] = message.get("error")
                self.errors.append({"session": session["n"], "error": message.get("error")})
            return
        method, params = message.get("method"), message.get("params", {})
        if "result" not in session:
            self.errors.append({"session": session["n"], "error": f"{method} before the answer to sync.subscribe"})
        if method == "sync.changes":
            items = params["items"]
            self.items.extend((item["type"], item["cursor"]) for item in items)
            if len(session["first_items"]) < 8:
                session["first_items"] += [(i["type"], i["cursor"]) for i in items][:8 - len(session["first_items"])]
            session["notifications"] += 1
            session["items"] += len(items)
            self.position = params["position"]
        elif method == "sync.reset":
            self.resets.append({"session": session["n"], "since": session["since"], "reason": params.get("reason"),
                                "position": params.get("position"), "at": time.time(),
                                "items_before": len(self.items)})
            self.position = params.get("position") or self.position

    async def close(self, abrupt=False):
        """Stops processing at once (what arrives later is not processed), then disconnects."""
        self.closing = True
        reader, ws = self.reader, self.ws
        if reader:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
        if ws is not None:
            self.sessions[-1]["closed_at"] = time.time()
            self.sessions[-1]["abrupt"] = abrupt
            if abrupt and getattr(ws, "transport", None) is not None:
                ws.transport.abort()
            else:
                try:
                    await asyncio.wait_for(ws.close(), 10)
                except Exception:
                    pass
        self.ws = self.reader = None

    def reached(self, cursors):
        return (self.position is not None and self.ready and self.position["cc_cursor"] >= cursors["cc.cursor"]
                and self.position["cursor"] >= cursors["cursor"])

    def session_of(self, item_index):
        return self.sessions[max(0, bisect.bisect_right(self.session_starts, item_index) - 1)]


class StatusProbe:
    """`bridge.status` once a second on a connection of its own; the latest figures are kept
    (each session records them, to say where the journal was when it resumed)."""

    def __init__(self, url):
        self.url = url
        self.latest = {}
        self.samples = []
        self.journal_full_at = None

    async def run(self, stop):
        ws = await open_websocket(self.url)
        next_id = 0
        try:
            while not stop.is_set():
                next_id += 1
                await ws.send(json.dumps({"jsonrpc": "2.0", "id": next_id, "method": "bridge.status"}))
                while True:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 30))
                    if message.get("id") == next_id:
                        break
                status = message["result"]
                journal = status["journal"]
                self.latest = {"position": status["position"], "journal_floor": journal.get("floor"),
                               "journal_entries": journal["entries"], "journal_capacity": journal["capacity"]}
                self.samples.append({"at": time.time(), **self.latest, "subscribers": status["subscribers"]})
                if self.journal_full_at is None and journal["entries"] >= journal["capacity"]:
                    self.journal_full_at = time.time()
                try:
                    await asyncio.wait_for(stop.wait(), 1)
                except asyncio.TimeoutError:
                    pass
        finally:
            await ws.close()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as handle:
        return int(re.search(r"^VmRSS:\s+(\d+) kB", handle.read(), re.M).group(1))


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def sample_rss(pid, samples, stop):
    while not stop.is_set():
        samples.append((time.time(), rss_kib(pid)))
        try:
            await asyncio.wait_for(stop.wait(), 1)
        except asyncio.TimeoutError:
            pass


async def churn_run(simulator, bridge, rng):
    url = websockettest.listening_url(bridge) + "/"
    span = JOURNAL / RATE
    end, stop_probes = asyncio.Event(), asyncio.Event()
    probe = StatusProbe(url)
    rss = []
    probe_task = asyncio.create_task(probe.run(stop_probes))
    rss_task = asyncio.create_task(sample_rss(bridge.proc.pid, rss, stop_probes))
    while not (probe.latest.get("position")):
        await asyncio.sleep(0.1)
        assert bridge.proc.poll() is None, bridge.log[-3000:]

    subscribers = [Subscriber(index, url, probe) for index in range(SUBSCRIBERS)]
    for first in range(0, SUBSCRIBERS, 25):
        await asyncio.gather(*(s.open() for s in subscribers[first:first + 25]))
    deadline = time.time() + 60
    while not all("result" in s.sessions[0] or s.errors for s in subscribers):
        assert time.time() < deadline, "not every subscriber was answered"
        await asyncio.sleep(0.1)

    cpu_before, started = cpu_seconds(bridge.proc.pid), time.time()
    await asyncio.to_thread(simulator.control, "/settings", {"activity": RATE})
    reconnects, rounds = [], 0

    async def come_back(subscriber, pause, abrupt):
        try:
            await asyncio.wait_for(end.wait(), pause)
        except asyncio.TimeoutError:
            pass
        await subscriber.open(pause=pause, abrupt=abrupt)

    while time.time() - started + INTERVAL <= SECONDS:
        await asyncio.sleep(max(0, started + (rounds + 1) * INTERVAL - time.time()))
        rounds += 1
        candidates = [s for s in subscribers if s.ready]
        for subscriber in rng.sample(candidates, min(len(candidates), max(1, round(FRACTION * SUBSCRIBERS)))):
            abrupt, pause = rng.random() < ABRUPT, draw_pause(rng, span)
            await subscriber.close(abrupt)
            subscriber.away = True
            reconnects.append(asyncio.create_task(come_back(subscriber, pause, abrupt)))
    await asyncio.sleep(max(0, started + SECONDS - time.time()))

    # The end: the activity stops (the simulator makes changes whole, between requests), the
    # subscribers still away come back at once, and everyone catches up to the last cursors.
    await asyncio.to_thread(simulator.control, "/settings", {"activity": 0})
    run_seconds, cpu_after = time.time() - started, cpu_seconds(bridge.proc.pid)
    final = await asyncio.to_thread(simulator.control, "/cursors")
    stopped_at = catch_up_started = time.time()
    end.set()
    await asyncio.gather(*reconnects)
    deadline = catch_up_started + max(60, 2 * span)
    while not all(s.reached(final) for s in subscribers):
        if time.time() > deadline or bridge.proc.poll() is not None:
            break
        await asyncio.sleep(0.2)
    catch_up_seconds = time.time() - catch_up_started
    caught_up = sum(1 for s in subscribers if s.reached(final))
    caught_up_at = time.time()
    await asyncio.sleep(3)  # idle, connected: anything beyond the last cursor would show up now
    for subscriber in subscribers:
        await subscriber.close()
    closed_at = time.time()
    await asyncio.sleep(3)  # idle, every subscriber gone
    stop_probes.set()
    await asyncio.gather(probe_task, rss_task, return_exceptions=True)
    return {"subscribers": subscribers, "final": final, "rss": rss, "probe": probe, "rounds": rounds,
            "started": started, "stopped_at": stopped_at, "caught_up_at": caught_up_at, "closed_at": closed_at,
            "run_seconds": run_seconds, "catch_up_seconds": catch_up_seconds,
            "caught_up": caught_up, "bridge_cpu": (cpu_after - cpu_before) / run_seconds}


def check_subscriber(subscriber, entries, oldest):
    """The problems of one subscriber: its items against the simulator's log."""
    problems = []
    if subscriber.start is None:
        return [{"kind": "never answered", "errors": subscriber.errors}]
    # Windows of the log it must have: from its start, and after a justified reset from the
    # reset's position (resnapshot_required for a range the simulator no longer holds).
    windows, lower = [], subscriber.start
    for reset in subscriber.resets:
        since = reset["since"] or subscriber.start
        justified = reset["reason"] == "resnapshot_required" and (
            oldest["project"] > since["cursor"] + 1 or oldest["cc"] > since["cc_cursor"] + 1)
        reset["justified"] = justified
        if not justified:
            problems.append({"kind": "unexpected sync.reset", **reset,
                             "session": subscriber.sessions[reset["session"]]})
        else:
            windows.append((lower, since))
            lower = reset["position"]
    windows.append((lower, None))

    def wanted(stream, cursor):
        key = "cc_cursor" if stream == "cc" else "cursor"
        return any(cursor > low[key] and (high is None or cursor <= high[key]) for low, high in windows)

    for stream in ("project", "cc"):
        expected = [cursor for kind, cursor in entries if kind == stream and wanted(stream, cursor)]
        received = [(index, cursor) for index, (kind, cursor) in enumerate(subscriber.items) if kind == stream]
        got = [cursor for _, cursor in received]
        if got == expected:
            continue
        counts = collections.Counter(got)
        duplicates = sorted(cursor for cursor, n in counts.items() if n > 1)
        missing = sorted(set(expected) - set(got))
        extra = sorted(set(got) - set(expected))
        rank = {cursor: n for n, cursor in enumerate(expected)}
        gaps, disorder = [], []
        previous = (None, -1)
        for index, cursor in received:
            if cursor not in rank:
                continue
            if rank[cursor] > previous[1] + 1:
                gaps.append((previous[0], cursor, index))
            elif rank[cursor] <= previous[1]:
                disorder.append((previous[0], cursor, index))
            if rank[cursor] > previous[1]:
                previous = (cursor, rank[cursor])
        if expected and previous[1] < len(expected) - 1:
            gaps.append((previous[0], None, len(subscriber.items)))
        for kind, found in (("gap", gaps), ("duplicate or out of order", disorder)):
            for before, after, index in found[:5]:
                session = subscriber.session_of(index)
                problems.append({
                    "kind": kind, "stream": stream, "received": f"{'cursor %s' % before if before is not None else 'the start'} then "
                                                  f"{'cursor %s' % after if after is not None else 'nothing more'}",
                    "in_session": session["n"], "session_since": position_text(session["since"]),
                    "at_session_start": index == subscriber.session_starts[session["n"]],
                    "session": session})
        problems.append({"kind": "summary", "stream": stream, "missing": len(missing), "missing_first": missing[:20],
                         "duplicates": len(duplicates), "duplicates_first": duplicates[:20], "extra": extra[:20],
                         "gaps": len(gaps), "out_of_order": len(disorder)})
    for error in subscriber.errors:
        problems.append({"kind": "error", **error})
    return problems


def rss_summary(rss, outcome, journal_full_at, steady_from):
    """RSS in KiB: medians of the first and last thirds of the samples taken while the activity
    ran with the journal full (`growth`), and from the time the churn reached its steady mix
    (`steady_growth`, the one asserted); then the catch-up burst and the idle bridge after it."""

    def window(start):
        samples = [kib for t, kib in rss if start <= t <= outcome["stopped_at"]]
        if len(samples) < 9:
            return {"samples": len(samples)}
        third = len(samples) // 3
        first, last = samples[:third], samples[-third:]
        return {"samples": len(samples), "first_third_median_kib": statistics.median(first),
                "first_third_max_kib": max(first), "last_third_median_kib": statistics.median(last),
                "last_third_max_kib": max(last), "growth": statistics.median(last) / statistics.median(first) - 1}

    def last_before(moment):
        return ([kib for t, kib in rss if t <= moment] or [None])[-1]

    catch_up = [kib for t, kib in rss if outcome["stopped_at"] <= t <= outcome["caught_up_at"] + 1]
    return {"samples": len(rss), "at_start_kib": rss[0][1] if rss else None,
            "journal_full": window(journal_full_at), "steady": window(max(journal_full_at, steady_from)),
            "peak_during_run_kib": max([kib for t, kib in rss if t <= outcome["stopped_at"]], default=None),
            "peak_during_catch_up_kib": max(catch_up, default=None),
            "idle_after_catch_up_kib": last_before(outcome["closed_at"]),
            "after_disconnect_kib": rss[-1][1] if rss else None}


def test_every_resuming_subscriber_gets_every_change_once_and_rss_stays_flat():
    rng = random.Random(SEED)
    simulator = Simulator()
    directory = tempfile.mkdtemp(prefix="conformance-churn-")
    bridge = None
    try:
        bridge = websockettest.start_websocket_bridge(
            simulator, os.path.join(directory, "state"), config={"journal_size": JOURNAL},
            max_connections_per_ip=SUBSCRIBERS + 50)
        outcome = asyncio.run(churn_run(simulator, bridge, rng))
        alive = bridge.proc.poll() is None
        log_text = bridge.log
        log = simulator.control("/log")["entries"]
        entries = [(e["item"]["type"], e["item"]["cursor"]) for e in log]
    finally:
        if bridge:
            bridge.stop()
            os.makedirs(ARTIFACTS, exist_ok=True)
            shutil.copy(bridge.log_path, os.path.join(ARTIFACTS, "resume-churn-bridge.log"))
        simulator.stop()
        shutil.rmtree(directory, ignore_errors=True)

    subscribers, final, probe = outcome["subscribers"], outcome["final"], outcome["probe"]
    oldest = {stream: min((c for k, c in entries if k == stream), default=0) for stream in ("project", "cc")}
    problems = {s.index: check_subscriber(s, entries, oldest) for s in subscribers}
    problems = {index: found for index, found in problems.items() if found}
    # The churn's mix is steady once the first subscribers away longest (1.6 journal spans)
    # have come back; until then no resume reaches before the journal.
    steady_from = outcome["started"] + INTERVAL + 1.6 * JOURNAL / RATE
    resumes = [session for s in subscribers for session in s.sessions if session["since"]]
    # How far back each resume was: the changes made after its `since` until it subscribed.
    project_log = [(e["item"]["cursor"], e["appended_at"]) for e in log if e["item"]["type"] == "project"]
    appended = [at for _, at in project_log]
    cursors = [cursor for cursor, _ in project_log]
    for session in resumes:
        session["depth"] = max(0, bisect.bisect_right(appended, session["opened_at"])
                               - bisect.bisect_right(cursors, session["since"]["cursor"]))
    depths = [session["depth"] for session in resumes]
    before_journal = sum(1 for depth in depths if depth > JOURNAL)
    summary = {
        "seed": SEED, "subscribers": SUBSCRIBERS, "seconds": SECONDS, "journal_size": JOURNAL, "rate": RATE,
        "interval": INTERVAL, "fraction": FRACTION, "rounds": outcome["rounds"],
        "run_seconds": round(outcome["run_seconds"], 1), "catch_up_seconds": round(outcome["catch_up_seconds"], 1),
        "changes": final["cursor"] - min(s.start["cursor"] for s in subscribers if s.start),
        "final_cursors": final,
        "resumes": len(resumes), "resumes_before_journal": before_journal,
        "resume_depth_median": statistics.median(depths) if depths else None,
        "resume_depth_max": max(depths) if depths else None,
        "abrupt_disconnects": sum(1 for s in resumes if s.get("abrupt_close_before")),
        "deliveries": sum(len(s.items) for s in subscribers),
        "caught_up": outcome["caught_up"],
        "gaps": sum(p["gaps"] for found in problems.values() for p in found if p["kind"] == "summary"),
        "missing_items": sum(p["missing"] for found in problems.values() for p in found if p["kind"] == "summary"),
        "duplicates": sum(p["duplicates"] for found in problems.values() for p in found if p["kind"] == "summary"),
        "out_of_order": sum(p["out_of_order"] for found in problems.values() for p in found if p["kind"] == "summary"),
        "resets": sum(len(s.resets) for s in subscribers),
        "dropped_by_bridge": sum(len(s.drops) for s in subscribers),
        "subscribers_with_problems": len(problems),
        "journal_full_after_seconds": (round(probe.journal_full_at - outcome["started"], 1)
                                       if probe.journal_full_at else None),
        "steady_after_seconds": round(max(probe.journal_full_at or float("inf"), steady_from) - outcome["started"], 1),
        "rss": rss_summary(outcome["rss"], outcome, probe.journal_full_at or float("inf"), steady_from),
        "bridge_cpu_share_of_a_core": round(outcome["bridge_cpu"], 2),
        "bridge_alive": alive,
    }
    interesting = [line for line in log_text.splitlines()
                   if re.search(r"warning|error|critical|cannot resume|reset|slow consumer", line, re.I)]
    os.makedirs(ARTIFACTS, exist_ok=True)
    with open(os.path.join(ARTIFACTS, "resume-churn.json"), "w") as handle:
        json.dump({"summary": summary, "problems": {str(k): v for k, v in problems.items()},
                   "rss_samples": outcome["rss"], "status_samples": probe.samples[::5],
                   "bridge_log_notable": interesting[-500:]}, handle, indent=1, default=str)

    rss = summary["rss"]
    print(f"\nresume churn: {SUBSCRIBERS} subscribers, {summary['run_seconds']} s at {RATE:g} changes/s, "
          f"journal {JOURNAL}, {FRACTION:.0%} reconnecting every {INTERVAL:g} s (seed {SEED})")
    print(f"  changes {summary['changes']}, rounds {summary['rounds']}, resumes {summary['resumes']} "
          f"({summary['resumes_before_journal']} from before the journal, depth median "
          f"{summary['resume_depth_median']}, max {summary['resume_depth_max']}), "
          f"{summary['abrupt_disconnects']} of the disconnections abrupt")
    print(f"  deliveries {summary['deliveries']}, gaps {summary['gaps']} ({summary['missing_items']} items), "
          f"duplicates {summary['duplicates']}, out of order {summary['out_of_order']}, resets {summary['resets']}, "
          f"dropped by the bridge {summary['dropped_by_bridge']}, caught up {summary['caught_up']}/{SUBSCRIBERS} "
          f"in {summary['catch_up_seconds']} s, bridge CPU {summary['bridge_cpu_share_of_a_core']:.0%}")
    mib = lambda kib: f"{kib / 1024:.1f}" if kib is not None else "-"
    for name, label in (("journal_full", "journal full"), ("steady", "steady mix")):
        window = rss[name]
        if "growth" in window:
            print(f"  RSS, {label} ({window['samples']} samples): first third median {mib(window['first_third_median_kib'])}"
                  f" MiB (max {mib(window['first_third_max_kib'])}), last third median "
                  f"{mib(window['last_third_median_kib'])} MiB (max {mib(window['last_third_max_kib'])}), "
                  f"growth {window['growth']:+.1%}")
    print(f"  RSS: at start {mib(rss['at_start_kib'])} MiB, peak while running {mib(rss['peak_during_run_kib'])}, "
          f"peak during the final catch-up {mib(rss['peak_during_catch_up_kib'])}, idle after it "
          f"{mib(rss['idle_after_catch_up_kib'])}, after every subscriber left {mib(rss['after_disconnect_kib'])} MiB; "
          f"journal full after {summary['journal_full_after_seconds']} s, steady mix after "
          f"{summary['steady_after_seconds']} s")
    for index, found in list(problems.items())[:10]:
        print(f"  subscriber {index} (start {position_text(subscribers[index].start)}):")
        for problem in found[:6]:
            print("    " + json.dumps(problem, default=str)[:1500])
    for line in interesting[-20:] if problems else []:
        print("  bridge: " + line[:300])

    assert alive, "the bridge exited during the run"
    assert not problems, (f"{len(problems)} of {SUBSCRIBERS} subscribers did not get exactly the simulator's log "
                          f"(seed {SEED}); first: {json.dumps(next(iter(problems.items())), default=str)[:3000]}")
    assert summary["resumes_before_journal"] > 0 or SECONDS < 3 * JOURNAL / RATE, \
        "no resume fell before the journal: the refill from Unicat was not exercised"
    assert summary["changes"] >= RATE * SECONDS / 2, f"the activity did not run: {summary['changes']} changes"
    steady = rss["steady"]
    assert "growth" in steady, f"too few RSS samples once the journal was full and the churn steady: {rss}"
    assert steady["growth"] <= RSS_GROWTH, \
        f"the bridge's RSS grew {steady['growth']:.1%} with the journal full (allowed {RSS_GROWTH:.0%}): {rss}"
