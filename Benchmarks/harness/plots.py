"""PNG plots of a run (matplotlib, Agg backend), written next to the results."""
import os

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)


def _ladders(fanout):
    ladders = [(f"unicat-bridge, {b['subscribers']:,}", b) for b in fanout.get("bridge", [])]
    for key, label in (("relay", "Python relay"), ("mirror", "lws mirror (C)")):
        if fanout.get(key):
            ladders.append((f"{label}, {fanout[key]['subscribers']:,}", fanout[key]))
    return ladders


def fanout_plots(fanout, directory, mode):
    files = []
    figure, (throughput, latency) = plt.subplots(1, 2, figsize=(12, 4.5))
    for label, ladder in _ladders(fanout):
        steps = [s for s in ladder["steps"] if isinstance(s["rate"], (int, float))]  # not "max"
        rates = [s["rate"] for s in steps]
        line, = throughput.plot(rates, [s["delivered_items_per_second"] or 0 for s in steps], marker="o", label=label)
        peak = max((s["delivered_items_per_second"] or 0 for s in ladder["steps"]), default=0)
        if peak:
            throughput.axhline(peak, color=line.get_color(), linestyle="--", linewidth=0.8)
        latency.plot(rates, [s["latency_ms"]["p99"] or float("nan") for s in steps], marker="o", label=label)
    throughput.set(xscale="log", yscale="log", xlabel="changes per second", ylabel="changes delivered per second (all subscribers)",
                   title="Fan-out throughput (dashed: peak, incl. the \"max\" step)")
    latency.set(xscale="log", yscale="log", xlabel="changes per second", ylabel="p99 latency (ms)",
                title="End-to-end p99 (simulator append → subscriber)")
    latency.axhline(5, color="grey", linestyle=":", label="target at 100/s: 5 ms")
    for axes in (throughput, latency):
        axes.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda value, _: f"{value:g}"))
        axes.grid(True, which="both", alpha=0.3)
        axes.legend(fontsize=8)
    figure.tight_layout()
    path = os.path.join(directory, f"fanout-{mode}.png")
    figure.savefig(path, dpi=110)
    plt.close(figure)
    files.append(path)
    return files


def slow_consumer_plot(slow, directory, mode):
    figure, (latency, memory) = plt.subplots(1, 2, figsize=(12, 4.5))
    for name in ("baseline", "stalled"):
        timeline = slow[name]["latency_timeline"]
        if timeline:
            # Seconds since the generator started, which is when the RSS sampling started too.
            latency.plot([p["second"] for p in timeline], [p["p99"] for p in timeline], marker=".",
                         label=f"healthy p99, {name}")
        rss = slow[name]["bridge_rss"]
        memory.plot([t for t, _ in rss], [b / 2**20 for _, b in rss], label=f"bridge RSS, {name}")
        for moment in slow[name].get("cut_offs", []):
            for axes in (latency, memory):
                axes.axvline(moment, color="red", linestyle=":", linewidth=1)
    latency.set(xlabel="seconds (red: a stalled subscriber cut off)", ylabel="p99 latency (ms), per second",
                title="Healthy subscribers")
    memory.set(xlabel="seconds", ylabel="MiB", title="Bridge RSS")
    for axes in (latency, memory):
        axes.grid(True, alpha=0.3)
        axes.legend(fontsize=8)
    figure.tight_layout()
    path = os.path.join(directory, f"slow-consumers-{mode}.png")
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return [path]


def idle_memory_plot(idle, directory, mode):
    names = [n for n in ("ws", "wss") if idle.get(n) and idle[n].get("rss_per_subscriber_bytes") is not None]
    if not names:
        return []
    figure, axes = plt.subplots(figsize=(6, 4))
    values = [idle[n]["rss_per_subscriber_bytes"] / 1024 for n in names]
    kernel = [(idle[n]["kernel_tcp_bytes_per_connection_both_ends"] or 0) / 1024 for n in names]
    positions = range(len(names))
    axes.bar([p - 0.2 for p in positions], values, width=0.4, label="bridge RSS per subscriber")
    axes.bar([p + 0.2 for p in positions], kernel, width=0.4, label="kernel TCP memory per connection (both ends)")
    for position, goal in zip(positions, [6 if n == "ws" else 20 for n in names]):
        axes.hlines(goal, position - 0.4, position + 0.4, colors="red", linestyles=":")
    axes.set_xticks(list(positions), [f"{n} ({idle[n]['established']:,})" for n in names])
    axes.set(ylabel="KiB", title="Idle subscribers (red: target)")
    axes.legend(fontsize=8)
    figure.tight_layout()
    path = os.path.join(directory, f"idle-memory-{mode}.png")
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return [path]


def write_all(results, directory, mode):
    files = []
    makers = (("fanout", fanout_plots), ("slow_consumers", slow_consumer_plot), ("idle_memory", idle_memory_plot))
    for key, maker in makers:
        if results.get(key) and "error" not in results[key]:
            try:
                files += maker(results[key], directory, mode)
            except (KeyError, TypeError, ValueError) as error:
                results.setdefault("plot_errors", []).append(f"{key}: {error}")
    return files
