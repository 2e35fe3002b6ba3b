"""A real Zou 1.0.97 (the Kitsu server) for the bridge's end-to-end tests: PostgreSQL and
Redis on loopback with private data directories, Zou's API and its event stream, each a
process this harness started and stops by its PID. Nothing listens beyond 127.0.0.1."""
import glob
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(HERE, ".venv")
SHIM = os.path.join(HERE, "shim")
ADMIN_EMAIL = "admin@example.com"
# Debian's PostgreSQL server binaries, newest major version installed.
PG_BIN = max(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda path: int(path.split("/")[-2]),
             default="/usr/lib/postgresql/15/bin")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{what} not ready after {timeout} s")


class ZouServer:
    def __init__(self, access_token_seconds=None, refresh_token_seconds=None):
        self.dir = tempfile.mkdtemp(prefix="zou-stage-")
        os.chmod(self.dir, 0o755)  # the postgres user must reach its data directory
        self.admin_password = secrets.token_urlsafe(18)
        self.secret_key = secrets.token_hex(32)
        self.pg_port, self.redis_port, self.api_port, self.events_port = (free_port() for _ in range(4))
        self.api_url = f"http://127.0.0.1:{self.api_port}"
        self.events_url = f"http://127.0.0.1:{self.events_port}"
        self.processes = {}
        self.logs = {}
        self.env = dict(
            os.environ,
            DB_HOST="127.0.0.1", DB_PORT=str(self.pg_port), DB_USERNAME="zou", DB_PASSWORD="zoupass",
            DB_DATABASE="zoudb", KV_HOST="127.0.0.1", KV_PORT=str(self.redis_port), SECRET_KEY=self.secret_key,
            PREVIEW_FOLDER=self.path("previews"), TMP_DIR=self.path("tmp"), PLUGIN_FOLDER=self.path("plugins"),
            EVENT_HANDLERS_FOLDER=SHIM, MAIL_ENABLED="False", MAIL_CHECK_DELIVERABILITY="False",
            PATH=os.path.join(VENV, "bin") + os.pathsep + os.environ.get("PATH", ""),
        )
        if access_token_seconds:
            self.env["ZOU_TEST_ACCESS_TOKEN_SECONDS"] = str(access_token_seconds)
        if refresh_token_seconds:
            self.env["ZOU_TEST_REFRESH_TOKEN_SECONDS"] = str(refresh_token_seconds)
        for folder in ("previews", "tmp", "plugins"):
            os.makedirs(self.path(folder), exist_ok=True)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    # --- processes -------------------------------------------------------------------

    def spawn(self, name, command, **options):
        log = self.logs.get(name) or open(self.path(f"{name}.log"), "ab")
        self.logs[name] = log
        self.processes[name] = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                                env=self.env, cwd=self.dir, **options)
        return self.processes[name]

    def stop_process(self, name, sig=signal.SIGTERM, timeout=15):
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def start(self):
        try:
            self.start_postgres()
            self.start_redis()
            subprocess.run([os.path.join(VENV, "bin", "python"), os.path.join(SHIM, "zou_initialise.py"),
                            ADMIN_EMAIL, self.admin_password], env=self.env, cwd=self.dir, check=True,
                           stdout=self.log_file("initialise"), stderr=subprocess.STDOUT)
            self.start_api()
            self.start_events()
        except BaseException:
            self.stop()
            raise
        return self

    def log_file(self, name):
        self.logs[name] = self.logs.get(name) or open(self.path(f"{name}.log"), "ab")
        return self.logs[name]

    @staticmethod
    def as_postgres():
        """initdb and the server refuse to run as root: as root, the process itself becomes
        `postgres` (no runuser in between, so its PID is the server's, and signals reach it)."""
        return {"user": "postgres", "group": "postgres", "extra_groups": []} if os.geteuid() == 0 else {}

    def start_postgres(self):
        data = self.path("pgdata")
        os.makedirs(data)
        if os.geteuid() == 0:
            shutil.chown(data, "postgres", "postgres")
        subprocess.run([f"{PG_BIN}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                       check=True, stdout=self.log_file("initdb"), stderr=subprocess.STDOUT, cwd=self.dir,
                       **self.as_postgres())
        # TCP on loopback only, no Unix socket (its path would be in a shared folder).
        self.spawn("postgres", [f"{PG_BIN}/postgres", "-D", data, "-p", str(self.pg_port), "-c", "listen_addresses=127.0.0.1",
                                "-c", "unix_socket_directories=", "-c", "fsync=off", "-c", "full_page_writes=off"],
                   **self.as_postgres())
        wait_until(lambda: subprocess.run([f"{PG_BIN}/pg_isready", "-h", "127.0.0.1", "-p", str(self.pg_port)],
                                          capture_output=True).returncode == 0, 30, "PostgreSQL")
        for sql in ("CREATE USER zou WITH PASSWORD 'zoupass'", "CREATE DATABASE zoudb OWNER zou"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres", "-c", sql],
                           check=True, capture_output=True)

    def start_redis(self):
        self.spawn("redis", ["redis-server", "--bind", "127.0.0.1", "--port", str(self.redis_port), "--save", "",
                             "--appendonly", "no", "--dir", self.dir])
        wait_until(lambda: subprocess.run(["redis-cli", "-p", str(self.redis_port), "ping"],
                                          capture_output=True, text=True).stdout.strip() == "PONG", 15, "Redis")

    def gunicorn(self, name, port, worker, app):
        self.spawn(name, [os.path.join(VENV, "bin", "gunicorn"), "-w", "1", "-k", worker, "-b", f"127.0.0.1:{port}",
                          "--graceful-timeout", "2", "--no-control-socket", "--pythonpath", SHIM, app])

    def start_api(self):
        self.gunicorn("api", self.api_port, "gevent", "zou_api_token_lifetimes:app")
        wait_until(lambda: urllib.request.urlopen(self.api_url + "/", timeout=2).status == 200, 90, "Zou's API")

    def start_events(self):
        self.gunicorn("events", self.events_port, "geventwebsocket.gunicorn.workers.GeventWebSocketWorker",
                      "zou_events_refusing:app")
        probe = self.events_url + "/socket.io/?EIO=4&transport=polling"
        wait_until(lambda: urllib.request.urlopen(probe, timeout=2).status == 200, 90, "Zou's event stream")

    def restart_events(self):
        self.stop_process("events")
        self.start_events()

    def restart_redis(self):
        self.stop_process("redis")
        self.start_redis()

    def stop(self):
        for name in ("events", "api", "redis"):
            self.stop_process(name)
        # SIGINT: PostgreSQL's fast shutdown.
        self.stop_process("postgres", signal.SIGINT)
        for log in self.logs.values():
            log.close()
        if os.environ.get("ZOU_STAGE_KEEP"):
            print(f"zou stage files kept in {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    # --- the REST API, as an admin -----------------------------------------------------

    def login(self, email=ADMIN_EMAIL, password=None):
        return self.request("POST", "/auth/login", {"email": email, "password": password or self.admin_password},
                            token=None)

    def mint_token(self, person_id, seconds, token_type="access"):
        """A JWT as Zou signs them (the test owns SECRET_KEY), valid for `seconds`: the
        harness's own long-lived admin token, or short-lived ones."""
        import uuid

        import jwt
        now = int(time.time())
        claims = {"fresh": False, "iat": now, "jti": str(uuid.uuid4()), "type": token_type, "sub": person_id,
                  "nbf": now, "exp": now + seconds, "identity_type": "person"}
        return jwt.encode(claims, self.secret_key, algorithm="HS256")

    def request(self, method, path, body=None, token="admin"):
        if token == "admin":
            if not getattr(self, "_admin_token", None):
                self.admin_id = self.login()["user"]["id"]
                self._admin_token = self.mint_token(self.admin_id, 3600)
            token = self._admin_token
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.api_url + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
            return json.loads(text) if text else None
