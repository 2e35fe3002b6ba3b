"""The live dashboard in a real browser (Debian's headless Chromium over the DevTools
protocol): it shows a change made in the simulator, and it survives a bridge restart by
reconnecting and resuming from its last position; its times are Unicat's, replays are
marked, it shows the subscribers per transport, opens a change to show the object now and
what an UPDATE changed, and filters by data type. Screenshots go to artifacts/."""
import os
import socket

import pytest

from bridgetest import Client, WebSocketConnection
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


def an_article(client):
    """A leaf record (root → brand → product line → article): articles have a price."""
    gid = client.result("unicat.call", {"endpoint": "records/root"})["result"]["root"]
    for _ in range(3):
        gid = client.result("unicat.call", {"endpoint": "records/children", "params": {"record": gid}})["result"]["children"][0]
    return gid


@pytest.mark.skipif(BINARY is None, reason="chromium is not installed (scripts/install-deps installs it)")
def test_dashboard_times_replays_transports_details_and_filters(simulator, tmp_path):
    os.makedirs(ARTIFACTS, exist_ok=True)
    state = str(tmp_path / "state")
    port = free_port()
    settings = dict(listen=[f"127.0.0.1:{port}"], tokens_file=private_file(str(tmp_path), "tokens", TOKEN + "\n"),
                    call_allowlist=["records/root", "records/children", "records/update"])
    bridge = start_websocket_bridge(simulator, state, **settings)
    browser = Chromium()
    editor = None
    try:
        page = browser.open(f"http://127.0.0.1:{port}/?token={TOKEN}")
        page.wait_for("document.getElementById('connection').dataset.state === 'connected'", what="a connection")
        page.wait_for("document.getElementById('cursor').textContent !== '–'", what="the position")

        # The subscribers panel: this page is one websocket client (the editor below, another).
        editor = Client(WebSocketConnection(f"ws://127.0.0.1:{port}/", additional_headers={"Authorization": f"Bearer {TOKEN}"}))
        page.wait_for("document.querySelector('#transports tr[data-transport=\"websocket\"]')?.cells[1].textContent === '2'",
                      what="two websocket clients in the subscribers panel")

        # Two updates of one article: the second's detail shows the price as it changed.
        article = an_article(editor)
        for price in ("101.5", "202.25"):
            editor.result("unicat.call", {"endpoint": "records/update",
                                          "params": {"record": article, "fields": {"en": {"price": float(price)}}}})
            page.wait_for(f"document.querySelectorAll({row_for(article)[len('document.querySelector('):-1]}).length >= "
                          f"{1 if price == '101.5' else 2}", what=f"the update to {price}")
        rows = f"[...document.querySelectorAll('#changes tr[data-key=\"{article}\"]')]"
        # The time is Unicat's (the object's updated_on), not the arrival.
        assert page.evaluate(f"{rows}.every(r => r.cells[0].dataset.source === 'unicat')")
        page.evaluate(f"{rows}[0].click()")
        page.wait_for("document.getElementById('detail').classList.contains('open')", what="the detail panel")
        changed = page.wait_for("[...document.querySelectorAll('#changed tr')].map(r => [r.dataset.path, r.cells[1].textContent, r.cells[2].textContent])",
                                what="the changed fields")
        prices = [entry for entry in changed if entry[0] == "fields.en.price"]
        assert prices and prices[0][1] == "101.5" and prices[0][2] == "202.25", changed
        now = page.wait_for("document.getElementById('detail-object').textContent.includes('202.25') && "
                            "document.getElementById('detail-object').textContent", what="the object now")
        assert article in now
        page.screenshot(os.path.join(ARTIFACTS, "dashboard-detail.png"))

        # The filter: assets only hides the records.
        simulator.change(2, data_type="assets")
        page.wait_for("document.querySelector('#changes tr[data-type=\"assets\"]') !== null", what="an asset change")
        page.evaluate("(() => { const s = document.getElementById('type-filter'); s.value = 'assets';"
                      " s.dispatchEvent(new Event('change')); })()")
        assert page.evaluate(f"{rows}.every(r => r.hidden)")
        assert page.evaluate("[...document.querySelectorAll('#changes tr[data-type=\"assets\"]')].every(r => !r.hidden)")
        page.evaluate("(() => { const s = document.getElementById('type-filter'); s.value = '';"
                      " s.dispatchEvent(new Event('change')); })()")

        # Away and back: the missed changes are marked as replays, each with its own time.
        editor.connection.close()
        editor = None
        assert bridge.stop() == 0
        page.wait_for("document.getElementById('connection').dataset.state === 'offline'", what="offline")
        missed = simulator.change(3)["items"]
        bridge = start_websocket_bridge(simulator, state, **settings)
        for item in missed:
            page.wait_for(row_for(item["data_key"]) + "?.dataset.replay === '1'", timeout=90,
                          what=f"the missed change {item['cursor']} marked as a replay")
        tags = page.evaluate(f"[...document.querySelectorAll('#changes tr[data-replay]')].map(r => r.cells[0].textContent)")
        assert all("replay" in text for text in tags), tags
        after = simulator.change(1)["items"][0]
        page.wait_for(row_for(after["data_key"]) + " !== null", what="a live change after the restart")
        assert page.evaluate(row_for(after["data_key"]) + ".dataset.replay") is None, "a live change is no replay"
        page.screenshot(os.path.join(ARTIFACTS, "dashboard-replayed.png"))
    finally:
        if editor:
            editor.connection.close()
        browser.close()
        bridge.stop()
