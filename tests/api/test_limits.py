"""Who the client is, how many saves it may make, and what a save must be (issue 17), in
process (tests/api/test_server.py drives the same limits through `loan401k serve`)."""

from __future__ import annotations

import re
import warnings

import pytest

from loan401k.app import create_app
from loan401k.settings import parse_networks
from loan401k.store import ScenarioStore, save_counts
from loan401k.throttle import SaveQuota, SaveRefused, client_address, client_key, wait_for_room

with warnings.catch_warnings():  # Starlette's notice that it prefers httpx2; httpx works
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SAVE = {"age": 40, "vested_balance": 80000, "amount": 10000}
PROXY = parse_networks("10.0.0.0/8, 127.0.0.1")


def scope(peer: str, *forwarded: str) -> dict:
    return {"client": (peer, 5000), "headers": [(b"x-forwarded-for", value.encode()) for value in forwarded]}


# --------------------------------------------------------------------------- the client


def test_forwarded_for_is_ignored_without_a_trusted_proxy():
    assert client_address(scope("198.51.100.7", "203.0.113.1"), ()) == "198.51.100.7"


def test_forwarded_for_is_ignored_from_an_untrusted_peer():
    assert client_address(scope("198.51.100.7", "203.0.113.1"), PROXY) == "198.51.100.7"


@pytest.mark.parametrize(
    "forwarded, client",
    [
        (["203.0.113.1"], "203.0.113.1"),
        # a client's own X-Forwarded-For comes first; the proxy appends what it saw
        (["6.6.6.6, 203.0.113.1"], "203.0.113.1"),
        (["6.6.6.6", "203.0.113.1"], "203.0.113.1"),  # the header twice
        (["203.0.113.1, 10.1.2.3"], "203.0.113.1"),  # two proxies of ours in a row
        (["garbage, 203.0.113.1"], "203.0.113.1"),
        (["203.0.113.1, garbage"], "10.0.0.5"),  # a hop we cannot read: the proxy's peer
        ([], "10.0.0.5"),
        (["::ffff:203.0.113.1"], "::ffff:203.0.113.1"),
    ],
)
def test_a_trusted_proxy_names_the_client(forwarded, client):
    assert client_address(scope("10.0.0.5", *forwarded), PROXY) == client


def test_clients_are_counted_by_address_and_ipv6_by_64():
    assert client_key("203.0.113.1") == "203.0.113.1"
    assert client_key("::ffff:203.0.113.1") == "203.0.113.1"
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")


def test_a_bad_trusted_proxy_setting_is_an_error_naming_it():
    with pytest.raises(ValueError, match="LOAN401K_TRUSTED_PROXIES: 'nginx'"):
        parse_networks("127.0.0.1, nginx")


def test_the_app_believes_its_configured_proxy(tmp_path, monkeypatch):
    monkeypatch.setenv("LOAN401K_TRUSTED_PROXIES", "testclient-is-no-ip, 127.0.0.1")
    with pytest.raises(ValueError):
        create_app(f"sqlite:///{tmp_path / 'a.db'}")
    monkeypatch.setenv("LOAN401K_SAVES_PER_MINUTE", "2")
    # TestClient's peer is "testclient"; trust no one: every forwarded address is one client
    monkeypatch.setenv("LOAN401K_TRUSTED_PROXIES", "")
    with TestClient(create_app(f"sqlite:///{tmp_path / 'b.db'}")) as client:
        statuses = [
            client.post(
                "/api/v1/scenarios", json=SAVE, headers={"x-forwarded-for": f"203.0.113.{n}"}
            ).status_code
            for n in range(4)
        ]
    assert statuses == [201, 201, 429, 429]


# --------------------------------------------------------------------------- the window


@pytest.mark.parametrize(
    "previous, current, limit, elapsed, wait",
    [
        (0, 2, 2, 0.0, 90),  # spread over the next minute, half of it must slide out
        (0, 1, 1, 0.0, 120),
        (0, 1, 1, 30.0, 90),
        (2, 0, 2, 0.5, 30),
        (4, 0, 2, 30.0, 15),
        (2, 1, 2, 59.0, 1),  # the previous minute is all but out
    ],
)
def test_wait_for_room_is_when_one_more_fits(previous, current, limit, elapsed, wait):
    assert wait_for_room(previous, current, limit, elapsed, 60.0) == wait
    later = elapsed + wait
    if later < 60:
        assert previous * (60 - later) / 60 + current + 1 <= limit + 1e-9
    else:
        assert current * (120 - later) / 60 + 1 <= limit + 1e-9
    earlier = elapsed + wait - 1
    if earlier < 60:
        assert previous * (60 - earlier) / 60 + current + 1 > limit
    else:
        assert current * (120 - earlier) / 60 + 1 > limit


def test_all_clients_together_have_a_limit_too(tmp_path):
    quota = SaveQuota(limit=10, total=3, clock=lambda: 1000.0)
    store = ScenarioStore(f"sqlite:///{tmp_path / 's.db'}")
    try:
        for n in range(3):
            store.save(SAVE, charge=lambda connection, n=n: quota.charge(connection, f"198.51.100.{n}"))
        with pytest.raises(SaveRefused) as refused:
            store.save(SAVE, charge=lambda connection: quota.charge(connection, "198.51.100.99"))
        assert refused.value.everyone and refused.value.retry_after >= 1
        assert "all clients" in str(refused.value)
        assert store.count() == 3
    finally:
        store.close()


def test_spraying_addresses_neither_resets_a_count_nor_grows_memory(tmp_path):
    """10,001 distinct addresses in one minute (the flood that used to clear every client's
    count): the client that used its minute up is still refused, and the quota object holds
    no per-client state (the counts are rows, pruned two windows later)."""
    quota = SaveQuota(limit=2, total=10**9, clock=lambda: 6000.0)
    store = ScenarioStore(f"sqlite:///{tmp_path / 's.db'}")
    try:
        for _ in range(2):
            store.save(SAVE, charge=lambda connection: quota.charge(connection, "198.51.100.1"))
        with store.engine.begin() as connection:  # one transaction: the flood's counters only
            for n in range(10_001):
                quota.charge(connection, f"10.{n // 65536}.{n // 256 % 256}.{n % 256}")
        with pytest.raises(SaveRefused):
            store.save(SAVE, charge=lambda connection: quota.charge(connection, "198.51.100.1"))
        assert set(vars(quota)) == {"limit", "total", "window", "clock", "_pruned"}
        with store.engine.connect() as connection:
            rows = connection.execute(save_counts.select()).all()
        assert len(rows) == 10_001 + 2  # the flood, the client, and everyone's
        later = SaveQuota(limit=2, total=10**9, clock=lambda: 6000.0 + 120)
        store.save(SAVE, charge=lambda connection: later.charge(connection, "198.51.100.1"))
        with store.engine.connect() as connection:
            assert len(connection.execute(save_counts.select()).all()) == 2  # two windows on: pruned
    finally:
        store.close()


# --------------------------------------------------------------------------- what a save is


@pytest.fixture
def client(tmp_path):
    with TestClient(create_app(f"sqlite:///{tmp_path / 'scenarios.db'}")) as test_client:
        yield test_client


def test_a_save_must_be_computable(client):
    """A HELOC without a rate is refused at save (it used to be stored, then fail on /s/{id})."""
    heloc = {**SAVE, "alternatives": [{"kind": "heloc"}]}
    refused = client.post("/api/v1/scenarios", json=heloc)
    assert refused.status_code == 422
    assert [item["field"] for item in refused.json()["detail"]] == ["alternatives.0.apr_pct"]
    incomplete = client.post("/api/v1/scenarios", json={"age": 40})
    assert incomplete.status_code == 422
    assert {item["field"] for item in incomplete.json()["detail"]} == {"vested_balance", "amount"}
    assert client.app.state.store.count() == 0
    page = client.get("/", params={"age": "40", "vested_balance": "80000", "amount": "10000"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    form = {
        "age": "40",
        "vested_balance": "80000",
        "amount": "10000",
        "alt_kind_0": "heloc",
        "csrf_token": token,
    }
    response = client.post("/save", data=form, follow_redirects=False)
    assert response.status_code == 422 and 'id="err-alt_apr_pct_0"' in response.text
    assert client.app.state.store.count() == 0


def test_an_old_uncomputable_save_shows_its_problem_on_the_page(client):
    scenario_id = client.app.state.store.save({**SAVE, "alternatives": [{"kind": "heloc"}]})
    page = client.get(f"/s/{scenario_id}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert re.search(r'id="err-alt_apr_pct_0"[^>]*>[^<]*required', page.text)


def test_a_cross_site_browser_save_through_the_api_is_refused(client):
    response = client.post("/api/v1/scenarios", json=SAVE, headers={"sec-fetch-site": "cross-site"})
    assert response.status_code == 403
    assert (
        client.post("/api/v1/scenarios", json=SAVE, headers={"sec-fetch-site": "same-origin"}).status_code
        == 201
    )


def test_the_page_token_cookie_is_httponly_and_not_sent_cross_site(client):
    page = client.get("/")
    cookie = page.headers["set-cookie"].lower()
    assert "loan401k_csrf=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    again = client.get("/")  # the browser's own token is kept, not replaced on every page
    assert "set-cookie" not in again.headers
    token = re.search(r'name="csrf_token" value="([^"]+)"', again.text).group(1)
    assert token == client.cookies["loan401k_csrf"]
    other = re.search(r'name="csrf_token" value="([^"]+)"', TestClient(client.app).get("/").text).group(1)
    refused = client.post("/save", data={**{k: str(v) for k, v in SAVE.items()}, "csrf_token": other})
    assert refused.status_code == 403  # another browser's token does not match this one's cookie
