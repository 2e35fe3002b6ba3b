"""JWT lifetime, the refresh header per refresh_policy, expire-all, /dam never refreshing."""

from __future__ import annotations

import asyncio

from conftest import envelope_error, envelope_ok
from test_doc_pages import jwt_claims


async def test_sliding_refresh_after_half_lifetime(api):
    await api.control("/settings", {"jwt_ttl": 1.2})
    await api.auth()
    first = api.token
    r = await api.call("records/root")
    assert r.status == 200 and "Authorization" not in r.headers  # fresh: no refresh yet
    await asyncio.sleep(0.7)
    r = await api.call("records/root")
    new = r.headers["Authorization"]
    assert new != first and jwt_claims(new)["exp"] > jwt_claims(first)["exp"]
    r = await api.post("/sync/cursors", {}, token=first)
    assert r.status == 200 and "Authorization" in r.headers  # /sync refreshes too
    await asyncio.sleep(0.6)
    envelope_error(await api.call("records/root", token=first), 401)  # expired
    assert (await api.call("records/root", token=new)).status == 200


async def test_refresh_policy_always_and_never(api):
    await api.control("/settings", {"refresh_policy": "always"})
    r = await api.call("records/root")
    assert r.headers["Authorization"] != api.token
    # Errors never refresh.
    r = await api.call("records/get", {})
    assert r.status == 400 and "Authorization" not in r.headers
    # Past half the token's life (where "always"-style policies would refresh), well before
    # its end even on a loaded machine.
    await api.control("/settings", {"refresh_policy": "never", "jwt_ttl": 2.0})
    await api.auth()
    await asyncio.sleep(1.2)
    r = await api.call("records/root")
    assert r.status == 200 and "Authorization" not in r.headers
    assert "Authorization" not in (await api.request("GET", "/api/init", token=api.token)).headers


async def test_dam_never_refreshes(api):
    await api.control("/settings", {"refresh_policy": "always"})
    asset = next(a for a in envelope_ok(await api.call("assets/get", {"pathname": "/products/kitchen-taps-01.jpg"}))
                 [1]["assets"].values())
    storage = f"{asset['gid']}~{asset['version']}.jpg"
    r = await api.request("GET", f"/dam/p/{api.project}/publish/{storage}", token=api.token)
    result, _ = envelope_ok(r)
    assert result["public_url"].endswith(f"/media/p-{api.project}/src/{storage}")
    assert "Authorization" not in r.headers
    r = await api.request("GET", f"/dam/p/{api.project}/info/{storage}", token=api.token)
    assert envelope_ok(r)[0]["info"]["format"] == "jpeg" and "Authorization" not in r.headers
    r = await api.request("GET", f"/dam/p/{api.project}/info/{storage}")
    envelope_error(r, 401)
    r = await api.request("GET", f"/dam/p/{api.project}/info/nope~1.jpg", token=api.token)
    envelope_error(r, 422)


async def test_expire_all(api):
    old = api.token
    assert (await api.call("records/root")).status == 200
    await api.control("/jwt/expire-all", {})
    r = await api.call("records/root", token=old)
    envelope_error(r, 401, message="Permission denied")
    assert r.headers["WWW-Authenticate"]
    envelope_error(await api.post("/sync/get", {"cc_cursor": 0}, token=old), 401)
    await api.auth()  # new tokens work again
    assert (await api.call("records/root")).status == 200
