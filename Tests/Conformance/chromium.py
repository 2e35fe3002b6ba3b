"""Headless Chromium (Debian's package) driven over the Chrome DevTools Protocol, with the
`websockets` library: open a page, evaluate JavaScript in it, take screenshots."""
import base64
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

from websockets.sync.client import connect

BINARY = shutil.which("chromium") or shutil.which("chromium-browser")


class Chromium:
    def __init__(self):
        if BINARY is None:
            raise RuntimeError("chromium is not installed (scripts/install-deps installs it)")
        self.profile = tempfile.mkdtemp(prefix="chromium-profile-")
        self.log_path = os.path.join(self.profile, "chromium.log")
        self.log = open(self.log_path, "w+")
        self.proc = subprocess.Popen(
            [BINARY, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--mute-audio",
             "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
             f"--user-data-dir={self.profile}", "--window-size=1280,900", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=self.log, stdin=subprocess.DEVNULL)
        self.socket = connect(self._endpoint(), max_size=None, open_timeout=30, legacy=True)
        self.next_id = 0

    def _endpoint(self, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with open(self.log_path) as handle:
                found = re.search(r"DevTools listening on (ws://\S+)", handle.read())
            if found:
                return found.group(1)
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        with open(self.log_path) as handle:
            raise RuntimeError("chromium did not start:\n" + handle.read()[-3000:])

    def command(self, method, params=None, session=None, timeout=60):
        """Sends one CDP command and returns its result (events in between are skipped)."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.socket.send(json.dumps(message))
        deadline = time.time() + timeout
        while True:
            reply = json.loads(self.socket.recv(timeout=max(0.1, deadline - time.time())))
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def open(self, url):
        target = self.command("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.command("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        self.command("Page.enable", session=session)
        self.command("Page.navigate", {"url": url}, session=session)
        return page

    def close(self):
        try:
            self.command("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.socket.close()
        except Exception:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    def __init__(self, browser, session):
        self.browser, self.session = browser, session

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page (JSON-serialisable values)."""
        result = self.browser.command("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                           "awaitPromise": True}, session=self.session)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, timeout=60, what=None):
        """Waits until `expression` is truthy in the page; returns its value."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                value = self.evaluate(expression)
            except RuntimeError:
                value = None
            if value:
                return value
            time.sleep(0.2)
        raise AssertionError(f"the page never showed {what or expression} within {timeout} s; it shows:\n"
                             + str(self.evaluate("document.body ? document.body.innerText : ''"))[:2000])

    def screenshot(self, path):
        data = self.browser.command("Page.captureScreenshot", {"format": "png"}, session=self.session)["data"]
        with open(path, "wb") as handle:
            handle.write(base64.b64decode(data))
        return path
