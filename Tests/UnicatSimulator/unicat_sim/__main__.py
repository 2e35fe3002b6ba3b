"""Command line: python -m unicat_sim [options] (normally started through ../unicat-sim)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from .app import serve
from .seed import PROJECT_SIZES, project_size
from .settings import CHOICES, Settings, SettingsError

DEFAULT_SEED = 20240101


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="unicat-sim", description="Local simulator of the Unicat API.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--control-port", type=int, default=0, help="control API port (127.0.0.1; 0 = free)")
    p.add_argument("--tls-cert", help="PEM certificate: serve https and wss")
    p.add_argument("--tls-key", help="PEM private key for --tls-cert")
    p.add_argument("--state-dir", help="persist data, sync log, cursors and keys here")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the demo data")
    p.add_argument("--project-size", choices=sorted(PROJECT_SIZES), default="small",
                   help="size of the main project: small (the demo catalogue), medium, large")
    for name in ("records", "assets", "fields", "definitions"):
        p.add_argument("--" + name, type=int, metavar="N", help=f"at least N {name} (overrides --project-size)")
    p.add_argument("--activity", type=float, default=0.0, metavar="RATE", help="changes per second")
    p.add_argument("--jwt-ttl", type=float, default=900.0, metavar="SECONDS")
    p.add_argument("--page-size", type=int, default=100)
    p.add_argument("--sync-retention", type=int, metavar="ITEMS", help="keep only this many items per stream")
    p.add_argument("--job-step-seconds", type=float, default=0.2)
    for name, choices in CHOICES.items():
        p.add_argument("--" + name.replace("_", "-"), choices=choices, default=getattr(Settings, name))
    p.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = p.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        p.error("--tls-cert and --tls-key go together")
    try:
        args.size = project_size(args.project_size, records=args.records, assets=args.assets,
                                 fields=args.fields, definitions=args.definitions)
    except ValueError as err:
        p.error(str(err))
    return args


def main(argv: list[str]) -> int:
    # A parent may have spawned us with these blocked (Swift's Foundation.Process from a
    # concurrency thread does): without this, SIGTERM would never reach the handlers.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    args = parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="%(asctime)s unicat-sim %(name)s %(levelname)s: %(message)s")
    settings = Settings()
    try:
        settings.update({"page_size": args.page_size, "jwt_ttl": args.jwt_ttl, "activity": args.activity,
                         "sync_retention": args.sync_retention, "job_step_seconds": args.job_step_seconds,
                         **{name: getattr(args, name) for name in CHOICES}})
    except SettingsError as err:
        print(f"unicat-sim: {err}", file=sys.stderr)
        return 2
    asyncio.run(serve(args, settings))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
