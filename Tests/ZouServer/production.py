"""A Kitsu production driven through Zou's REST API, for the tests and the demo."""
import time


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
