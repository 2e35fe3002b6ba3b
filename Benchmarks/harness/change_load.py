"""Changes at a given rate in the simulator: its activity mode for modest rates, bursts of
`POST /changes` above (its activity loop has more work per change), and back-to-back bursts
for "as fast as the simulator goes" (rate MAX)."""
import time

ACTIVITY_MAX_RATE = 200
BURST_INTERVAL = 0.05
MAX = "max"
MAX_BURST = 500


def make_changes(simulator, rate, seconds):
    """Makes about rate × seconds changes over `seconds`; returns what the simulator managed."""
    _, before = simulator.cursors()
    started = time.monotonic()
    if rate == MAX:
        mode = "back-to-back bursts"
        while time.monotonic() - started < seconds:
            simulator.control("/changes", {"count": MAX_BURST})
    elif rate <= ACTIVITY_MAX_RATE:
        simulator.settings(activity=rate)
        time.sleep(seconds)
        simulator.settings(activity=0)
        mode = "activity"
    else:
        mode = "bursts"
        made = 0
        while True:
            elapsed = time.monotonic() - started
            if elapsed >= seconds:
                break
            due = int(rate * min(elapsed + BURST_INTERVAL, seconds)) - made
            if due > 0:
                simulator.control("/changes", {"count": due})
                made += due
            time.sleep(max(0.0, started + elapsed + BURST_INTERVAL - time.monotonic()))
    took = time.monotonic() - started
    _, after = simulator.cursors()
    return {"mode": mode, "rate": rate, "seconds": took, "changes": after - before,
            "achieved_rate": (after - before) / took, "cursor_before": before, "cursor_after": after}
