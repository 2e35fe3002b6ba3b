"""The issue's targets, checked against a run's figures (reported, never asserted)."""

KIB = 1024


def _target(name, measured, target, unit, met, detail=""):
    return {"target": name, "measured": measured, "goal": target, "unit": unit,
            "met": None if measured is None else met, "detail": detail}


def _amount(value):
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _by(measured, goal, lower_is_better=True):
    if measured is None or not goal:
        return ""
    ratio = measured / goal
    if lower_is_better:
        return "" if measured <= goal else f"missed by {_amount(measured - goal)} ({ratio:.2f}× the target)"
    return "" if measured >= goal else f"missed by {_amount(goal - measured)} ({ratio:.2f} of the target)"


def fanout_step(results, subscribers, rate):
    for ladder in (results.get("fanout") or {}).get("bridge", []):
        if ladder["subscribers"] == subscribers:
            return next((s for s in ladder["steps"] if s["rate"] == rate), None)
    return None


def mirror_point(results, subscribers, rate):
    points = (results.get("fanout") or {}).get("mirror_points") or []
    return next((p for p in points if p["subscribers"] == subscribers and p["rate"] == rate), None)


def worst_p99_below_mirror_saturation(results):
    """The bridge's worst p99 (1,000 subscribers) over the rates the mirror kept up with."""
    fanout = results.get("fanout") or {}
    mirror = fanout.get("mirror") or {}
    kept = [s["rate"] for s in mirror.get("steps", []) if s["rate"] != "max" and not s.get("saturated")]
    ladder = next((b for b in fanout.get("bridge", []) if b["subscribers"] == 1000), None)
    if not kept or not ladder:
        return None
    # The bridge's ladder ends at its first saturated step: that one counts too.
    p99s = [s["latency_ms"]["p99"] for s in ladder["steps"]
            if s["rate"] != "max" and s["rate"] <= max(kept) and s["latency_ms"]["p99"] is not None]
    return max(p99s) if p99s else None


def evaluate(results):
    out = []
    idle = results.get("idle_memory") or {}
    for name, goal in (("ws", 6), ("wss", 20)):
        figures = idle.get(name) or {}
        value = figures.get("rss_per_subscriber_bytes")
        kib = value / KIB if value is not None else None
        established = figures.get("established")
        out.append(_target(f"RSS per idle {name} subscriber ({established:,} connections)" if established
                           else f"RSS per idle {name} subscriber",
                           kib, goal, "KiB", kib is not None and kib <= goal, _by(kib, goal)))

    fanout = results.get("fanout") or {}
    headline = fanout.get("headline") or {}
    bridge, mirror = headline.get("bridge") or {}, headline.get("mirror") or {}
    runs = headline.get("runs")
    ours = (bridge.get("p99_at_100_ms") or {}).get("median")
    theirs = (mirror.get("p99_at_100_ms") or {}).get("median")
    out.append(_target(f"p99, 1,000 subscribers × 100 changes/s (median of {runs}), ≤ the lws mirror's"
                       + (f" ({theirs:,.1f} ms)" if theirs else ""),
                       ours, theirs, "ms", ours is not None and theirs is not None and ours <= theirs, _by(ours, theirs)))
    worst = worst_p99_below_mirror_saturation(results)
    out.append(_target("p99 at every rate up to the mirror's saturation (1,000 subscribers)", worst, 50, "ms",
                       worst is not None and worst <= 50, _by(worst, 50)))
    step = fanout_step(results, 10000, 10)
    p99 = step["latency_ms"]["p99"] if step else None
    reference = mirror_point(results, 10000, 10)
    theirs = reference["latency_ms"]["p99"] if reference else None
    detail = _by(p99, 100) if step else "not measured in this mode"
    if theirs is not None:
        detail += f"{'; ' if detail else ''}the lws mirror on the same load: {theirs:,.0f} ms"
    out.append(_target("p99, 10,000 subscribers × 10 changes/s", p99, 100, "ms", p99 is not None and p99 <= 100, detail))
    ours = (bridge.get("sustained_items_per_second") or {}).get("median")
    theirs = (mirror.get("sustained_items_per_second") or {}).get("median")
    ratio = ours / theirs if ours and theirs else None
    out.append(_target(f"throughput sustained with p99 ≤ 50 ms over the mirror's (median of {runs})", ratio, 2, "×",
                       ratio is not None and ratio >= 2, _by(ratio, 2, lower_is_better=False)))

    resume = results.get("resume_storm") or {}
    seconds = resume.get("all_caught_up_seconds")
    count = resume.get("subscribers")
    out.append(_target(f"{count:,} resumes: all caught up" if count else "resumes: all caught up", seconds, 5, "s",
                       seconds is not None and seconds <= 5 and not resume.get("timed_out"), _by(seconds, 5)))
    extra = resume.get("upstream_requests_total")
    out.append(_target("extra upstream calls during the resume storm", extra, 0, "requests",
                       extra is not None and extra == 0, "" if not extra else f"{extra} requests"))

    slow = results.get("slow_consumers") or {}
    change = slow.get("healthy_p99_change")
    percent = change * 100 if change is not None else None
    out.append(_target("healthy p99 change with 1 % stalled", percent, 10, "%",
                       percent is not None and abs(percent) < 10, _by(abs(percent), 10) if percent is not None else ""))

    upstream = (results.get("upstream") or {}).get("bridge") or []
    worst = max((u["record_fetches_per_change"] for u in upstream), default=None)
    counts = ", ".join(str(u["subscribers"]) for u in upstream)
    out.append(_target(f"upstream fetches per changed object (N = {counts})", worst, 1, "requests",
                       worst is not None and worst <= 1.0, _by(worst, 1)))

    local = results.get("local_transports") or {}
    for key, name in (("unix_status", "bridge.status"), ("unix_get", "unicat.get of a held record")):
        p99 = ((local.get(key) or {}).get("latency_ms") or {}).get("p99")
        micro = p99 * 1000 if p99 is not None else None
        out.append(_target(f"Unix-socket {name} p99", micro, 200, "µs", micro is not None and micro <= 200, _by(micro, 200)))
    for key, name in (("unix_replay", "the Unix socket"), ("stdio_replay", "stdio")):
        rate = (local.get(key) or {}).get("items_per_second")
        out.append(_target(f"journal replay over {name}", rate, 200_000, "items/s",
                           rate is not None and rate >= 200_000, _by(rate, 200_000, lower_is_better=False)))

    project = results.get("project_size") or {}
    sizes = {s["label"]: s for s in project.get("sizes", [])}
    small, large = sizes.get(project.get("small")), sizes.get(project.get("large"))
    if small and large and small is not large:
        label = f"{large['label']} project ({large['counts']['records']:,} records)"
        warm = large.get("warm_serving_seconds")
        out.append(_target(f"{label}: warm restart to serving", warm, 1, "s", warm is not None and warm <= 1,
                           _by(warm, 1)))
        p99 = large["init"]["latency_ms"]["p99"]
        out.append(_target(f"{label}: Unix-socket unicat.init p99", p99, 5, "ms", p99 <= 5, _by(p99, 5)))
        # "Cost growing no faster than the data": each cost's growth against the growth of
        # what it is made of (the init answer for init and start-up, records for the mirror).
        data = large["init_bytes"] / small["init_bytes"]
        worst = max(large[k] / small[k] for k in ("cold_serving_seconds", "warm_serving_seconds"))
        worst = max(worst, large["init"]["latency_ms"]["p50"] / small["init"]["latency_ms"]["p50"],
                    large["mirror_cold_bytes"] / small["mirror_cold_bytes"])
        ratio = worst / data
        out.append(_target(f"{label}: worst cost growth (start-up, init p50, mirror) over the init data's growth "
                           f"({data:.2f}×)", ratio, 1, "×", ratio <= 1, _by(ratio, 1)))
    return out
