"""Who the client is, and how many scenario saves it may make (issue 17).

The client is the peer address of the connection, unless that peer is a configured trusted
proxy (`LOAN401K_TRUSTED_PROXIES`): then it is the right-most X-Forwarded-For address that
is not itself a trusted proxy (what the last trusted hop saw). With no trusted proxy
configured, X-Forwarded-For is ignored: a client cannot pick its own address. IPv6 clients
are counted by /64, the block one subscriber usually holds.

Saves are counted in the database (`save_counts`), inside the save's own transaction, so
every worker process and every server sharing the database sees one count, and a process
holds nothing per client in memory: spraying addresses cannot grow it, nor reset anyone's
count. The window slides (the previous minute's count, weighted by how much of it is still
inside the last 60 s, plus this minute's), per client and for all clients together; a
refused save rolls back and is not counted. A row holds a hash of the client key, a window
number and a count, and is deleted two windows later.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import and_, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from starlette.requests import Request

from .gate import Gate
from .i18n import _
from .settings import Network, Settings
from .store import ScenarioStore, save_counts

ALL_CLIENTS = "*"


# --------------------------------------------------------------------------- the client


def client_address(scope: Mapping[str, Any], trusted: tuple[Network, ...]) -> str:
    """The client's address as this deployment defines it (see the module's docstring)."""
    client = scope.get("client")
    peer = client[0] if client else ""
    if not trusted or not _within(peer, trusted):
        return peer
    forwarded = b",".join(value for name, value in scope.get("headers", []) if name == b"x-forwarded-for")
    hops = [hop.strip() for hop in forwarded.decode("latin-1").split(",") if hop.strip()]
    address = peer
    for hop in reversed(hops):
        if _parse(hop) is None:
            break  # a hop we cannot read: believe only what came before it
        address = hop
        if not _within(hop, trusted):
            break
    return address


def _parse(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _within(text: str, networks: tuple[Network, ...]) -> bool:
    address = _parse(text)
    return address is not None and any(address in network for network in networks)


def client_key(address: str) -> str:
    """The key a client is counted under: its IPv4 address, or its IPv6 /64."""
    parsed = _parse(address)
    if parsed is None:
        return address[:64] or "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


# --------------------------------------------------------------------------- the window


def estimate(previous: int, current: int, elapsed: float, window: float) -> float:
    """Events in the last `window` seconds, taking the previous window's as evenly spread."""
    return previous * max(0.0, window - elapsed) / window + current


def wait_for_room(previous: int, current: int, limit: int, elapsed: float, window: float) -> int:
    """Whole seconds until one more event fits within `limit` (`current` does not count it)."""
    spare = limit - current - 1  # what the previous window's share must shrink to
    if spare >= 0 and previous:  # room in this window, as the previous one slides out
        wait = window - elapsed - window * spare / previous
        if wait < window - elapsed:
            return max(1, math.ceil(wait - 1e-9))
    # in the next window this one's count is the previous one's
    wait = window - elapsed
    if current and limit >= 1:
        wait = max(wait, 2 * window - elapsed - window * (limit - 1) / current)
    return max(1, math.ceil(wait - 1e-9))


class SaveRefused(Exception):
    """Too many saves: `retry_after` seconds until one more is allowed."""

    def __init__(self, retry_after: int, limit: int, everyone: bool):
        self.retry_after, self.limit, self.everyone = retry_after, limit, everyone
        if everyone:
            text = _(
                "too many saves from all clients together; at most {limit} a minute; retry in {seconds} s"
            )
        else:
            text = _("too many saves from one client; at most {limit} a minute; retry in {seconds} s")
        super().__init__(text.format(limit=limit, seconds=retry_after))


@dataclass
class SaveQuota:
    """At most `limit` saves a `window` per client key, and `total` from all clients."""

    limit: int
    total: int
    window: float = 60.0
    clock: Callable[[], float] = time.time
    _pruned: int = -1

    def charge(self, connection: Connection, address: str) -> None:
        """Count one save for `address` in the caller's transaction, or raise SaveRefused
        (the caller rolls the transaction back, so a refused save is not counted)."""
        now = self.clock()
        number = int(now // self.window)
        elapsed = now - number * self.window
        checks = ((client_key(address), self.limit, False), (ALL_CLIENTS, self.total, True))
        for key, limit, everyone in checks:
            client = hashlib.sha256(key.encode()).hexdigest()[:32]
            current = _bump(connection, client, number)
            previous = connection.execute(
                select(save_counts.c.saves).where(
                    and_(save_counts.c.client == client, save_counts.c.window == number - 1)
                )
            ).scalar_one_or_none()
            if estimate(previous or 0, current, elapsed, self.window) > limit:
                wait = wait_for_room(previous or 0, current - 1, limit, elapsed, self.window)
                raise SaveRefused(wait, limit, everyone)
        if self._pruned != number:  # once a window per process: the counters of two windows ago
            connection.execute(delete(save_counts).where(save_counts.c.window < number - 1))
            self._pruned = number


def _bump(connection: Connection, client: str, number: int) -> int:
    """This window's count for `client`, one more, atomically (the row is locked until the
    transaction ends, so concurrent saves from other processes queue behind it)."""
    dialect = connection.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement: Any = insert(save_counts).values(client=client, window=number, saves=1)
    statement = statement.on_conflict_do_update(
        index_elements=[save_counts.c.client, save_counts.c.window],
        set_={"saves": save_counts.c.saves + 1},
    ).returning(save_counts.c.saves)
    return int(connection.execute(statement).scalar_one())


# --------------------------------------------------------------------------- a save


def cross_site(request: Request, origin: str = "") -> bool:
    """True when the browser says the request comes from another site (Sec-Fetch-Site, else
    Origin against LOAN401K_PUBLIC_URL's origin, or the host the request was addressed to)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site not in ("same-origin", "none")
    sent = request.headers.get("origin")
    if sent is None:
        return False  # not a browser, or one too old to say
    if origin:
        return sent.lower() != origin.lower()
    # no public URL configured: compare hosts (a TLS proxy in front may change the scheme the
    # app sees, never the host)
    return urlsplit(sent.lower()).netloc != request.headers.get("host", "").lower()


async def save_scenario(request: Request, data: dict[str, Any], store: ScenarioStore) -> str:
    """Store `data` for the request's client, through the app's save gate and quota: the id,
    or SaveRefused (429), Busy or StoreBusy (503)."""
    state = request.app.state
    settings: Settings = getattr(state, "settings", None) or Settings()
    address = client_address(request.scope, settings.trusted_proxies)
    quota: SaveQuota = state.save_limiter
    gate: Gate = state.saves

    def charge(connection: Connection) -> None:
        quota.charge(connection, address)

    saved: str = await gate.run(store.save, data, charge)
    return saved
