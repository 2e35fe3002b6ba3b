"""The JSON codec benchmark: the bridge's own parser and writer against Foundation's
JSONDecoder and JSONEncoder (the bridge's codec before issue 10), on a realistic Unicat
answer: `records/get` for N records, fetched from the simulator.

Instruction counts come from callgrind, which is stable on a busy machine: each figure is
(run with K iterations - run with 0) / K, after one warm-up iteration in both, so process
start-up, reading the file and one-time costs cancel out. Native times are informative
only. Run through `Benchmarks/json-codec`, which builds the release binary first."""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.request

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
SIMULATOR = os.path.join(REPO, "Tests", "UnicatSimulator", "unicat-sim")


def fetch_records(count):
    """The raw body of a records/get answer for `count` records (articles first: they carry
    the most fields, prices among them), as the simulator sends it."""
    sim = subprocess.Popen([SIMULATOR, "--host", "127.0.0.1", "--port", "0"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True)
    try:
        ready = json.loads(sim.stdout.readline())
        base = f"{ready['url']}/api/p/{ready['project']}/"
        token = None

        def call(endpoint, body):
            nonlocal token
            headers = {"Content-Type": "application/json"}
            if token:
                headers["Authorization"] = f"Bearer {token}"
            request = urllib.request.Request(base + endpoint, data=json.dumps(body).encode(), headers=headers)
            with urllib.request.urlopen(request, timeout=30) as response:
                token = response.headers.get("Authorization") or token
                return response.read()

        call("auth", {"api_key": ready["api_key"]})
        root = json.loads(call("records/root", {}))["result"]["root"]
        levels, level = [], [root]
        while level:
            levels.append(level)
            level = [child for parent in level
                     for child in json.loads(call("records/children", {"record": parent, "page.size": 1000}))["result"]["children"]]
        gids = [gid for level in reversed(levels) for gid in level][:count]
        return call("records/get", {"records": gids}), len(gids)
    finally:
        sim.terminate()
        sim.wait(10)


def instructions(binary, corpus, codec, work, iterations):
    """Instructions of one callgrind run."""
    with tempfile.NamedTemporaryFile(prefix="callgrind-", suffix=".out") as out:
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out.name}", binary, corpus,
                        "--codec", codec, "--work", work, "--warmup", "1", "--iterations", str(iterations)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for line in open(out.name):
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise RuntimeError("no totals in the callgrind output")


def per_run(binary, corpus, codec, work, iterations):
    return (instructions(binary, corpus, codec, work, iterations) - instructions(binary, corpus, codec, work, 0)) / iterations


def milliseconds(binary, corpus, codec, work, iterations):
    output = subprocess.run([binary, corpus, "--codec", codec, "--work", work, "--iterations", str(iterations), "--time"],
                            check=True, capture_output=True, text=True).stdout
    return float(output.strip())


def literals(text):
    """The document with every number kept as its literal text."""
    return json.loads(text, parse_float=lambda s: ("number", s), parse_int=lambda s: ("number", s))


def number_changes(original, encoded):
    """(numbers whose text changed, numbers) between two parses of one document."""
    changed = total = 0
    stack = [(original, encoded)]
    while stack:
        a, b = stack.pop()
        if isinstance(a, tuple):
            total += 1
            changed += a != b
        elif isinstance(a, dict):
            stack.extend((value, b[key]) for key, value in a.items())
        elif isinstance(a, list):
            stack.extend(zip(a, b))
    return changed, total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True, help="the release bridge-jsonbench")
    parser.add_argument("--records", type=int, default=500)
    parser.add_argument("--iterations", type=int, default=3, help="measured runs per callgrind figure")
    parser.add_argument("--timed-iterations", type=int, default=20, help="runs per native median")
    args = parser.parse_args()

    body, count = fetch_records(args.records)
    with tempfile.TemporaryDirectory(prefix="json-codec-") as work_dir:
        corpus = os.path.join(work_dir, "records-get.json")
        with open(corpus, "wb") as handle:
            handle.write(body)
        print(f"records/get answer of {count} records from the simulator: {len(body):,} bytes", file=sys.stderr)
        # Valgrind 3.19 gives up on the DWARF of Swift release binaries; totals need none.
        stripped = os.path.join(work_dir, "bridge-jsonbench")
        subprocess.run(["objcopy", "--strip-debug", args.binary, stripped], check=True)

        figures = {}
        for codec in ("foundation", "bridge"):
            for work in ("parse", "roundtrip"):
                print(f"measuring {codec} {work} ...", file=sys.stderr)
                figures[codec, work] = (per_run(stripped, corpus, codec, work, args.iterations),
                                        milliseconds(args.binary, corpus, codec, work, args.timed_iterations))
        changes = {}
        for codec in ("foundation", "bridge"):
            output = os.path.join(work_dir, f"{codec}.json")
            subprocess.run([args.binary, corpus, "--codec", codec, "--work", "roundtrip", "--warmup", "0",
                            "--output", output], check=True)
            with open(output, "rb") as handle:
                changes[codec] = number_changes(literals(body), literals(handle.read()))

    def row(label, foundation, bridge, unit):
        print(f"{label:<16}{foundation:>16,.0f}{bridge:>16,.0f}{foundation / bridge:>8.1f}x   {unit}")

    print(f"\nJSON codec, records/get answer of {count} records ({len(body):,} bytes)\n")
    print(f"{'':<16}{'Foundation':>16}{'bridge':>16}{'ratio':>9}")
    for label, measure in (("parse", lambda c: figures[c, "parse"][0]),
                           ("encode", lambda c: figures[c, "roundtrip"][0] - figures[c, "parse"][0]),
                           ("parse + encode", lambda c: figures[c, "roundtrip"][0])):
        row(label, measure("foundation"), measure("bridge"), "instructions (callgrind)")
    for label, work in (("parse", "parse"), ("parse + encode", "roundtrip")):
        print(f"{label:<16}{figures['foundation', work][1]:>16.2f}{figures['bridge', work][1]:>16.2f}"
              f"{figures['foundation', work][1] / figures['bridge', work][1]:>8.1f}x   "
              f"ms (native, median of {args.timed_iterations}, noisy)")
    for codec in ("foundation", "bridge"):
        changed, total = changes[codec]
        print(f"numbers altered by the {codec} round trip: {changed:,} of {total:,}")


if __name__ == "__main__":
    main()
