"""The deployment's knobs, read from the environment (docs/deploy.md lists them all).

Each is read when the app is built (`create_app`), so every worker process of
`loan401k serve --workers N` reads the same values from the environment it inherits.
A bad value is an error naming the variable: a deployment must not run on a typo.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

PUBLIC_URL_ENV = "LOAN401K_PUBLIC_URL"
TRUSTED_PROXIES_ENV = "LOAN401K_TRUSTED_PROXIES"
SAVES_PER_MINUTE_ENV = "LOAN401K_SAVES_PER_MINUTE"
SAVES_PER_MINUTE_TOTAL_ENV = "LOAN401K_SAVES_PER_MINUTE_TOTAL"
PDF_SLOTS_ENV = "LOAN401K_PDF_SLOTS"
CACHE_MB_ENV = "LOAN401K_CACHE_MB"
SIMULATION_QUEUE_ENV = "LOAN401K_SIMULATION_QUEUE"
SIMULATION_WAIT_ENV = "LOAN401K_SIMULATION_WAIT_S"

SAVES_PER_MINUTE = 30  # per client address, across every worker (the database counts)
SAVES_PER_MINUTE_TOTAL = 600  # all clients together: bounds the counters and the scenarios table
PDF_SLOTS = 1  # PDF renders at once per worker process (each ≈ 60 MB and 1 s of one core)
CACHE_MB = 32  # answers kept per input, per cache and worker process (loan401k.cache); 0: off
#: Monte Carlo requests that wait for the worker's simulation slot (FIFO), and how long each
#: may wait: a default simulation takes ≈ 15 ms, so 64 waiting ≈ 1 s of work (docs/api.md).
SIMULATION_QUEUE = 64
SIMULATION_WAIT_S = 10


def _whole(name: str, default: int, low: int = 1) -> int:
    configured = os.environ.get(name, "").strip()
    if not configured:
        return default
    if not configured.isascii() or not configured.isdigit() or int(configured) < low:
        raise ValueError(f"{name} must be a whole number, at least {low}; got {configured!r}")
    return int(configured)


def parse_networks(text: str, name: str = TRUSTED_PROXIES_ENV) -> tuple[Network, ...]:
    """Networks from text such as "127.0.0.1, 10.0.0.0/8, ::1"; an address is a network of one."""
    networks = []
    for part in text.replace(" ", ",").split(","):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(
                f"{name}: {part!r} is not an IP address or network (e.g. 127.0.0.1 or 10.0.0.0/8)"
            ) from None
    return tuple(networks)


def public_url(text: str) -> str:
    """The site's address as users reach it, without a trailing slash; "" when not set."""
    text = text.strip().rstrip("/")
    if not text:
        return ""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(
            f"{PUBLIC_URL_ENV} must be an http(s) address such as https://loans.example.org; got {text!r}"
        )
    return text


@dataclass(frozen=True)
class Settings:
    #: scheme://host[:port][/prefix] for links that leave the page (share link, saved link);
    #: empty: links are relative (never built from the request's Host header)
    public_url: str = ""
    #: peers whose X-Forwarded-For is believed (the reverse proxy); empty: none is
    trusted_proxies: tuple[Network, ...] = field(default_factory=tuple)
    saves_per_minute: int = SAVES_PER_MINUTE
    saves_per_minute_total: int = SAVES_PER_MINUTE_TOTAL
    pdf_slots: int = PDF_SLOTS
    cache_mb: int = CACHE_MB
    simulation_queue: int = SIMULATION_QUEUE
    simulation_wait_s: int = SIMULATION_WAIT_S

    @property
    def origin(self) -> str:
        """scheme://host[:port] of public_url ("" when not set)."""
        if not self.public_url:
            return ""
        parts = urlsplit(self.public_url)
        return f"{parts.scheme}://{parts.netloc}".lower()

    @property
    def secure(self) -> bool:
        return self.public_url.startswith("https://")


def from_environment() -> Settings:
    return Settings(
        public_url=public_url(os.environ.get(PUBLIC_URL_ENV, "")),
        trusted_proxies=parse_networks(os.environ.get(TRUSTED_PROXIES_ENV, "")),
        saves_per_minute=_whole(SAVES_PER_MINUTE_ENV, SAVES_PER_MINUTE),
        saves_per_minute_total=_whole(SAVES_PER_MINUTE_TOTAL_ENV, SAVES_PER_MINUTE_TOTAL),
        pdf_slots=_whole(PDF_SLOTS_ENV, PDF_SLOTS),
        cache_mb=_whole(CACHE_MB_ENV, CACHE_MB, low=0),
        simulation_queue=_whole(SIMULATION_QUEUE_ENV, SIMULATION_QUEUE, low=0),
        simulation_wait_s=_whole(SIMULATION_WAIT_ENV, SIMULATION_WAIT_S),
    )
