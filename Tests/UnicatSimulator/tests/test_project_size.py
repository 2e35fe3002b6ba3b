"""--project-size and --records/--assets/--fields/--definitions: a bigger main project,
generated quickly from the seed, with the counts the options ask for."""

from __future__ import annotations

import time

import aiohttp
import pytest

from conftest import Api, envelope_ok

SMALL = {"records": 1033, "assets": 51, "fields": 16, "definitions": 14}


async def project_counts(api: Api) -> dict:
    """Counts through the Unicat API: init for the schema, the bulk gets for records and assets."""
    await api.auth()
    _, data = envelope_ok(await api.call("init"))
    counts = {"fields": len(data["fields"]), "definitions": len(data["definitions"])}
    for data_type in ("records", "assets"):
        total, cursor = 0, None
        while True:
            body = {"selection": [{"search": {}}], "page.size": 1000}
            if cursor:
                body["page.cursor"] = cursor
            result, _ = envelope_ok(await api.call(f"{data_type}/bulk/get", body))
            total += len(result[data_type])
            cursor = result["page.cursor"]
            if not cursor:
                break
        counts[data_type] = total
    return counts


async def test_counts_options_and_determinism(start_sim):
    wanted = {"records": 4000, "assets": 600, "fields": 60, "definitions": 30}
    started = time.monotonic()
    sim = start_sim(*[arg for name, n in wanted.items() for arg in (f"--{name}", str(n))])
    seconds = time.monotonic() - started
    async with aiohttp.ClientSession() as session:
        api = Api(sim, session)
        assert await project_counts(api) == wanted
        control = await api.control("/counts")
        assert {t: control[t] for t in wanted} == wanted
        keys = await api.control("/keys/records?offset=3990&limit=50")
        assert keys["total"] == 4000 and len(keys["keys"]) == 10
        record = envelope_ok(await api.call("records/get", {"record": keys["keys"][-1]}))[1]["records"]
        definition = record[keys["keys"][-1]]["definition"]
        _, data = envelope_ok(await api.call("definitions/get", {"definition": definition}))
        assert data["definitions"][definition]["name"].startswith("article")
        first_keys = (await api.control("/keys/records?limit=4000"))["keys"]
    assert seconds < 30
    again = start_sim(*[arg for name, n in wanted.items() for arg in (f"--{name}", str(n))])
    async with aiohttp.ClientSession() as session:
        assert (await Api(again, session).control("/keys/records?limit=4000"))["keys"] == first_keys


async def test_medium_preset_and_small_default(start_sim):
    medium = start_sim("--project-size", "medium")
    small = start_sim()
    async with aiohttp.ClientSession() as session:
        counts = await Api(medium, session).control("/counts")
        assert {t: counts[t] for t in SMALL} == {"records": 10_000, "assets": 1_000, "fields": 100,
                                                 "definitions": 50}
        counts = await Api(small, session).control("/counts")
        assert {t: counts[t] for t in SMALL} == SMALL
        cursors = await Api(small, session).control("/cursors")
        assert cursors["cursor"] == 1147  # the small catalogue's seed history is unchanged


def test_too_small_a_count_is_refused(start_sim, tmp_path):
    import subprocess
    from conftest import SIM_DIR
    done = subprocess.run([str(SIM_DIR / "unicat-sim"), "--records", "10"], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 2 and "--records must be at least 1033" in done.stderr
