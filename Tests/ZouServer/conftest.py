import os
import shutil
import tempfile
import time

import pytest

from bridgeprocess import Bridge
from zouserver import ZouServer

# Tokens Zou mints in this stage live seconds, not days: every bridge here renews its
# access token several times and logs in again when the refresh token lapses.
ACCESS_TOKEN_SECONDS = 4
REFRESH_TOKEN_SECONDS = 12


class Production:
    """A Kitsu production to drive through Zou's REST API, as an admin would."""

    def __init__(self, zou):
        self.zou = zou
        self.id = zou.request("POST", "/data/projects", {"name": f"bridge-{time.time_ns()}", "production_type": "short"})["id"]
        self.prop = next(t for t in zou.request("GET", "/data/asset-types") if t["name"] == "Prop")
        self.modeling = next(t for t in zou.request("GET", "/data/task-types") if t["name"] == "Modeling")
        zou.request("POST", f"/data/projects/{self.id}/settings/task-types", {"task_type_id": self.modeling["id"]})
        self.statuses = {s["short_name"]: s for s in zou.request("GET", "/data/task-status")}

    def new_asset(self, name=None):
        return self.zou.request("POST", f"/data/projects/{self.id}/asset-types/{self.prop['id']}/assets/new",
                                {"name": name or f"asset-{time.time_ns()}"})

    def new_task(self, asset):
        return self.zou.request("POST", f"/actions/projects/{self.id}/task-types/{self.modeling['id']}/assets/create-tasks",
                                [asset["id"]])[0]

    def comment(self, task, status, text):
        return self.zou.request("POST", f"/actions/tasks/{task['id']}/comment",
                                {"task_status_id": self.statuses[status]["id"], "comment": text})

    def rename(self, asset, name):
        return self.zou.request("PUT", f"/data/entities/{asset['id']}", {"name": name})

    def artist(self):
        """A person of the production's team without manager rights (who may not read
        Zou's event log), and their password."""
        email = f"artist-{time.time_ns()}@example.com"
        person = self.zou.request("POST", "/data/persons", {"email": email, "first_name": "Ada", "last_name": "Artist",
                                                            "role": "user"})
        password = f"artist-{time.time_ns()}-secret"
        self.zou.request("POST", f"/actions/persons/{person['id']}/change-password",
                         {"password": password, "password_2": password})
        self.zou.request("POST", f"/data/projects/{self.id}/team", {"person_id": person["id"]})
        return email, password

    def delete_asset(self, asset):
        return self.zou.request("DELETE", f"/data/assets/{asset['id']}")


@pytest.fixture(scope="session")
def zou():
    server = ZouServer(access_token_seconds=ACCESS_TOKEN_SECONDS, refresh_token_seconds=REFRESH_TOKEN_SECONDS).start()
    yield server
    server.stop()


@pytest.fixture
def production(zou):
    return Production(zou)


@pytest.fixture
def directory():
    path = tempfile.mkdtemp(prefix="zou-bridge-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def bridge(zou, production, directory):
    process = Bridge(directory, zou, production.id)
    yield process
    process.stop()
    assert_no_secrets(process, zou)


def assert_no_secrets(bridge, zou):
    """Neither the password nor a JWT in the log (at trace level) or the state directory."""
    exposed = bridge.log().encode()
    for root, _, files in os.walk(os.path.join(bridge.dir, "state")):
        for name in files:
            with open(os.path.join(root, name), "rb") as handle:
                exposed += handle.read()
    assert zou.admin_password.encode() not in exposed
    assert b"eyJ" not in exposed, "a JWT (base64 of '{\"') reached the log or the state"
