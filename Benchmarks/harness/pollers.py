"""The official `unicat` Python client polling `/sync/get` once per dashboard: N clients,
each holding the records (a dashboard showing them), each refetching a record when a sync
item says it changed, which is what the client does for objects it holds."""
import tempfile
import threading

import unicat


class Pollers:
    def __init__(self, simulator, count, records, interval):
        self.interval = interval
        self._stop = threading.Event()
        self.clients = []
        self.errors = []
        self._folder = tempfile.TemporaryDirectory(prefix="bench-pollers-")
        for _ in range(count):
            client = unicat.Unicat(simulator.url, simulator.project, simulator.api_key, self._folder.name)
            client.connect()
            client.get_records(records)  # held: the client refetches held records that change
            self.clients.append(client)
        self.threads = [threading.Thread(target=self._poll, args=(c,), daemon=True) for c in self.clients]

    def start(self):
        for thread in self.threads:
            thread.start()

    def _poll(self, client):
        while not self._stop.wait(self.interval):
            try:
                client.sync()
            except Exception as error:  # a failed poll is reported, the others go on
                self.errors.append(str(error))

    def stop(self):
        self._stop.set()
        for thread in self.threads:
            thread.join()
        self._folder.cleanup()
