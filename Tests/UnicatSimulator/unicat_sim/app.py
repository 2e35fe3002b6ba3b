"""Process lifecycle: build the simulator, open the two listeners, print the ready line,
run until SIGTERM/SIGINT, shut down cleanly."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import socket
import ssl
import sys
from argparse import Namespace

from aiohttp import web

from . import (endpoints_apikeys, endpoints_assets, endpoints_auth, endpoints_batch, endpoints_bulk,
               endpoints_dam, endpoints_excel, endpoints_global, endpoints_mutations, endpoints_project,
               endpoints_schema, endpoints_settings, endpoints_sync)
from .control import create_app
from .middleware import middlewares
from .settings import Settings
from .sim import Sim
from .socketio_feed import SocketFeed

log = logging.getLogger("unicat_sim")

SHUTDOWN_TIMEOUT = 0.25  # seconds open requests (e.g. a slow fault) get on shutdown
# Largest request body: an upload of the official client's 10,000,000-byte limit plus
# its form fields [INF]; beyond it the answer is 413.
MAX_REQUEST_SIZE = 10_100_000


def listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family)


def url_of(scheme: str, sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"{scheme}://{f'[{host}]' if ':' in host else host}:{port}"


def api_app(sim: Sim, feed: SocketFeed) -> web.Application:
    app = web.Application(middlewares=middlewares(sim), client_max_size=MAX_REQUEST_SIZE)
    feed.attach(app)
    for module in (endpoints_auth, endpoints_global, endpoints_project, endpoints_bulk, endpoints_mutations,
                   endpoints_assets, endpoints_schema, endpoints_settings, endpoints_sync, endpoints_dam,
                   endpoints_apikeys, endpoints_batch, endpoints_excel):
        app.add_routes(module.routes(sim))
    return app


async def start(app: web.Application, sock: socket.socket, ssl_context, verbose: bool) -> web.AppRunner:
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=SHUTDOWN_TIMEOUT,
                           access_log=log if verbose else None)
    await runner.setup()
    await web.SockSite(runner, sock, ssl_context=ssl_context).start()
    return runner


async def serve(args: Namespace, settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    sim = Sim(settings, args.state_dir, args.seed, args.size)
    feed = SocketFeed(sim)
    ssl_context = None
    if args.tls_cert:
        ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ssl_context.load_cert_chain(args.tls_cert, args.tls_key)
    api_sock = listen(args.host, args.port)
    control_sock = listen("127.0.0.1", args.control_port)  # loopback only, always
    runners = [await start(api_app(sim, feed), api_sock, ssl_context, args.verbose),
               await start(create_app(sim, feed, credentials(sim)), control_sock, None, args.verbose)]
    feed.start()
    sim.activity.set_rate(settings.activity)

    ready = {"url": url_of("https" if ssl_context else "http", api_sock),
             "project": sim.store.main_project, "api_key": sim.store.meta["api_key"],
             "control": url_of("http", control_sock)}
    sys.stdout.write(json.dumps(ready) + "\n")
    sys.stdout.flush()
    log.info("ready: %s", ready)

    await stop.wait()
    log.info("shutting down")
    await sim.activity.close()
    await feed.close()
    for runner in runners:
        await runner.cleanup()
    await sim.close()


def credentials(sim: Sim) -> dict:
    meta = sim.store.meta
    username, login = next(iter(meta["logins"].items()))
    return {"api_key": meta["api_key"], "project": meta["main_project"],
            "other_project": meta["other_project"],
            "login": {"username": username, "password": login["password"]}}
