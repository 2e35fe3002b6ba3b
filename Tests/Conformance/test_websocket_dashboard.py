"""The live dashboard in a real browser (Debian's headless Chromium over the DevTools
protocol): it shows a change made in the simulator, and it survives a bridge restart by
reconnecting and resuming from its last position. Screenshots go to artifacts/."""
import os
import socket

import pytest

from chromium import BINARY, Chromium
from websockettest import private_file, start_websocket_bridge

ARTIFACTS = os.path.join(os.path.dirname(__file__), "artifacts")
TOKEN = "dashboard-test-token-0123456789"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def row_for(key):
    return f"document.querySelector('#changes tr[data-key=\"{key}\"]')"


@pytest.mark.skipif(BINARY is None, reason="chromium is not installed (scripts/install-deps installs it)")
def test_dashboard_shows_live_changes_and_survives_a_restart(simulator, tmp_path):
    os.makedirs(ARTIFACTS, exist_ok=True)
    state = str(tmp_path / "state")
    port = free_port()
    settings = dict(listen=[f"127.0.0.1:{port}"], tokens_file=private_file(str(tmp_path), "tokens", TOKEN + "\n"))
    bridge = start_websocket_bridge(simulator, state, **settings)
    browser = Chromium()
    try:
        page = browser.open(f"http://127.0.0.1:{port}/?token={TOKEN}")
        page.wait_for("document.getElementById('connection').dataset.state === 'connected'", what="a connection")
        page.wait_for("document.getElementById('cursor').textContent !== '–'", what="the position")

        changed = simulator.change(1)["items"][0]
        simulator.change(2, data_type="assets")
        title = page.wait_for(row_for(changed["data_key"]) + "?.cells[4].textContent", what="the changed record")
        assert title.strip(), "records show their (localized) title"
        assert page.evaluate(row_for(changed["data_key"]) + ".cells[1].textContent") == "records"
        page.wait_for("document.getElementById('upstream').dataset.state === 'connected'", what="the upstream state")
        page.wait_for(f"Number(document.getElementById('cursor').textContent) >= {changed['cursor']}", what="the position")
        page.screenshot(os.path.join(ARTIFACTS, "dashboard-live.png"))

        # The bridge goes away: the page says so, and changes go on upstream meanwhile.
        assert bridge.stop() == 0
        page.wait_for("document.getElementById('connection').dataset.state === 'offline'", what="offline")
        assert "Offline" in page.evaluate("document.getElementById('banner').textContent")
        page.screenshot(os.path.join(ARTIFACTS, "dashboard-offline.png"))
        missed = simulator.change(3)["items"]

        # Back on the same address: the page reconnects and replays what it missed.
        bridge = start_websocket_bridge(simulator, state, **settings)
        page.wait_for("document.getElementById('connection').dataset.state === 'connected'", timeout=60, what="a reconnection")
        for item in missed:
            page.wait_for(row_for(item["data_key"]) + " !== null", what=f"the missed change {item['cursor']}")
            page.wait_for(row_for(item["data_key"]) + ".cells[4].textContent", what=f"the title of {item['data_key']}")
        assert "resumed after cursor" in page.evaluate("document.querySelector('#changes tr.marker').textContent")
        after = simulator.change(1)["items"][0]
        page.wait_for(row_for(after["data_key"]) + " !== null", what="a live change after the restart")
        shown = page.evaluate("[...document.querySelectorAll('#changes tr[data-key]')].map(r => r.dataset.key)")
        expected = [after, *reversed(missed)]
        assert shown[:len(expected)] == [item["data_key"] for item in expected], "the missed changes once each, in order"
        page.screenshot(os.path.join(ARTIFACTS, "dashboard-resumed.png"))
    finally:
        browser.close()
        bridge.stop()
